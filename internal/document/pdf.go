package document

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"faxgate/internal/faxtiff"
)

// PDF rendering uses PDFium compiled to WebAssembly and run by wazero: no
// system library, and a hostile PDF can at worst crash or exhaust its own
// sandbox. The sandbox gets no file system (the file is read through a
// callback), no clock worth attacking, and a memory cap.
//
// Each page is rendered by PDFium straight into an 8-bit grey bitmap of
// exactly the fax geometry: width and height are scaled separately (204 dpi
// across, 98/196/391 lpi down), landscape pages are turned by PDFium, and a
// page longer than the split limit is rendered in windows (a negative start
// offset), so no buffer is ever larger than one fax page.
//
// Timeouts: rendering is progressive, and PDFium asks between drawing
// objects whether to pause; it pauses, and the page fails, once the page
// deadline passes or ctx ends. Work that does not return to that check
// (parsing one enormous object) is abandoned after a grace period: Convert
// returns, and the instance is released when PDFium finally returns. (The
// WebAssembly runtime's own interruption, CloseOnContextDone, slows
// rendering six-fold, so it is not used.)

// pdfRenderer is the shared pool of PDFium instances.
type pdfRenderer struct {
	pool   pdfium.Pool
	tokens chan struct{} // one per instance allowed to exist
}

func newPDFRenderer(cfg Config) (*pdfRenderer, error) {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(uint32(min(cfg.WasmMemoryLimit>>16, 65536)))
	if cfg.CompilationCacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CompilationCacheDir)
		if err != nil {
			return nil, fmt.Errorf("document: PDF renderer cache: %w", err)
		}
		rc = rc.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       0,
		MaxIdle:       cfg.Workers,
		MaxTotal:      cfg.Workers,
		FSConfig:      wazero.NewFSConfig(), // nothing mounted
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("document: starting the PDF renderer: %w", err)
	}
	r := &pdfRenderer{pool: pool, tokens: make(chan struct{}, cfg.Workers)}
	for range cfg.Workers {
		r.tokens <- struct{}{}
	}
	return r, nil
}

func (r *pdfRenderer) close() error { return r.pool.Close() }

// acquire returns a fresh PDFium instance, waiting for a free slot. Each
// document gets fresh instances, so nothing of one tenant's file survives
// into the next conversion and memory grown by a big file is returned.
func (r *pdfRenderer) acquire(ctx context.Context) (pdfium.Pdfium, func(), error) {
	select {
	case <-r.tokens:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return r.instance(ctx)
}

// tryAcquire is acquire without waiting; it returns nil when all slots are
// taken.
func (r *pdfRenderer) tryAcquire(ctx context.Context) (pdfium.Pdfium, func()) {
	select {
	case <-r.tokens:
	default:
		return nil, nil
	}
	inst, release, err := r.instance(ctx)
	if err != nil {
		return nil, nil
	}
	return inst, release
}

func (r *pdfRenderer) instance(ctx context.Context) (pdfium.Pdfium, func(), error) {
	inst, err := r.pool.GetInstanceWithContext(ctx)
	if err != nil {
		r.tokens <- struct{}{}
		return nil, nil, fmt.Errorf("document: PDF renderer: %w", err)
	}
	var once sync.Once
	return inst, func() {
		once.Do(func() {
			inst.Close()
			r.tokens <- struct{}{}
		})
	}, nil
}

// pdfDoc is one PDF opened in one instance.
type pdfDoc struct {
	inst pdfium.Pdfium
	doc  references.FPDF_DOCUMENT
}

func openPDF(inst pdfium.Pdfium, r io.ReaderAt, size int64, password string) (*pdfDoc, error) {
	req := &requests.OpenDocument{FileReader: io.NewSectionReader(r, 0, size), FileReaderSize: size}
	if password != "" {
		req.Password = &password
	}
	res, err := inst.OpenDocument(req)
	switch {
	case err == nil:
		return &pdfDoc{inst: inst, doc: res.Document}, nil
	case errors.Is(err, pdfiumerrors.ErrPassword):
		if password != "" {
			return nil, failf(KindEncrypted, err, "the password does not open the PDF")
		}
		return nil, failf(KindEncrypted, err, msgEncryptedPDF)
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return nil, failf(KindEncrypted, err, "the PDF uses an encryption that cannot be opened")
	}
	return nil, failf(KindCorrupt, err, "the PDF is damaged or not a PDF")
}

func (d *pdfDoc) close() {
	d.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: d.doc})
}

