package document

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/requests"

	"faxgate/internal/faxtiff"
)

// MuPDF as a faster PDF renderer.
//
// PDFium in WebAssembly costs about 20 ms of CPU for a page of text at
// fine resolution; MuPDF's mutool, a native program, renders the same page
// into grey in about 5 ms, four times less than Ghostscript's fax device
// spends on it. So when mutool is installed (Debian: mupdf-tools), PDF pages
// are rendered by it and PDFium is kept for what it does well and safely:
// opening the file, telling encrypted, damaged and truncated files apart,
// counting pages and reading their sizes. Only a file that PDFium accepted
// reaches mutool, and if mutool then fails, PDFium renders the document
// after all, so the result never depends on mutool being present (only the
// time does). Grey rendering and our binarisation are the same either way
// (anti-aliased grey, then threshold and ridges for text, error diffusion
// for photographs), so are the pages, within a few pixels along edges;
// files without images are rendered by mutool without anti-aliasing
// (see sharpAA below), a little thinner than PDFium's.
//
// PDFium stays the renderer for pages longer than one fax page (they are
// rendered in windows and split), for files opened with a password (a
// password must not appear on a command line), and when Config.MutoolPath
// is "-".
//
// mutool is run as a sandboxed child process:
//
//	sh -c 'ulimit -v <limit> && ulimit -t <cpu> && ulimit -f 0 && ulimit -c 0 && exec "$@"' \
//	   sh mutool draw -q -a -o - -F pgm -c gray -l 1 -w <cw> -h <ch> -f [-A 0 -D] [-R 90] <copy of the file> <pages>
//
// in a private temporary folder holding only the copy of the PDF, with an
// empty environment, in its own process group, in a new network namespace
// where the system allows one (root, or unprivileged user namespaces;
// MuPDF has no network code anyway), with its address space capped
// (Config.ExternalMemoryLimit), a CPU-time limit, no file writing (its
// output is a pipe) and no core dumps. A page that does not arrive within
// PageTimeout gets the whole process group killed. Pages stream through the
// pipe one at a time (PGM, 8-bit grey, exactly the fax geometry: -w and -h
// scale each axis separately, -R turns landscape pages), straight into the
// grey buffer the binariser reads, so no page is ever held twice.

// sharpAA: documents without images are rendered without anti-aliasing
// (mutool -A 0), the way Ghostscript's fax device draws them. Every pixel
// is then paper or ink, so thresholding is exact, and the binariser only
// meets words of paper and of ink: about a third of the CPU a text page
// costs us goes away. Legibility was measured, not assumed:
// TestLegibilityVsGhostscript reads 5-8 pt print back by OCR from our
// pages and from Ghostscript's, and they come out equal at fine and at
// standard, where the anti-aliased render (threshold and ridge rule) read
// worse at 6 and 8 pt (10 % and 5 % of characters misread against
// Ghostscript's 2 % and 1 %). Hairlines stay one pixel wide (-l 1). Files
// with images keep anti-aliasing: MuPDF then scales photographs smoothly
// before our error diffusion (without it, it samples them).

// mutoolRun is one mutool process: consecutive pages of one geometry.
type mutoolRun struct {
	first, last int // page indexes, 0-based, inclusive
	fit         sheetFit
}

// errExternal marks a failure of the external renderer itself, after which
// PDFium renders the document.
var errExternal = errors.New("external renderer failed")

// netnsUnavailable records that this system refuses new network
// namespaces, so later runs do not try again.
var netnsUnavailable atomic.Bool

// pdfFits reads the size of every page and places it; ok is false when a
// page cannot go to mutool (longer than one fax page, or unreadable size:
// PDFium then reports it). Annotations are looked for separately
// (scanPDFNames, anyAnnotations): that needs each page loaded.
func (j *job) pdfFits(d *pdfDoc, n int) ([]sheetFit, bool) {
	limit := maxRows(j.opts.Resolution)
	fits := make([]sheetFit, n)
	for i := range n {
		res, err := d.inst.FPDF_GetPageSizeByIndexF(&requests.FPDF_GetPageSizeByIndexF{Document: d.doc, Index: i})
		if err != nil {
			return nil, false
		}
		w, h := float64(res.Size.Width), float64(res.Size.Height)
		if !(w >= 1 && h >= 1) || w > 1e6 || h > 1e6 {
			return nil, false
		}
		fits[i] = fitSheet(w*mmPerPt, h*mmPerPt, j.opts.Resolution)
		if fits[i].ch > limit {
			return nil, false
		}
	}
	return fits, true
}

