//go:build cgo

package t30

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"faxgate/internal/faxtiff"
)

func TestSplitTag(t *testing.T) {
	cases := []struct{ in, tag, msg string }{
		{"T.30 [t30:7] Rx DIS\n", "[t30:7]", "T.30 Rx DIS"},
		{"[t30:12] Timeout mid-receive\r\n", "[t30:12]", "Timeout mid-receive"},
		{"T.38T [t30:3]  Tx IFP\n", "[t30:3]", "T.38T Tx IFP"},
		{"no tag here\n", "", "no tag here"},
		{"T.30 [t30:9 unterminated", "", "T.30 [t30:9 unterminated"},
	}
	for _, tc := range cases {
		tag, msg := splitTag(tc.in)
		if tag != tc.tag || msg != tc.msg {
			t.Errorf("splitTag(%q) = %q, %q; want %q, %q", tc.in, tag, msg, tc.tag, tc.msg)
		}
	}
}

// TestLogging: spandsp's process-wide log reaches each session's own
// logger, labelled with its LogTag, and nothing else.
func TestLogging(t *testing.T) {
	path, _ := writeDoc(t, 1, faxtiff.Standard)
	var bufA, bufB, bufQuiet bytes.Buffer
	debug := &slog.HandlerOptions{Level: slog.LevelDebug}
	co, ao, _ := sendRecv(t, true, path)
	co.Logger, co.LogTag = slog.New(slog.NewTextHandler(&bufA, debug)), "out-42"
	ao.Logger, ao.LogTag = slog.New(slog.NewTextHandler(&bufB, debug)), "in-7"
	// A logger without debug enabled: spandsp logging stays off.
	quiet := Options{Direction: Receive, RxFile: t.TempDir() + "/q.tif", LogTag: "quiet",
		Logger: slog.New(slog.NewTextHandler(&bufQuiet, nil))}
	q, err := NewT38(quiet, func([]byte, int) {})
	if err != nil {
		t.Fatal(err)
	}
	c := runT38(t, co, ao, link{})
	for range 100 {
		q.Advance(frame)
	}
	if !c.a.Result().OK {
		t.Fatalf("%+v", c.a.Result())
	}
	tags := []string{c.a.tag, c.b.tag}
	c.a.Close()
	c.b.Close()
	q.Close()
	for _, x := range []struct {
		buf            *bytes.Buffer
		tag, other, fr string
	}{{&bufA, "out-42", "in-7", "DIS with final frame"}, {&bufB, "in-7", "out-42", "DCS with final frame"}} {
		out := x.buf.String()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 20 {
			t.Fatalf("%s: %d log lines", x.tag, len(lines))
		}
		for _, l := range lines {
			if !strings.Contains(l, "level=DEBUG") || !strings.Contains(l, "tag="+x.tag) ||
				strings.Contains(l, x.other) || strings.Contains(l, tagPrefix) {
				t.Fatalf("%s: line %q", x.tag, l)
			}
		}
		if !strings.Contains(out, x.fr) {
			t.Errorf("%s: no %q in the log", x.tag, x.fr)
		}
	}
	// The capability decode is printed without labels; it still arrives.
	if !strings.Contains(bufA.String(), "Real-time Internet fax (T.38)") {
		t.Error("DIS decode lines missing from the caller's log")
	}
	if bufQuiet.Len() != 0 {
		t.Errorf("quiet session logged: %s", bufQuiet.String())
	}
	logRoutes.Lock()
	defer logRoutes.Unlock()
	for _, tag := range tags {
		if _, ok := logRoutes.m[tag]; ok || tag == "" {
			t.Errorf("tag %q still routed after Close", tag)
		}
	}
}

// TestNoLeaks: many calls, finished or not, leave no open files and no log
// routes behind (spandsp opens the TIFFs itself; Close must release them).
func TestNoLeaks(t *testing.T) {
	path, _ := writeDoc(t, 2, faxtiff.Standard)
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	before := fds()
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for i := range 12 {
		co, ao, _ := sendRecv(t, i%2 == 0, path)
		co.Logger, ao.Logger = logger, logger
		co.T38.NoPacing, ao.T38.NoPacing = true, true
		stopEarly := i%3 == 0 // closed mid-call, with files open in spandsp
		c := runT38(t, co, ao, link{step: func(c *call) bool {
			return stopEarly && c.b.Result().PagesRx+c.a.Result().PagesRx == 1
		}})
		c.a.Close()
		c.b.Close()
	}
	if after := fds(); after != before {
		t.Errorf("open files: %d before, %d after", before, after)
	}
	logRoutes.Lock()
	defer logRoutes.Unlock()
	if len(logRoutes.m) != 0 {
		t.Errorf("%d log routes left", len(logRoutes.m))
	}
}

// TestConcurrentSessions: calls on several goroutines at once, each with its
// own logger; spandsp's single log handler must not mix their lines.
func TestConcurrentSessions(t *testing.T) {
	path, sent := writeDoc(t, 1, faxtiff.Standard)
	t.Run("group", func(t *testing.T) {
		for i := range 6 {
			t.Run(fmt.Sprintf("call%d", i), func(t *testing.T) {
				t.Parallel()
				tr := transports[i%2]
				var buf bytes.Buffer
				tag := fmt.Sprintf("call-%d", i)
				co, ao, rxPath := sendRecv(t, i%3 != 0, path)
				co.ECM, ao.ECM = true, true
				co.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
				co.LogTag, ao.Logger, ao.LogTag = tag, co.Logger, tag
				c := tr.run(t, co, ao, link{})
				checkTransfer(t, c, i%3 != 0, sent, rxPath, true)
				lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
				for _, l := range lines {
					if !strings.Contains(l, " tag="+tag+" ") {
						t.Fatalf("foreign line in %s: %q", tag, l)
					}
				}
				if len(lines) < 50 {
					t.Errorf("%s: only %d lines", tag, len(lines))
				}
			})
		}
	})
}