// truncated reports a PDF cut short: PDFium had to rebuild its cross-reference
// table (it recovers what it can, which would silently lose pages) and the
// end-of-file marker is missing. A repaired file that does end properly is
// merely sloppy and is accepted.
func (d *pdfDoc) truncated(r io.ReaderAt, size int64) bool {
	res, err := d.inst.FPDF_DocumentHasValidCrossReferenceTable(&requests.FPDF_DocumentHasValidCrossReferenceTable{Document: d.doc})
	if err == nil && res.DocumentHasValidCrossReferenceTable {
		return false
	}
	tail := make([]byte, min(size, 4096))
	n, _ := r.ReadAt(tail, size-int64(len(tail)))
	return !bytes.Contains(tail[:n], []byte("%%EOF"))
}

func (d *pdfDoc) pageCount() (int, error) {
	res, err := d.inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: d.doc})
	if err != nil {
		return 0, failf(KindCorrupt, err, "the PDF is damaged: its pages cannot be counted")
	}
	return res.PageCount, nil
}

// renderFlags: annotations (filled-in form fields with their appearance,
// stamps) as printed, i.e. without screen-only ones. Anti-aliasing stays on:
// the binariser's threshold and ridge rule turn it into crisp, complete
// strokes (hairlines included).
const renderFlags = enums.FPDF_RENDER_FLAG_ANNOT | enums.FPDF_RENDER_FLAG_PRINTING

// pageResult is one rendered PDF page: its fax pages (more than one when
// it was split) or its error.
type pageResult struct {
	index int
	pages []heldPage
	err   error
}

// convertPDF renders every page of a PDF, several pages at once when
// instances are free.
func (j *job) convertPDF(r io.ReaderAt, size int64, password string) error {
	rend, err := j.c.pdfRenderer()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(j.ctx)
	defer cancel()
	doc, release, n, err := j.openPDFChecked(ctx, rend, r, size, password)
	if err != nil {
		return err
	}
	if j.c.mutool != "" && password == "" {
		if fits, ok := j.pdfFits(doc, n); ok {
			// Pages with annotations go to PDFium. When the file may have
			// any, PDFium looks for them (about 1 ms a page) while mutool
			// renders, and its pages are dropped if it finds some.
			var annotated chan bool
			names := scanPDFNames(r, size)
			if names.annots {
				annotated = make(chan bool, 1)
				go func() { annotated <- doc.anyAnnotations(n) }()
			} else {
				doc.close()
				release()
			}
			before := j.count()
			err := j.renderPDFMutool(ctx, j.c.mutool, r, size, fits, !names.images)
			if annotated != nil {
				if <-annotated {
					err = errExternal
				} else {
					doc.close()
					release()
					annotated = nil
				}
			}
			if !errors.Is(err, errExternal) {
				return err
			}
			// mutool failed on a file PDFium accepted, or pages have
			// annotations: PDFium decides.
			j.truncate(before)
			if annotated == nil {
				if doc, release, n, err = j.openPDFChecked(ctx, rend, r, size, password); err != nil {
					return err
				}
			}
		}
	}
	return j.renderPDFPages(ctx, cancel, rend, doc, release, r, size, password, n)
}

// openPDFChecked opens the PDF in a fresh instance and checks it: damaged,
// truncated, without pages or over the page limit are errors.
func (j *job) openPDFChecked(ctx context.Context, rend *pdfRenderer, r io.ReaderAt, size int64, password string) (*pdfDoc, func(), int, error) {
	inst, release, err := rend.acquire(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	doc, err := openPDF(inst, r, size, password)
	if err != nil {
		release()
		return nil, nil, 0, err
	}
	n, err := doc.pageCount()
	if err == nil && doc.truncated(r, size) {
		err = failf(KindCorrupt, nil, "the PDF is truncated (the file is incomplete)")
	}
	if err == nil && n == 0 {
		err = failf(KindNoPages, nil, "the PDF has no pages")
	}
	if err == nil && n > j.room() {
		err = failf(KindTooManyPages, nil, "the document has more than %d pages, the limit (this PDF alone has %d)", j.opts.MaxPages, n)
	}
	if err != nil {
		doc.close()
		release()
		return nil, nil, 0, err
	}
	return doc, release, n, nil
}

// pdfWorker renders pages from a shared queue with its own instance.
type pdfWorker struct {
	doc     *pdfDoc
	release func()
	mu      sync.Mutex
	started time.Time // start of the current page; zero when idle
}

func (w *pdfWorker) busySince() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.started
}