// anyAnnotations reports whether any of the n pages prints annotations.
func (d *pdfDoc) anyAnnotations(n int) bool {
	for i := range n {
		if d.printsAnnotations(i) {
			return true
		}
	}
	return false
}

// pdfNames is what scanPDFNames found in a file's bytes.
type pdfNames struct {
	annots bool // /Annots (or /ObjStm, which may hide it)
	images bool // /Image: an image XObject
}

// scanPDFNames reads the names of a PDF file from its bytes, without
// parsing it: a page's annotations are listed under /Annots in its
// dictionary, which is plain text in the file unless the dictionary sits
// in a compressed object stream (/Type /ObjStm); an image XObject is a
// stream whose dictionary (always plain text: streams cannot be in object
// streams) says /Subtype /Image. Names written with #xx escapes are
// decoded. Anything uncertain answers true, and true only costs time
// (annotations: PDFium loads every page to look; images: anti-aliased
// rendering). Only images inline in a compressed content stream are not
// seen (they are small by the standard's advice: icons, logos).
func scanPDFNames(r io.ReaderAt, size int64) (found pdfNames) {
	const chunk, overlap = 1 << 20, 256
	buf := make([]byte, chunk)
	for off := int64(0); off < size; off += chunk - overlap {
		n, err := r.ReadAt(buf[:min(int64(chunk), size-off)], off)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size-off) {
			return pdfNames{true, true}
		}
		b := buf[:n]
		last := off+int64(n) >= size
		for i := 0; ; {
			k := bytes.IndexByte(b[i:], '/')
			if k < 0 {
				break
			}
			i += k + 1
			name, end := pdfName(b, i)
			if end == len(b) && !last {
				if end-i > overlap/2 {
					return pdfNames{true, true} // a name longer than the overlap
				}
				break // the next chunk reads it whole
			}
			switch string(name) {
			case "Annots", "ObjStm":
				found.annots = true
			case "Image":
				found.images = true
			}
			i = end
		}
		if last {
			break
		}
	}
	return found
}

// pdfName decodes the name whose characters start at b[i] (after its
// slash), up to 7 bytes of it (enough to compare), and returns where it
// ends.
func pdfName(b []byte, i int) ([]byte, int) {
	var name [7]byte
	n := 0
	for ; i < len(b) && nameChar(b[i]); i++ {
		c := b[i]
		if c == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				c, i = byte(v), i+2
			}
		}
		if n < len(name) {
			name[n] = c
		}
		n++
	}
	return name[:min(n, len(name))], i
}

// nameChar reports a PDF regular character (not white space, not a
// delimiter): the characters of a name.
func nameChar(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return false
	}
	return true
}

// printsAnnotations reports whether page i has annotations other than
// links. MuPDF draws annotations as a screen shows them, PDFium as printing
// does (a field flagged not to print stays off the fax), so such pages go
// to PDFium. Links have no appearance and are common, so they do not count.
func (d *pdfDoc) printsAnnotations(i int) bool {
	lp, err := d.inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: d.doc, Index: i})
	if err != nil {
		return true
	}
	defer d.inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: lp.Page})
	page := requests.Page{ByReference: &lp.Page}
	n, err := d.inst.FPDFPage_GetAnnotCount(&requests.FPDFPage_GetAnnotCount{Page: page})
	if err != nil {
		return true
	}
	for k := range n.Count {
		a, err := d.inst.FPDFPage_GetAnnot(&requests.FPDFPage_GetAnnot{Page: page, Index: k})
		if err != nil {
			return true
		}
		st, err := d.inst.FPDFAnnot_GetSubtype(&requests.FPDFAnnot_GetSubtype{Annotation: a.Annotation})
		d.inst.FPDFPage_CloseAnnot(&requests.FPDFPage_CloseAnnot{Annotation: a.Annotation})
		if err != nil || st.Subtype != enums.FPDF_ANNOT_SUBTYPE_LINK {
			return true
		}
	}
	return false
}

