package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// faxgateBin is the faxgate binary the process tests run, built once per
// test process into a folder TestMain removes.
var faxgateBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if faxgateBin.dir != "" {
		os.RemoveAll(faxgateBin.dir)
	}
	os.Exit(code)
}

// buildFaxgate builds cmd/faxgate once and returns the binary's path.
func buildFaxgate(t *testing.T) string {
	t.Helper()
	faxgateBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "faxgate-e2e-bin")
		if err != nil {
			faxgateBin.err = err
			return
		}
		faxgateBin.dir, faxgateBin.path = dir, filepath.Join(dir, "faxgate")
		if out, err := exec.Command("go", "build", "-o", faxgateBin.path, "../cmd/faxgate").CombinedOutput(); err != nil {
			faxgateBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if faxgateBin.err != nil {
		t.Fatal(faxgateBin.err)
	}
	return faxgateBin.path
}

// freePort returns a port free for both TCP and UDP on 127.0.0.1 (SIP and
// RTP listen on both).
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}