func (j *job) renderPDFPages(ctx context.Context, cancel context.CancelFunc, rend *pdfRenderer, first *pdfDoc, release func(),
	r io.ReaderAt, size int64, password string, n int) error {
	workers := []*pdfWorker{{doc: first, release: release}}
	for len(workers) < min(n, cap(rend.tokens)) {
		inst, rel := rend.tryAcquire(ctx)
		if inst == nil {
			break
		}
		doc, err := openPDF(inst, r, size, password)
		if err != nil {
			rel()
			break
		}
		workers = append(workers, &pdfWorker{doc: doc, release: rel})
	}
	queue := make(chan int, n)
	for i := range n {
		queue <- i
	}
	close(queue)
	results := make(chan pageResult, n)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.release()
			defer w.doc.close()
			for i := range queue {
				if ctx.Err() != nil {
					return
				}
				w.mu.Lock()
				w.started = time.Now()
				w.mu.Unlock()
				pages, err := j.renderPDFPage(ctx, w.doc, i)
				w.mu.Lock()
				w.started = time.Time{}
				w.mu.Unlock()
				results <- pageResult{index: i, pages: pages, err: err}
			}
		}()
	}
	err := j.collectPages(ctx, workers, results, n)
	cancel()
	if KindOf(err) != KindTimeout {
		wg.Wait() // a stuck worker is left to finish alone
	}
	return err
}

// hardTimeoutGrace is how long past the page deadline a page that does not
// answer PDFium's pause check is waited for.
const hardTimeoutGrace = 5 * time.Second