// mutoolRuns groups pages into runs of one geometry and cuts long runs so
// that every worker gets a share.
func mutoolRuns(fits []sheetFit, workers int) []mutoolRun {
	share := max(1, (len(fits)+workers-1)/workers)
	var runs []mutoolRun
	for i, f := range fits {
		if n := len(runs); n > 0 && runs[n-1].fit == f && runs[n-1].last-runs[n-1].first+1 < share {
			runs[n-1].last = i
			continue
		}
		runs = append(runs, mutoolRun{first: i, last: i, fit: f})
	}
	return runs
}

// renderPDFMutool renders every page with mutool, several processes at
// once. An error wrapping errExternal means mutool failed (PDFium should
// try); any other error is final.
//
// noImages says the file has no image XObjects (scanPDFNames): then
// mutool renders without anti-aliasing (see sharpAA).
func (j *job) renderPDFMutool(ctx context.Context, mutool string, r io.ReaderAt, size int64, fits []sheetFit, noImages bool) error {
	dir, err := os.MkdirTemp(j.c.cfg.TempDir, "faxgate-pdf-")
	if err != nil {
		return fmt.Errorf("document: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "input.pdf")
	if err := writeFile(in, io.NewSectionReader(r, 0, size)); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runs := make(chan mutoolRun, len(fits))
	for _, run := range mutoolRuns(fits, j.c.cfg.Workers) {
		runs <- run
	}
	close(runs)
	results := make(chan pageResult, len(fits)+j.c.cfg.Workers)
	var wg sync.WaitGroup
	for range min(j.c.cfg.Workers, len(fits)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &mutoolWorker{j: j, mutool: mutool, dir: dir, in: in, sharp: noImages}
			if g, ok := j.c.greys.Get().(*gray); ok {
				w.grey = g // readPage replaces it if too small
			}
			// Every row of a page is written before it is read, so a
			// buffer passes nothing from one document to the next.
			defer func() {
				if w.grey != nil {
					j.c.greys.Put(w.grey)
				}
			}()
			for run := range runs {
				// A slot of the converter: all conversions together run at
				// most Workers mutool processes.
				select {
				case j.c.ext <- struct{}{}:
				case <-ctx.Done():
					return
				}
				err := w.render(ctx, run, results)
				<-j.c.ext
				if err != nil {
					results <- pageResult{index: run.first, err: err}
					return
				}
			}
		}()
	}
	err = j.collectPages(ctx, nil, results, len(fits))
	cancel()
	wg.Wait()
	return err
}

// mutoolWorker renders runs of pages, reusing its buffers.
type mutoolWorker struct {
	j       *job
	mutool  string
	dir, in string
	sharp   bool // render without anti-aliasing (see sharpAA)
	grey    *gray
	page    *faxtiff.Page // reused when pages are kept encoded
	stderr  bytes.Buffer
}

// render runs mutool for one run of pages and sends each page as it is
// binarised.
func (w *mutoolWorker) render(ctx context.Context, run mutoolRun, out chan<- pageResult) error {
	j := w.j
	// -l 1: strokes at least one pixel wide, as PDFium draws hairlines (a
	// 0.1 pt rule would otherwise fade to light grey and vanish).
	argv := []string{"draw", "-q", "-a", "-o", "-", "-F", "pgm", "-c", "gray", "-l", "1",
		"-w", strconv.Itoa(run.fit.cw), "-h", strconv.Itoa(run.fit.ch), "-f"}
	if w.sharp {
		// -D: drawn straight, without recording the page into a display
		// list first (which mutool draw only needs for banded or
		// threaded rendering): the same pixels, about 5 % less of
		// mutool's CPU on pages of text (none measured on photographs,
		// so those keep the default).
		argv = append(argv, "-A", "0", "-D")
	}
	if run.fit.rotate {
		argv = append(argv, "-R", "90")
	}
	argv = append(argv, w.in, fmt.Sprintf("%d-%d", run.first+1, run.last+1))
	w.stderr.Reset()
	cmd, stdout, err := w.start(argv, time.Duration(run.last-run.first+1)*j.opts.PageTimeout)
	if err != nil {
		return fmt.Errorf("document: starting mutool: %v: %w", err, errExternal)
	}
	var timedOut atomic.Bool
	kill := func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	timer := time.AfterFunc(j.opts.PageTimeout, func() { timedOut.Store(true); kill() })
	stop := context.AfterFunc(ctx, kill)
	defer func() {
		timer.Stop()
		stop()
		kill() // nothing of it may outlive the run
		cmd.Wait()
	}()
	if f, ok := stdout.(*os.File); ok {
		// A page of grey is 2-5 MB: through the default 64 KB pipe that is
		// 60 or more hand-overs between mutool and us per page, each
		// waking the other side. 1 MB (the unprivileged maximum) cuts
		// them to a few; where refused, the default stays.
		if rc, err := f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, pipeSize) })
		}
	}
	br := bufio.NewReaderSize(stdout, 256<<10)
	for i := run.first; i <= run.last; i++ {
		timer.Reset(j.opts.PageTimeout)
		g, err := w.readPage(br, run.fit)
		timer.Stop()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case timedOut.Load():
			return failf(KindTimeout, nil, "the page took longer than %v to render", j.opts.PageTimeout)
		case err != nil:
			kill()
			cmd.Wait() // for all of stderr
			return fmt.Errorf("document: mutool, page %d: %v (%s): %w", i+1, err, bytes.TrimSpace(w.stderr.Bytes()), errExternal)
		}
		// With Encoded the bits are coded right away, so one page of bits
		// per worker is reused; otherwise each page keeps its own.
		p := w.page
		if p == nil || !j.opts.Encoded || cap(p.Pix) < g.h*p.Stride {
			p = faxtiff.NewPage(pageWidth, g.h, j.opts.Resolution)
		} else {
			p.Height, p.Pix = g.h, p.Pix[:g.h*p.Stride]
			clear(p.Pix)
		}
		var held heldPage
		if j.opts.Encoded {
			held = heldPage{enc: binarizeEncode(g, p)}
			w.page = p
		} else {
			binarize(g, thresholdRender, p)
			held = heldPage{raw: p}
		}
		out <- pageResult{index: i, pages: []heldPage{held}}
	}
	return nil
}

