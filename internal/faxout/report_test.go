package faxout_test

import (
	"bytes"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	_ "image/png"

	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// TestTransmissionReport makes the reports of a delivered and a failed fax
// through the whole chain and checks them as a PDF reader sees them
// (poppler renders the page), plus visibility and the not-final conflict.
func TestTransmissionReport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(*testing.T) *store.Store) {
		e := newEnv(t, open(t), envOptions{})
		doc := e.doc(t, e.w.UserA, 2)
		ok := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550100", 0).ID, nil)
		busy := e.wait(t, e.submit(t, e.w.UserAActor, doc, "+12025550486", 0).ID, nil)
		if ok.Status != model.FaxDelivered || busy.Status != model.FaxFailed {
			t.Fatalf("faxes %s %s", ok.Status, busy.Status)
		}
		later, _, err := e.svc.Submit(e.ctx, e.w.UserAActor, faxout.SubmitInput{To: "+12025550100",
			DocumentID: doc.ID, Source: model.SourceAPI, SendAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}

		// A received fax, as faxin stores it: the report shows its first page too.
		key := "t/" + e.w.A.ID + "/rx/test/fax.tif"
		if _, err := e.blobs.Put(e.ctx, key, bytes.NewReader(tiffBytes(t, 1))); err != nil {
			t.Fatal(err)
		}
		in := model.InboundFax{Fax: model.Fax{TenantID: e.w.A.ID, UserID: e.w.UserA.ID, Status: model.FaxReceived,
			Source: model.SourceSIP, To: "+12025550150", CallerID: "+14155550123", Pages: 1, NextTry: 1, NextLeg: 1,
			CompletedAt: time.Now()}, FileKey: key}
		if err := e.st.InsertInboundFax(e.ctx, &in); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name  string
			actor model.Actor
			id    string
			want  error
		}{
			{"received fax", e.w.UserAActor, in.ID, nil},
			{"received fax, other tenant", e.w.TenantBActor, in.ID, model.ErrNotFound},
			{"sender", e.w.UserAActor, ok.ID, nil},
			{"tenant admin", e.w.TenantAActor, busy.ID, nil},
			{"platform admin", e.w.AdminActor, ok.ID, nil},
			{"other tenant", e.w.TenantBActor, ok.ID, model.ErrNotFound},
			{"other tenant's user", e.w.UserBActor, busy.ID, model.ErrNotFound},
			{"garbage id", e.w.UserAActor, "fax_../../etc", model.ErrNotFound},
			{"not final", e.w.UserAActor, later.ID, model.ErrConflict},
		}
		pdfs := map[string][]byte{}
		for _, tc := range tests {
			b, err := e.svc.TransmissionReport(e.ctx, tc.actor, tc.id)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			pdfs[tc.id] = b
		}
		for id, b := range pdfs {
			checkReportPDF(t, id, b)
		}
		if bytes.Equal(pdfs[ok.ID], pdfs[busy.ID]) {
			t.Error("the delivered and the failed fax have the same report")
		}
	})
}

// checkReportPDF renders the report with poppler: one A4 page at fine
// resolution (the page image is embedded at 204 × 196 dpi), ink in the
// title band and in the first-page thumbnail, white margins.
func checkReportPDF(t *testing.T, id string, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s: not a PDF: %q", id, b[:min(len(b), 16)])
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", in).CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^Pages:\s+1$`).Match(info) ||
		!regexp.MustCompile(`(?m)^Producer:\s+faxgate$`).Match(info) {
		t.Fatalf("%s: pdfinfo: %v\n%s", id, err, info)
	}
	if out, err := exec.Command("pdftoppm", "-r", "204", "-png", "-singlefile", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if d := os.Getenv("FAXGATE_REPORT_OUT"); d != "" {
		_ = os.WriteFile(filepath.Join(d, id+".pdf"), b, 0o644)
	}
	f, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bnd := img.Bounds()
	if bnd.Dx() < 1720 || bnd.Dx() > 1736 || bnd.Dy() < 2370 || bnd.Dy() > 2400 {
		t.Fatalf("%s: page %v, want about 1728 × 2385 at 204 dpi (A4)", id, bnd)
	}
	ink := func(r image.Rectangle) int {
		r, n := r.Intersect(bnd), 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if g, _, _, _ := img.At(x, y).RGBA(); g < 0x8000 {
					n++
				}
			}
		}
		return n
	}
	for _, c := range []struct {
		name     string
		r        image.Rectangle
		min, max int
	}{
		{"top margin", image.Rect(0, 0, 1728, 100), 0, 0},
		{"left margin", image.Rect(0, 0, 90, 2385), 0, 0},
		{"title", image.Rect(110, 130, 1000, 200), 5000, 60000},
		{"thumbnail", image.Rect(1110, 400, 1610, 1100), 3000, 350000},
	} {
		if n := ink(c.r); n < c.min || n > c.max {
			t.Errorf("%s: %d black pixels in the %s %v, want %d..%d", id, n, c.name, c.r, c.min, c.max)
		}
	}
}
