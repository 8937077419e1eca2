package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	docconv "faxgate/internal/document"
	"faxgate/internal/faxtiff"
	"faxgate/internal/telephony/linesim"
	"faxgate/internal/telephony/linesim/testdoc"
	"faxgate/internal/telephony/t30"
)

// runFax dispatches the fax tools.
func runFax(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, faxUsage)
		if len(args) == 0 {
			return exitError{2}
		}
		return nil
	}
	switch args[0] {
	case "loopback":
		lb := loopback{convert: documentInput, stdout: stdout, stderr: stderr}
		return lb.run(ctx, args[1:])
	case "testdoc":
		return runTestDoc(args[1:], stderr)
	default:
		fmt.Fprintf(stderr, "faxgate fax: unknown tool %q (want send, loopback or testdoc)\n", args[0])
		return exitError{2}
	}
}

const faxUsage = `usage: faxgate fax <tool> [flags]

tools:
  send --to N --file F    queue a fax for a tenant (operators; a running 'faxgate serve' sends it)
  loopback [flags] FILE   send FILE through the real fax engine over a simulated line
  testdoc [flags] OUT     write a generated test document (TIFF-F) to OUT

Run 'faxgate fax <tool> -h' for the flags.
`

// runTestDoc writes a generated multi-page document, for trying and
// benchmarking loopback without a document at hand.
func runTestDoc(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("faxgate fax testdoc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: faxgate fax testdoc [--res standard|fine|superfine] [--pages N] [--lines N] OUT.tif")
		fs.PrintDefaults()
	}
	res := fs.String("res", "fine", "vertical resolution: standard, fine or superfine")
	pages := fs.Int("pages", 1, "number of pages")
	lines := fs.Int("lines", 40, "body text lines per page (60 fill a page like a dense letter)")
	seed := fs.Uint64("seed", 1, "content seed")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitError{2}
	}
	r, ok := map[string]faxtiff.Resolution{"standard": faxtiff.Standard, "fine": faxtiff.Fine, "superfine": faxtiff.Superfine}[*res]
	switch {
	case !ok:
		fmt.Fprintf(stderr, "faxgate fax testdoc: --res must be standard, fine or superfine, not %q\n", *res)
		return exitError{2}
	case *pages < 1 || *lines < 0:
		fmt.Fprintln(stderr, "faxgate fax testdoc: --pages must be at least 1 and --lines not negative")
		return exitError{2}
	case fs.NArg() != 1:
		fmt.Fprintf(stderr, "faxgate fax testdoc: want exactly one OUT file, got %d\n", fs.NArg())
		return exitError{2}
	}
	return testdoc.WriteFile(fs.Arg(0), r, *pages, testdoc.Options{TextLines: *lines, Seed: *seed})
}

// converter turns the user's file into a sendable TIFF-F at resolution res,
// writing any intermediate file into workDir, and returns the TIFF's path.
type converter func(ctx context.Context, in, workDir string, res faxtiff.Resolution) (tiff string, err error)

// documentInput sends a TIFF-F file as it is and converts any other file
// the documents engine supports (PDF, TIFF, images, text, office files with
// LibreOffice) into fax pages at res first, as an uploaded document would
// be. The content decides the type, never the file name. Pages are held
// T.6-coded while converting (Options.Encoded), as the documents worker does.
func documentInput(ctx context.Context, in, workDir string, res faxtiff.Resolution) (string, error) {
	if _, err := os.Stat(in); err != nil {
		return "", err
	}
	if _, err := faxtiff.Validate(in); err == nil {
		return in, nil
	}
	cfg := docconv.Config{}
	if dir, err := os.UserCacheDir(); err == nil {
		cfg.CompilationCacheDir = filepath.Join(dir, "faxgate", "pdfium")
	}
	conv, err := docconv.NewConverter(cfg)
	if err != nil {
		return "", err
	}
	defer conv.Close()
	out := filepath.Join(workDir, "document.tif")
	if _, err := conv.ConvertFile(ctx, []docconv.Input{{Path: in}}, docconv.Options{Resolution: res, Encoded: true}, out); err != nil {
		var de *docconv.Error
		if errors.As(err, &de) { // the caller names the file
			c := *de
			c.Name = ""
			return "", &notSendable{&c}
		}
		return "", err
	}
	return out, nil
}