// F_SETPIPE_SZ (Linux fcntl) and the pipe size asked for mutool's output.
const (
	fSetPipeSize = 1031
	pipeSize     = 1 << 20
)

// binarizeEncode binarises g into p (white) and T.6-codes it. On a page
// with photographs (error diffusion: 10-15 ms each for binarising and
// coding a fine page) the coding follows the binarisation in a second
// goroutine, a few rows behind: the two steps then run on two cores when
// one is free (the last page of a document, whose mutool is done and which
// nothing else overlaps, no longer takes their sum), and cost what they did
// when none is. Other pages cost 2-4 ms, too little for waking a second
// core to pay, and are coded after.
func binarizeEncode(g *gray, p *faxtiff.Page) *faxtiff.Encoded {
	if packTwoTone(g, p) {
		return faxtiff.Encode(p)
	}
	b := newBinarizer(g, thresholdRender, p)
	if !b.anyPhoto() {
		b.run()
		return faxtiff.Encode(p)
	}
	enc := faxtiff.NewPageEncoder(p)
	rows := make(chan int, (g.h+progressRows-1)/progressRows+1)
	coded := make(chan *faxtiff.Encoded, 1)
	go func() {
		for y := range rows {
			enc.Code(y)
		}
		coded <- enc.Encoded()
	}()
	b.done = func(y int) { rows <- y }
	b.run()
	close(rows)
	return <-coded
}

// start starts mutool with argv, sandboxed (see above); cpu bounds its CPU
// time. It runs in its own process group, and in a new network namespace
// when the system allows it.
func (w *mutoolWorker) start(argv []string, cpu time.Duration) (*exec.Cmd, io.Reader, error) {
	limitKB := w.j.c.cfg.ExternalMemoryLimit >> 10
	script := fmt.Sprintf(`ulimit -v %d && ulimit -t %d && ulimit -f 0 && ulimit -c 0 && exec "$@"`,
		limitKB, int(cpu.Seconds())+5)
	prog := []string{"-c", script, "sh"}
	if sb := w.j.c.stdbuf; sb != "" {
		// mutool writes its output through stdio, whose buffer on a pipe
		// is 4 KB: about 1,000 write calls a fine page, each waking the
		// reader. Through stdbuf its buffer is the pipe's size: 4 or 5
		// writes a page, about 7 % less CPU for mutool and its reader
		// together on a text PDF.
		prog = append(prog, sb, "-o"+strconv.Itoa(pipeSize))
	}
	prog = append(prog, w.mutool)
	build := func(isolate bool) (*exec.Cmd, io.Reader, error) {
		cmd := exec.Command("/bin/sh", append(prog, argv...)...)
		cmd.Dir = w.dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + w.dir, "TMPDIR=" + w.dir}
		cmd.Stderr = &limitedBuffer{buf: &w.stderr, max: 4096}
		attr := &syscall.SysProcAttr{Setpgid: true}
		if isolate {
			attr.Cloneflags = syscall.CLONE_NEWNET
			if uid, gid := os.Geteuid(), os.Getegid(); uid != 0 {
				attr.Cloneflags |= syscall.CLONE_NEWUSER
				attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
				attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
			}
		}
		cmd.SysProcAttr = attr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, nil, err
		}
		return cmd, stdout, cmd.Start()
	}
	if !netnsUnavailable.Load() {
		cmd, stdout, err := build(true)
		if err == nil || !(errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC)) {
			return cmd, stdout, err
		}
		netnsUnavailable.Store(true)
	}
	return build(false)
}

