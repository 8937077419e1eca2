package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim/testdoc"
)

// faxTestDoc writes an n-page test document and returns its path.
func faxTestDoc(t *testing.T, res faxtiff.Resolution, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.tif")
	if err := testdoc.WriteFile(p, res, n, testdoc.Options{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// faxRun runs faxgate with args and returns the exit status and outputs.
func faxRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// decodeOne decodes stdout as exactly one JSON object (plus the newline).
func decodeOne(t *testing.T, stdout string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not the expected JSON object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", stdout)
	}
}

func TestFaxLoopbackUsageErrors(t *testing.T) {
	doc := faxTestDoc(t, faxtiff.Standard, 1)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no tool", []string{"fax"}, "usage: faxgate fax <tool>"},
		{"testdoc resolution", []string{"fax", "testdoc", "--res", "ultra", "x.tif"}, `--res must be standard, fine or superfine, not "ultra"`},
		{"testdoc no file", []string{"fax", "testdoc"}, "want exactly one OUT file, got 0"},
		{"testdoc pages", []string{"fax", "testdoc", "--pages", "0", "x.tif"}, "--pages must be at least 1"},
		{"unknown tool", []string{"fax", "fly"}, `unknown tool "fly"`},
		{"no file", []string{"fax", "loopback"}, "want exactly one FILE, got 0"},
		{"two files", []string{"fax", "loopback", doc, doc}, "want exactly one FILE, got 2"},
		{"transport", []string{"fax", "loopback", "--transport", "sip", doc}, `--transport must be t38 or g711, not "sip"`},
		{"law", []string{"fax", "loopback", "--transport", "g711", "--law", "g729", doc}, `--law must be pcmu or pcma, not "g729"`},
		{"loss 1", []string{"fax", "loopback", "--loss", "1", doc}, "--loss must be a fraction in [0, 1)"},
		{"loss percent", []string{"fax", "loopback", "--loss", "5", doc}, "--loss must be a fraction in [0, 1)"},
		{"loss negative", []string{"fax", "loopback", "--loss=-0.1", doc}, "--loss must be a fraction"},
		{"loss text", []string{"fax", "loopback", "--loss", "lots", doc}, `invalid value "lots" for flag -loss`},
		{"parallel 0", []string{"fax", "loopback", "--parallel", "0", doc}, "--parallel must be at least 1, not 0"},
		{"redundancy", []string{"fax", "loopback", "--redundancy", "17", doc}, "--redundancy must be 0-16"},
		{"negative delay", []string{"fax", "loopback", "--delay", "-1s", doc}, "--delay, --jitter and --ramp must not be negative"},
		{"out with parallel", []string{"fax", "loopback", "--parallel", "2", "--out", "x.tif", doc}, "--out needs a single call"},
		{"unknown flag", []string{"fax", "loopback", "--speed", "fast", doc}, "flag provided but not defined: -speed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := faxRun(t, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
		})
	}
}

func TestFaxTestDoc(t *testing.T) {
	out := filepath.Join(t.TempDir(), "doc.tif")
	if code, stdout, stderr := faxRun(t, "fax", "testdoc", "--res", "superfine", "--pages", "2", out); code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	info, err := faxtiff.Validate(out)
	if err != nil || info.Pages != 2 || info.Resolution != faxtiff.Superfine {
		t.Errorf("generated document: %+v, %v", info, err)
	}
}