// notSendable is a file the documents engine refuses: its type, or its
// content (damaged, encrypted, too large).
type notSendable struct{ error }

func (e *notSendable) Unwrap() error { return e.error }

// loopback is `faxgate fax loopback`: one or many calls through the real engine
// over linesim, reported as one JSON object on stdout.
type loopback struct {
	convert        converter
	stdout, stderr io.Writer
}

// loopbackFlags are the parsed command-line settings.
type loopbackFlags struct {
	line     linesim.Config
	ecm      bool
	parallel int
	ramp     time.Duration
	out      string
	verbose  bool
	profile  string
	file     string
	res      faxtiff.Resolution
}

const loopbackUsage = `usage: faxgate fax loopback [flags] FILE

Sends FILE through the real fax engine over a simulated line to a simulated
receiver and prints one JSON object. A TIFF-F file is sent as it is; any other
file the documents engine supports (PDF, TIFF, PNG, JPEG, GIF, BMP, WebP, plain
text; office files when LibreOffice is installed) is first converted into fax
pages at --quality, as an uploaded document would be:
  {"ok":..,"code":..,"message":..,"pages":..,"bit_rate":..,"ecm":..,"transport":..,
   "sim_seconds":..,"sender":{..},"receiver":{..},"line":{..}}
code and message are the sender's T.30 completion code and text, pages the
pages the receiver got. With --parallel N it runs N concurrent calls and prints
one summary object instead. Exit status: 0 when every call succeeded, 1 when a
call failed or FILE is not sendable (nothing is dialled then), 2 for bad flags.

flags:
`