// readPage reads one PGM image of the run's geometry into the worker's
// grey buffer, centred on the fax row.
func (w *mutoolWorker) readPage(br *bufio.Reader, fit sheetFit) (*gray, error) {
	var hdr [4]int
	if magic, err := br.Peek(2); err != nil || string(magic) != "P5" {
		if err == nil {
			err = errors.New("not a PGM image")
		}
		return nil, err
	}
	br.Discard(2)
	for k := 1; k < 4; k++ {
		v, err := pnmNumber(br)
		if err != nil {
			return nil, err
		}
		hdr[k] = v
	}
	width, height, maxval := hdr[1], hdr[2], hdr[3]
	// -f makes mutool fit the size exactly; one pixel of rounding is
	// tolerated and absorbed.
	if maxval != 255 || width < 1 || width > pageWidth || abs(width-fit.cw) > 1 || abs(height-fit.ch) > 1 {
		return nil, fmt.Errorf("unexpected image %d×%d (max %d), want %d×%d", width, height, maxval, fit.cw, fit.ch)
	}
	if b, err := br.ReadByte(); err != nil || !isSpace(b) {
		return nil, errors.New("bad PGM header")
	}
	rows := fit.ch
	if w.grey == nil || len(w.grey.pix) < pageWidth*rows {
		w.grey = newGray(pageWidth, max(rows, maxRows(w.j.opts.Resolution)))
	}
	g := &gray{w: pageWidth, h: rows, stride: pageWidth, pix: w.grey.pix[:pageWidth*rows]}
	offX := (pageWidth - width) / 2
	if width == pageWidth {
		// Rows as wide as the page (A4, Letter): read them in one go,
		// straight from the pipe (bufio passes a large read through).
		n := min(height, rows)
		if _, err := io.ReadFull(br, g.pix[:n*pageWidth]); err != nil {
			return nil, err
		}
		if height > rows { // one row too many
			if _, err := br.Discard(width); err != nil {
				return nil, err
			}
		}
		fillBytes(g.pix[n*pageWidth:], 255)
		return g, nil
	}
	for y := range height {
		if y >= rows { // one row too many
			if _, err := br.Discard(width); err != nil {
				return nil, err
			}
			continue
		}
		row := g.pix[y*pageWidth : (y+1)*pageWidth]
		if _, err := io.ReadFull(br, row[offX:offX+width]); err != nil {
			return nil, err
		}
		fillBytes(row[:offX], 255)
		fillBytes(row[offX+width:], 255)
	}
	for y := height; y < rows; y++ {
		fillBytes(g.pix[y*pageWidth:(y+1)*pageWidth], 255)
	}
	return g, nil
}

// pnmNumber reads a decimal number of a PNM header, skipping white space
// and comments.
func pnmNumber(br *bufio.Reader) (int, error) {
	v, digits := 0, 0
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch {
		case b == '#' && digits == 0:
			if _, err := br.ReadString('\n'); err != nil {
				return 0, err
			}
		case isSpace(b) && digits == 0:
		case b >= '0' && b <= '9' && digits < 7:
			v, digits = v*10+int(b-'0'), digits+1
		case isSpace(b):
			br.UnreadByte()
			return v, nil
		default:
			return 0, errors.New("bad PGM header")
		}
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\r' || b == '\t' }

func abs(v int) int { return max(v, -v) }

func fillBytes(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