// TestFaxLoopbackNotSendable checks that a bad file is refused before any call.
func TestFaxLoopbackNotSendable(t *testing.T) {
	dir := t.TempDir()
	// Any supported file is converted first (see TestFaxLoopbackAnyDocument);
	// these are not documents at all.
	binary := filepath.Join(dir, "letter.txt")
	if err := os.WriteFile(binary, append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 200)...), 0o644); err != nil {
		t.Fatal(err)
	}
	tiff := filepath.Join(dir, "full.tif")
	if err := faxtiff.WriteFile(tiff, []*faxtiff.Page{faxtiff.NewPage(1728, 1143, faxtiff.Standard)}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(tiff)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.tif")
	if err := os.WriteFile(broken, b[:12], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, file, want string }{
		{"missing", filepath.Join(dir, "missing.tif"), "cannot read"},
		{"executable", binary, "letter.txt is not sendable (nothing was dialled): unsupported file type"},
		{"damaged tiff", broken, "broken.tif is not sendable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := faxRun(t, "fax", "loopback", tt.file)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

// TestFaxLoopback sends test documents through the real engine and checks
// the public JSON contract.
func TestFaxLoopback(t *testing.T) {
	doc1 := faxTestDoc(t, faxtiff.Standard, 1)
	doc3 := faxTestDoc(t, faxtiff.Fine, 3)
	tests := []struct {
		name      string
		args      []string
		doc       string
		pages     int
		ecm       bool
		transport string
	}{
		{"t38 defaults", nil, doc1, 1, true, "t38"},
		{"t38 no ecm lossy", []string{"--ecm=false", "--loss", "0.02", "--redundancy", "3", "--delay", "60ms", "--jitter", "20ms", "--seed", "5"}, doc1, 1, false, "t38"},
		{"g711 pcma", []string{"--transport", "g711", "--law", "pcma"}, doc1, 1, true, "g711"},
		{"g711 3 pages", []string{"--transport=g711"}, doc3, 3, true, "g711"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "rx.tif")
			args := append([]string{"fax", "loopback", tt.doc}, tt.args...) // flags after FILE work too
			args = append(args, "--out", out)
			code, stdout, stderr := faxRun(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			var rep callReport
			decodeOne(t, stdout, &rep)
			if !rep.OK || rep.Code != 0 || rep.Message == "" || rep.Pages != tt.pages || rep.BitRate != 14400 || rep.ECM != tt.ecm {
				t.Errorf("report %+v", rep)
			}
			if rep.Transport != tt.transport || rep.SimSeconds < 20 || rep.Out != out || rep.Identical == nil || !*rep.Identical {
				t.Errorf("transport %q, sim %v s, out %q, identical %v", rep.Transport, rep.SimSeconds, rep.Out, rep.Identical)
			}
			if rep.Sender.PagesTx != tt.pages || rep.Receiver.PagesRx != tt.pages || !rep.Sender.OK || !rep.Receiver.OK {
				t.Errorf("sender %+v\nreceiver %+v", rep.Sender, rep.Receiver)
			}
			if rep.Receiver.RemoteIdent != "+15550100001" || len(rep.Sender.PageSeconds) != tt.pages {
				t.Errorf("remote ident %q, page times %v", rep.Receiver.RemoteIdent, rep.Sender.PageSeconds)
			}
			got, err := faxtiff.ReadFile(out)
			if err != nil || len(got) != tt.pages {
				t.Fatalf("--out file: %d pages, %v", len(got), err)
			}
		})
	}
}

// TestFaxLoopbackContractKeys pins the documented key names and types.
func TestFaxLoopbackContractKeys(t *testing.T) {
	code, stdout, stderr := faxRun(t, "fax", "loopback", faxTestDoc(t, faxtiff.Standard, 1))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	for key, kind := range map[string]string{
		"ok": "bool", "code": "number", "message": "string", "pages": "number", "bit_rate": "number",
		"ecm": "bool", "transport": "string", "sim_seconds": "number", "sender": "object", "receiver": "object",
	} {
		var ok bool
		switch kind {
		case "bool":
			_, ok = m[key].(bool)
		case "number":
			_, ok = m[key].(float64)
		case "string":
			_, ok = m[key].(string)
		case "object":
			_, ok = m[key].(map[string]any)
		}
		if !ok {
			t.Errorf("key %q: %T, want %s", key, m[key], kind)
		}
	}
	if _, ok := m["out"]; ok {
		t.Error(`"out" present without --out`)
	}
}

// TestFaxLoopbackFailure checks that a call the line breaks is reported as a
// failure with exit status 1 and a failure class.
func TestFaxLoopbackFailure(t *testing.T) {
	code, stdout, _ := faxRun(t, "fax", "loopback", "--transport", "g711", "--loss", "0.05", faxTestDoc(t, faxtiff.Standard, 1))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	var rep callReport
	decodeOne(t, stdout, &rep)
	if rep.OK || rep.Failure == "" || rep.Code == 0 || rep.Line.Lost == 0 {
		t.Errorf("report ok %v, failure %q, code %d %q, lost %d", rep.OK, rep.Failure, rep.Code, rep.Message, rep.Line.Lost)
	}
}

func TestFaxLoopbackParallel(t *testing.T) {
	doc := faxTestDoc(t, faxtiff.Standard, 1)
	tests := []struct {
		name   string
		args   []string
		wantOK bool
	}{
		{"t38", []string{"--parallel", "4"}, true},
		{"g711", []string{"--parallel", "2", "--transport", "g711"}, true},
		{"ramp", []string{"--parallel", "3", "--ramp", "30ms"}, true},
		{"t38 broken line", []string{"--parallel", "3", "--redundancy", "0", "--loss", "0.2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := faxRun(t, append(append([]string{"fax", "loopback"}, tt.args...), doc)...)
			var sum summaryReport
			decodeOne(t, stdout, &sum)
			if (code == 0) != tt.wantOK || sum.OK != tt.wantOK {
				t.Fatalf("exit %d, ok %v, want ok %v\n%s\n%s", code, sum.OK, tt.wantOK, stdout, stderr)
			}
			failures := 0
			for _, n := range sum.FailuresByCode {
				failures += n
			}
			if sum.OKCount+failures != sum.Calls || sum.Calls < 2 {
				t.Errorf("calls %d, ok %d, failures %v", sum.Calls, sum.OKCount, sum.FailuresByCode)
			}
			if sum.CPUSeconds <= 0 || sum.WallSeconds <= 0 || sum.PeakRSSMB <= 0 ||
				sum.PerCallSimSeconds.P50 <= 0 || sum.PerCallSimSeconds.Max < sum.PerCallSimSeconds.P50 {
				t.Errorf("summary figures %+v", sum)
			}
		})
	}
}

// TestFaxLoopbackConverter plugs a converter in, as the documents package
// will: the input is not a TIFF, the converter renders one.
func TestFaxLoopbackConverter(t *testing.T) {
	var out, errOut bytes.Buffer
	lb := loopback{
		convert: func(_ context.Context, in, work string, _ faxtiff.Resolution) (string, error) {
			if filepath.Ext(in) != ".txt" {
				return "", errors.New("not text")
			}
			p := filepath.Join(work, "rendered.tif")
			return p, testdoc.WriteFile(p, faxtiff.Standard, 2, testdoc.Options{})
		},
		stdout: &out, stderr: &errOut,
	}
	in := filepath.Join(t.TempDir(), "note.txt")
	if err := os.WriteFile(in, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := lb.run(context.Background(), []string{in}); err != nil {
		t.Fatalf("run: %v; %s", err, errOut.String())
	}
	var rep callReport
	decodeOne(t, out.String(), &rep)
	if !rep.OK || rep.Pages != 2 || rep.PagesSent != 2 {
		t.Errorf("report %+v", rep)
	}
}

// TestFaxLoopbackBinary builds the real binary and runs the command as a
// user would.
func TestFaxLoopbackBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "faxgate")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	doc := faxTestDoc(t, faxtiff.Fine, 1)
	cmd := exec.Command(bin, "fax", "loopback", "--transport", "g711", doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("faxgate fax loopback: %v\n%s", err, stderr.String())
	}
	var rep callReport
	decodeOne(t, string(stdout), &rep)
	if !rep.OK || rep.Pages != 1 || rep.Code != 0 || rep.BitRate != 14400 || !rep.ECM || rep.Transport != "g711" {
		t.Errorf("report %+v", rep)
	}

	bad := exec.Command(bin, "fax", "loopback", filepath.Join(t.TempDir(), "none.tif"))
	var ee *exec.ExitError
	if out, err := bad.CombinedOutput(); !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "cannot read") {
		t.Errorf("missing file: %v, %s", err, out)
	}
}

func TestPercentiles(t *testing.T) {
	v := make([]float64, 101)
	for i := range v {
		v[i] = float64(100 - i)
	}
	if got := percentiles(v); got != (stats{P50: 50, P99: 99, Max: 100}) {
		t.Errorf("percentiles = %+v", got)
	}
	if got := percentiles(nil); got != (stats{}) {
		t.Errorf("percentiles(nil) = %+v", got)
	}
}