func (lb loopback) parseFlags(args []string) (loopbackFlags, error) {
	f := loopbackFlags{line: linesim.Config{Transport: linesim.T38, Law: linesim.PCMU}}
	fs := flag.NewFlagSet("faxgate fax loopback", flag.ContinueOnError)
	fs.SetOutput(lb.stderr)
	fs.Usage = func() { fmt.Fprint(lb.stderr, loopbackUsage); fs.PrintDefaults() }
	transport := fs.String("transport", "t38", "line transport: t38 (UDPTL) or g711 (audio modem over RTP)")
	fs.StringVar(&f.line.Law, "law", "pcmu", "G.711 law: pcmu or pcma")
	fs.BoolVar(&f.ecm, "ecm", true, "use T.30 error correction mode")
	fs.Float64Var(&f.line.Loss, "loss", 0, "packet (T.38 datagram or G.711 frame) loss rate in [0, 1), e.g. 0.05")
	fs.DurationVar(&f.line.Delay, "delay", 0, "one-way line delay")
	fs.DurationVar(&f.line.Jitter, "jitter", 0, "extra random delay per packet, uniform in [0, jitter)")
	fs.IntVar(&f.line.Redundancy, "redundancy", 3, "T.38 UDPTL redundancy depth (secondary IFPs per datagram, 0-16)")
	fs.IntVar(&f.line.MaxDatagram, "max-datagram", 0, "T.38 maximum UDPTL datagram size in octets (0 = no limit)")
	fs.BoolVar(&f.line.Realtime, "realtime", false, "run on the real clock (20 ms ticker) instead of simulated time")
	fs.DurationVar(&f.line.Timeout, "timeout", linesim.DefaultTimeout, "give up after this much call time")
	fs.IntVar(&f.parallel, "parallel", 1, "run N concurrent calls and print a summary")
	fs.DurationVar(&f.ramp, "ramp", 0, "with --parallel: start the calls evenly spread over this time, as a trunk would")
	fs.Int64Var(&f.line.Seed, "seed", 1, "seed of the loss and jitter draws (call i of --parallel uses seed+i)")
	fs.StringVar(&f.out, "out", "", "write the received TIFF here")
	fs.BoolVar(&f.verbose, "v", false, "log the fax engine (spandsp) to stderr")
	fs.StringVar(&f.profile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	quality := fs.String("quality", "fine", "resolution of a converted FILE: standard, fine or superfine")
	var files []string
	for { // flags may follow FILE too
		if err := fs.Parse(args); err != nil {
			return f, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	f.line.Transport = linesim.Transport(*transport)
	res, ok := map[string]faxtiff.Resolution{"standard": faxtiff.Standard, "fine": faxtiff.Fine, "superfine": faxtiff.Superfine}[*quality]
	if !ok {
		return f, badUsage{fmt.Errorf("--quality must be standard, fine or superfine, not %q", *quality)}
	}
	f.res = res
	if len(files) != 1 {
		return f, badUsage{fmt.Errorf("want exactly one FILE, got %d", len(files))}
	}
	f.file = files[0]
	if err := f.validate(); err != nil {
		return f, badUsage{err}
	}
	return f, nil
}

// badUsage is a flag combination the flag package accepted but we do not.
type badUsage struct{ error }

func (f loopbackFlags) validate() error {
	switch {
	case f.line.Transport != linesim.T38 && f.line.Transport != linesim.G711:
		return fmt.Errorf("--transport must be t38 or g711, not %q", f.line.Transport)
	case f.line.Law != linesim.PCMU && f.line.Law != linesim.PCMA:
		return fmt.Errorf("--law must be pcmu or pcma, not %q", f.line.Law)
	case math.IsNaN(f.line.Loss) || f.line.Loss < 0 || f.line.Loss >= 1:
		return fmt.Errorf("--loss must be a fraction in [0, 1) (0.05 = 5 %%), not %v", f.line.Loss)
	case f.line.Delay < 0 || f.line.Jitter < 0 || f.ramp < 0:
		return errors.New("--delay, --jitter and --ramp must not be negative")
	case f.line.Redundancy < 0 || f.line.Redundancy > 16:
		return fmt.Errorf("--redundancy must be 0-16, not %d", f.line.Redundancy)
	case f.line.MaxDatagram < 0:
		return fmt.Errorf("--max-datagram must not be negative")
	case f.line.Timeout <= 0:
		return fmt.Errorf("--timeout must be positive")
	case f.parallel < 1:
		return fmt.Errorf("--parallel must be at least 1, not %d", f.parallel)
	case f.parallel > 1 && f.out != "":
		return errors.New("--out needs a single call (--parallel 1)")
	}
	return f.line.Validate()
}

func (lb loopback) run(ctx context.Context, args []string) error {
	f, err := lb.parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	var bad badUsage
	if errors.As(err, &bad) {
		fmt.Fprintf(lb.stderr, "faxgate fax loopback: %v\n", err)
		return exitError{2}
	}
	if err != nil { // the flag package has printed it with the usage
		return exitError{2}
	}
	work, err := os.MkdirTemp("", "faxgate-loopback-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	doc, err := lb.prepare(ctx, f.file, work, f.res)
	if err != nil {
		fmt.Fprintf(lb.stderr, "faxgate fax loopback: %v\n", err)
		return exitError{1}
	}
	if f.profile != "" {
		stop, err := startProfile(f.profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if f.parallel > 1 {
		return lb.runMany(ctx, f, doc, work)
	}
	return lb.runOne(ctx, f, doc, work)
}

// startProfile starts a CPU profile; the returned function ends it.
func startProfile(path string) (func(), error) {
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, nil
}

// document is the validated file to send.
type document struct {
	tiff string
	info faxtiff.Info
}

// prepare converts and validates the input before anything is dialled.
func (lb loopback) prepare(ctx context.Context, in, work string, res faxtiff.Resolution) (document, error) {
	tiff, err := lb.convert(ctx, in, work, res)
	var ns *notSendable
	switch {
	case errors.As(err, &ns):
		return document{}, fmt.Errorf("%s is not sendable (nothing was dialled): %w", in, err)
	case err != nil:
		return document{}, fmt.Errorf("cannot read %s: %w", in, err)
	}
	info, err := faxtiff.Validate(tiff)
	if err != nil {
		return document{}, fmt.Errorf("%s is not sendable (nothing was dialled): %w", in, err)
	}
	return document{tiff: tiff, info: info}, nil
}

// callSetup returns the line config and both ends of call i: the caller sends
// doc, the answerer receives into rx.
func (f loopbackFlags) callSetup(i int, doc document, rx string, logger *slog.Logger) (linesim.Config, t30.Options, t30.Options) {
	cfg := f.line
	cfg.Seed += int64(i)
	sender := t30.Options{
		// prepare validated doc.tiff once for every call (TxValidated).
		Direction: t30.Send, TxFile: doc.tiff, TxValidated: true, ECM: f.ecm, LocalIdent: "+15550100001",
		LogTag: fmt.Sprintf("tx%d", i), Logger: logger,
	}
	receiver := t30.Options{
		Direction: t30.Receive, RxFile: rx, ECM: f.ecm, LocalIdent: "+15550100002",
		LogTag: fmt.Sprintf("rx%d", i), Logger: logger,
	}
	return cfg, sender, receiver
}

// callReport is the JSON object of one call. The first six keys are the public
// contract (DESIGN.md §7).
type callReport struct {
	OK          bool         `json:"ok"`
	Code        int          `json:"code"`
	Message     string       `json:"message"`
	Pages       int          `json:"pages"`
	BitRate     int          `json:"bit_rate"`
	ECM         bool         `json:"ecm"`
	Transport   string       `json:"transport"`
	Law         string       `json:"law,omitempty"`
	Failure     string       `json:"failure,omitempty"`
	PagesSent   int          `json:"pages_sent"`
	SimSeconds  float64      `json:"sim_seconds"`
	WallSeconds float64      `json:"wall_seconds"`
	Identical   *bool        `json:"identical,omitempty"`
	Line        lineReport   `json:"line"`
	Sender      resultReport `json:"sender"`
	Receiver    resultReport `json:"receiver"`
	Out         string       `json:"out,omitempty"`
}

type lineReport struct {
	Loss       float64 `json:"loss"`
	DelayMS    float64 `json:"delay_ms"`
	JitterMS   float64 `json:"jitter_ms"`
	Redundancy int     `json:"redundancy,omitempty"`
	Realtime   bool    `json:"realtime"`
	Seed       int64   `json:"seed"`
	Packets    int     `json:"packets"`
	Lost       int     `json:"lost"`
	Late       int     `json:"late,omitempty"`
	Recovered  int     `json:"recovered,omitempty"`
	Bytes      int64   `json:"bytes"`
	TimedOut   bool    `json:"timed_out,omitempty"`
	HungUp     bool    `json:"hung_up,omitempty"`
	MaxLagMS   float64 `json:"max_lag_ms,omitempty"`
	LagP99MS   float64 `json:"lag_p99_ms,omitempty"`
}

// resultReport is one side's t30.Result.
type resultReport struct {
	OK             bool      `json:"ok"`
	Code           int       `json:"code"`
	Message        string    `json:"message"`
	Class          string    `json:"class,omitempty"`
	PagesTx        int       `json:"pages_tx"`
	PagesRx        int       `json:"pages_rx"`
	BitRate        int       `json:"bit_rate"`
	ECM            bool      `json:"ecm"`
	XRes           int       `json:"x_res"`
	YRes           int       `json:"y_res"`
	Width          int       `json:"width"`
	Length         int       `json:"length"`
	Compression    string    `json:"compression,omitempty"`
	RemoteIdent    string    `json:"remote_ident"`
	BadRows        int       `json:"bad_rows"`
	PageSeconds    []float64 `json:"page_seconds"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
}

func newResultReport(r t30.Result) resultReport {
	pt := make([]float64, len(r.PageTimes))
	for i, d := range r.PageTimes {
		pt[i] = round3(d.Seconds())
	}
	return resultReport{
		OK: r.OK, Code: r.Code, Message: r.Text, Class: string(r.Class),
		PagesTx: r.PagesTx, PagesRx: r.PagesRx, BitRate: r.BitRate, ECM: r.ECM,
		XRes: r.XRes, YRes: r.YRes, Width: r.Width, Length: r.Length, Compression: r.Compression,
		RemoteIdent: r.RemoteIdent, BadRows: r.BadRows,
		PageSeconds: pt, ElapsedSeconds: round3(r.Elapsed.Seconds()),
	}
}

// callOK is the loopback verdict: both ends completed and every page arrived.
func callOK(o linesim.Outcome, pages int) bool {
	return o.OK() && o.Answerer.PagesRx == pages
}

func newCallReport(f loopbackFlags, cfg linesim.Config, doc document, o linesim.Outcome, wall time.Duration) callReport {
	rep := callReport{
		OK: callOK(o, doc.info.Pages), Code: o.Caller.Code, Message: o.Caller.Text,
		Pages: o.Answerer.PagesRx, BitRate: o.Caller.BitRate, ECM: o.Caller.ECM,
		Transport: string(cfg.Transport), PagesSent: doc.info.Pages,
		SimSeconds: round3(o.SimTime.Seconds()), WallSeconds: round3(wall.Seconds()),
		Line: lineReport{
			Loss: cfg.Loss, DelayMS: ms(cfg.Delay), JitterMS: ms(cfg.Jitter), Realtime: cfg.Realtime, Seed: cfg.Seed,
			Packets: o.Packets, Lost: o.Lost, Late: o.Late, Recovered: o.Recovered, Bytes: o.Bytes,
			TimedOut: o.TimedOut, HungUp: o.HungUp, MaxLagMS: ms(o.MaxLag), LagP99MS: ms(o.LagP99),
		},
		Sender:   newResultReport(o.Caller),
		Receiver: newResultReport(o.Answerer),
	}
	if cfg.Transport == linesim.G711 {
		rep.Law = cfg.Law
	} else {
		rep.Line.Redundancy = cfg.Redundancy
	}
	if !rep.OK {
		rep.Failure = string(o.Failure())
		if rep.Failure == "" { // both ends claim success but pages are missing
			rep.Failure = "transfer"
		}
	}
	return rep
}

// runOne runs a single call and prints its report.
func (lb loopback) runOne(ctx context.Context, f loopbackFlags, doc document, work string) error {
	rx := f.out
	if rx == "" {
		rx = filepath.Join(work, "received.tif")
	} else if abs, err := filepath.Abs(rx); err == nil {
		rx = abs
	}
	var logger *slog.Logger
	if f.verbose {
		logger = slog.New(slog.NewTextHandler(lb.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg, sender, receiver := f.callSetup(0, doc, rx, logger)
	start := time.Now()
	o, err := linesim.Run(ctx, cfg, sender, receiver)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	rep := newCallReport(f, cfg, doc, o, time.Since(start))
	if o.Answerer.PagesRx > 0 {
		same := samePages(doc.tiff, rx)
		rep.Identical = &same
	}
	if f.out != "" && o.Answerer.PagesRx > 0 {
		rep.Out = rx
	}
	if err := writeJSON(lb.stdout, rep); err != nil {
		return err
	}
	if !rep.OK {
		return exitError{1}
	}
	return nil
}

// samePages reports whether the received file holds exactly the sent pages,
// pixel for pixel.
func samePages(sent, received string) bool {
	a, err := faxtiff.ReadFile(sent)
	if err != nil {
		return false
	}
	b, err := faxtiff.ReadFile(received)
	if err != nil || len(a) != len(b) {
		return false
	}
	for i := range a {
		if faxtiff.Equal(a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}

// summaryReport is the --parallel output.
type summaryReport struct {
	OK                bool           `json:"ok"`
	Calls             int            `json:"calls"`
	OKCount           int            `json:"ok_count"`
	FailuresByCode    map[string]int `json:"failures_by_code"`
	FailuresByClass   map[string]int `json:"failures_by_class"`
	Transport         string         `json:"transport"`
	Realtime          bool           `json:"realtime"`
	PagesSent         int            `json:"pages_sent"`
	CPUSeconds        float64        `json:"cpu_seconds"`
	WallSeconds       float64        `json:"wall_seconds"`
	PeakRSSMB         float64        `json:"peak_rss_mb"`
	PerCallSimSeconds stats          `json:"per_call_sim_seconds"`
	// PerCallMaxLagMS is how far behind real time each call fell at worst,
	// PerCallLagP99MS the 99th percentile of its 20 ms steps' lag (capped at
	// 63 ms); real-time runs only.
	PerCallMaxLagMS *stats `json:"per_call_max_lag_ms,omitempty"`
	PerCallLagP99MS *stats `json:"per_call_lag_p99_ms,omitempty"`
	// Examples describes the first few failed calls.
	Examples []failedCall `json:"failed_examples,omitempty"`
	Errors   []string     `json:"errors,omitempty"`
}

// failedCall is the short story of one failed call in a --parallel run.
type failedCall struct {
	Call       int     `json:"call"`
	Sender     string  `json:"sender"`
	Receiver   string  `json:"receiver"`
	Pages      int     `json:"pages"`
	SimSeconds float64 `json:"sim_seconds"`
	HungUp     bool    `json:"hung_up,omitempty"`
	TimedOut   bool    `json:"timed_out,omitempty"`
}

// maxExamples bounds the failed calls described in a summary.
const maxExamples = 5

type stats struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// callResult is what one of the parallel calls leaves behind.
type callResult struct {
	o   linesim.Outcome
	err error
}

// runMany runs f.parallel calls at once, each in its own goroutine (in real
// time they overlap, like calls on a trunk), and prints one summary.
func (lb loopback) runMany(ctx context.Context, f loopbackFlags, doc document, work string) error {
	cpu0 := cpuTime()
	start := time.Now()
	results := make([]callResult, f.parallel)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			if !sleepCtx(ctx, f.ramp*time.Duration(i)/time.Duration(len(results))) {
				results[i] = callResult{err: ctx.Err()}
				return
			}
			rx := filepath.Join(work, fmt.Sprintf("rx-%d.tif", i))
			cfg, sender, receiver := f.callSetup(i, doc, rx, nil)
			o, err := linesim.Run(ctx, cfg, sender, receiver)
			os.Remove(rx) // keeps the disk use of a large run flat
			results[i] = callResult{o, err}
		})
	}
	wg.Wait()
	sum := summarize(f, doc, results)
	sum.WallSeconds = round3(time.Since(start).Seconds())
	sum.CPUSeconds = round3((cpuTime() - cpu0).Seconds())
	sum.PeakRSSMB = peakRSSMB()
	if err := writeJSON(lb.stdout, sum); err != nil {
		return err
	}
	if !sum.OK {
		return exitError{1}
	}
	return nil
}

// sleepCtx waits d unless ctx ends first; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func summarize(f loopbackFlags, doc document, results []callResult) summaryReport {
	sum := summaryReport{
		Calls: len(results), FailuresByCode: map[string]int{}, FailuresByClass: map[string]int{},
		Transport: string(f.line.Transport), Realtime: f.line.Realtime, PagesSent: doc.info.Pages,
	}
	sim := make([]float64, 0, len(results))
	lag := make([]float64, 0, len(results))
	lag99 := make([]float64, 0, len(results))
	for i, r := range results {
		if r.err != nil {
			sum.FailuresByClass["internal"]++
			if len(sum.Errors) < 10 {
				sum.Errors = append(sum.Errors, r.err.Error())
			}
			continue
		}
		sim = append(sim, r.o.SimTime.Seconds())
		lag = append(lag, ms(r.o.MaxLag))
		lag99 = append(lag99, ms(r.o.LagP99))
		if callOK(r.o, doc.info.Pages) {
			sum.OKCount++
			continue
		}
		sum.FailuresByCode[strconv.Itoa(r.o.Caller.Code)]++
		class := string(r.o.Failure())
		if class == "" {
			class = "transfer"
		}
		sum.FailuresByClass[class]++
		if len(sum.Examples) < maxExamples {
			sum.Examples = append(sum.Examples, failedCall{
				Call:       i,
				Sender:     fmt.Sprintf("%d %s (%s)", r.o.Caller.Code, r.o.Caller.Text, r.o.Caller.Class),
				Receiver:   fmt.Sprintf("%d %s (%s)", r.o.Answerer.Code, r.o.Answerer.Text, r.o.Answerer.Class),
				Pages:      r.o.Answerer.PagesRx,
				SimSeconds: round3(r.o.SimTime.Seconds()),
				HungUp:     r.o.HungUp, TimedOut: r.o.TimedOut,
			})
		}
	}
	sum.OK = sum.OKCount == sum.Calls
	sum.PerCallSimSeconds = percentiles(sim)
	if f.line.Realtime {
		l, l99 := percentiles(lag), percentiles(lag99)
		sum.PerCallMaxLagMS, sum.PerCallLagP99MS = &l, &l99
	}
	return sum
}

func percentiles(v []float64) stats {
	if len(v) == 0 {
		return stats{}
	}
	slices.Sort(v)
	at := func(q float64) float64 { return round3(v[int(q*float64(len(v)-1))]) }
	return stats{P50: at(0.5), P99: at(0.99), Max: at(1)}
}

// cpuTime is the user+system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB is the process's maximum resident set size in MiB.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	kb := float64(ru.Maxrss)
	if runtime.GOOS == "darwin" { // bytes there, KiB on Linux
		kb /= 1024
	}
	return round3(kb / 1024)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }
