package sip

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// callParallelism is how many test calls run at once. The calls run in
// real time and are idle almost all the time (one fax costs a few
// milliseconds of CPU per second), so the default -parallel of GOMAXPROCS
// would only make the suite take minutes instead of about one call's time.
const callParallelism = 16

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(callParallelism))
	}
	os.Exit(m.Run())
}

// realTime marks a test that places real-time fax calls (tens of seconds):
// skipped with -short.
func realTime(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("real-time fax call; skipped with -short")
	}
	t.Parallel()
}