// collectPages adds rendered pages in document order as they arrive.
func (j *job) collectPages(ctx context.Context, workers []*pdfWorker, results <-chan pageResult, n int) error {
	done := map[int][]heldPage{}
	next := 0
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for next < n {
		select {
		case res := <-results:
			if res.err != nil {
				return withPage(res.err, res.index+1)
			}
			done[res.index] = res.pages
			for ; done[next] != nil; next++ {
				for _, p := range done[next] {
					if err := j.addHeld(p); err != nil {
						return err
					}
				}
				delete(done, next)
			}
		case <-tick.C:
			for _, w := range workers {
				if s := w.busySince(); !s.IsZero() && time.Since(s) > j.opts.PageTimeout+hardTimeoutGrace {
					return failf(KindTimeout, nil, "a page took longer than %v to render", j.opts.PageTimeout)
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// renderPDFPage renders page i (0-based) into fax pages.
func (j *job) renderPDFPage(ctx context.Context, d *pdfDoc, i int) ([]heldPage, error) {
	inst := d.inst
	lp, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: d.doc, Index: i})
	if err != nil {
		return nil, failf(KindCorrupt, err, "the page cannot be read (damaged PDF)")
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: lp.Page})
	page := requests.Page{ByReference: &lp.Page}
	// Form fields (widgets) are not drawn by page rendering, only by a form
	// environment whose callbacks go-pdfium keeps in process-wide maps keyed
	// by WebAssembly addresses, unsafe with several instances. Flattening
	// for print instead merges every printable annotation's appearance
	// (filled-in fields, stamps, signatures) into the page, exactly as
	// printing shows it; the document is never saved.
	if n, err := inst.FPDFPage_GetAnnotCount(&requests.FPDFPage_GetAnnotCount{Page: page}); err == nil && n.Count > 0 {
		inst.FPDFPage_Flatten(&requests.FPDFPage_Flatten{Page: page, Usage: requests.FPDFPage_FlattenUsagePrint})
	}
	wres, err := inst.FPDF_GetPageWidthF(&requests.FPDF_GetPageWidthF{Page: page})
	if err != nil {
		return nil, failf(KindCorrupt, err, "the page size cannot be read (damaged PDF)")
	}
	hres, err := inst.FPDF_GetPageHeightF(&requests.FPDF_GetPageHeightF{Page: page})
	if err != nil {
		return nil, failf(KindCorrupt, err, "the page size cannot be read (damaged PDF)")
	}
	wPt, hPt := float64(wres.PageWidth), float64(hres.PageHeight)
	if !(wPt >= 1 && hPt >= 1) || math.IsInf(wPt, 0) || math.IsInf(hPt, 0) || wPt > 1e6 || hPt > 1e6 {
		return nil, failf(KindCorrupt, nil, "the page has an impossible size (%g × %g points)", wPt, hPt)
	}
	fit := fitSheet(wPt*mmPerPt, hPt*mmPerPt, j.opts.Resolution)
	rotate := enums.FPDF_PAGE_ROTATION_NONE
	if fit.rotate {
		rotate = enums.FPDF_PAGE_ROTATION_90_CW
	}
	deadline := time.Now().Add(j.opts.PageTimeout)
	render := func(ctx context.Context, y0, n int) (*gray, func(), error) {
		return renderPDFBand(ctx, inst, page, fit, rotate, y0, n, deadline, j.opts.PageTimeout)
	}
	var out []heldPage
	err = paginate(ctx, fit.ch, j.opts.Resolution, thresholdRender, render, func(p *faxtiff.Page) error {
		out = append(out, j.hold(p))
		if len(out) > j.opts.MaxPages {
			return failf(KindTooManyPages, nil, "the document has more than %d pages, the limit", j.opts.MaxPages)
		}
		return nil
	})
	return out, err
}

// renderPDFBand renders page rows [y0, y0+n) into a grey bitmap inside the
// instance; the returned raster is a view of it until release.
func renderPDFBand(ctx context.Context, inst pdfium.Pdfium, page requests.Page, fit sheetFit, rotate enums.FPDF_PAGE_ROTATION,
	y0, n int, deadline time.Time, timeout time.Duration) (*gray, func(), error) {
	bm, err := inst.FPDFBitmap_CreateEx(&requests.FPDFBitmap_CreateEx{
		Width: pageWidth, Height: n, Format: enums.FPDF_BITMAP_FORMAT_GRAY, Pointer: uint64(0),
	})
	if err != nil {
		return nil, nil, failf(KindCorrupt, err, "the page is too large to render")
	}
	release := func() { inst.FPDFBitmap_Destroy(&requests.FPDFBitmap_Destroy{Bitmap: bm.Bitmap}) }
	fail := func(err error) (*gray, func(), error) { release(); return nil, nil, err }
	if _, err := inst.FPDFBitmap_FillRect(&requests.FPDFBitmap_FillRect{Bitmap: bm.Bitmap, Width: pageWidth, Height: n, Color: 0xFFFFFFFF}); err != nil {
		return fail(fmt.Errorf("document: PDF renderer: %w", err))
	}
	paused := false
	st, err := inst.FPDF_RenderPageBitmap_Start(&requests.FPDF_RenderPageBitmap_Start{
		Bitmap: bm.Bitmap, Page: page,
		StartX: fit.offX, StartY: -y0, SizeX: fit.cw, SizeY: fit.ch,
		Rotate: rotate, Flags: renderFlags,
		NeedToPauseNowCallback: func() bool {
			paused = paused || ctx.Err() != nil || time.Now().After(deadline)
			return paused
		},
	})
	inst.FPDF_RenderPage_Close(&requests.FPDF_RenderPage_Close{Page: page})
	switch {
	case err != nil:
		return fail(failf(KindCorrupt, err, "the page cannot be rendered (damaged PDF)"))
	case ctx.Err() != nil:
		return fail(ctx.Err())
	case paused || st.RenderStatus == enums.FPDF_RENDER_STATUS_TOBECONTINUED:
		return fail(failf(KindTimeout, nil, "the page took longer than %v to render", timeout))
	case st.RenderStatus == enums.FPDF_RENDER_STATUS_FAILED:
		return fail(failf(KindCorrupt, nil, "the page cannot be rendered (damaged PDF)"))
	}
	buf, err := inst.FPDFBitmap_GetBuffer(&requests.FPDFBitmap_GetBuffer{Bitmap: bm.Bitmap})
	if err != nil {
		return fail(fmt.Errorf("document: PDF renderer: %w", err))
	}
	sres, err := inst.FPDFBitmap_GetStride(&requests.FPDFBitmap_GetStride{Bitmap: bm.Bitmap})
	if err != nil || sres.Stride < pageWidth || len(buf.Buffer) < sres.Stride*n {
		return fail(fmt.Errorf("document: PDF renderer returned an unexpected bitmap"))
	}
	return &gray{w: pageWidth, h: n, stride: sres.Stride, pix: buf.Buffer}, release, nil
}
