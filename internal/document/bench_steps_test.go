package document

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"faxgate/internal/faxtiff"
)

// mutoolGrey renders page 1 of pdf with mutool at fine into the grey the
// converter reads (same arguments as the converter, plus extra).
func mutoolGrey(tb testing.TB, pdf []byte, extra ...string) *gray {
	mutool := tool("", "mutool")
	if mutool == "" {
		tb.Skip("mutool is not installed")
	}
	in := filepath.Join(tb.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	fit := fitSheet(210, 297, faxtiff.Fine)
	args := append([]string{"draw", "-q", "-o", "-", "-F", "pgm", "-c", "gray", "-l", "1",
		"-w", strconv.Itoa(fit.cw), "-h", strconv.Itoa(fit.ch), "-f"}, extra...)
	out, err := exec.Command(mutool, append(args, in, "1")...).Output()
	if err != nil {
		tb.Fatal(err)
	}
	w := &mutoolWorker{j: &job{opts: Options{Resolution: faxtiff.Fine}}}
	g, err := w.readPage(bufio.NewReader(bytes.NewReader(out)), fit)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// BenchmarkPageSteps times the per-page steps of a mutool conversion on
// page 1 of the benchmark PDFs: binarising mutool's grey and T.6-coding
// the result. "text" is rendered anti-aliased, "text-sharp" as the
// converter renders a PDF without images (-A 0 -D).
func BenchmarkPageSteps(b *testing.B) {
	text, photos := benchFiles(b)
	for _, doc := range []struct {
		name  string
		pdf   []byte
		extra []string
	}{{"text", text, nil}, {"text-sharp", text, []string{"-A", "0", "-D"}}, {"photo", photos, nil}} {
		g := mutoolGrey(b, doc.pdf, doc.extra...)
		p := faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)
		binarize(g, thresholdRender, p)
		b.Run(doc.name+"/binarize", func(b *testing.B) {
			q := faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)
			defer cpuPerOp(b)()
			for b.Loop() {
				clear(q.Pix)
				binarize(g, thresholdRender, q)
			}
		})
		b.Run(doc.name+"/encode", func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				faxtiff.EncodeG4(p)
			}
		})
		// Both, the coding following the binarisation in a second
		// goroutine (as a worker does with Options.Encoded): ns/op is the
		// time a page takes when a second core is free.
		b.Run(doc.name+"/binarize+encode", func(b *testing.B) {
			q := faxtiff.NewPage(pageWidth, g.h, faxtiff.Fine)
			defer cpuPerOp(b)()
			for b.Loop() {
				clear(q.Pix)
				binarizeEncode(g, q)
			}
		})
	}
}

// cpuPerOp reports the process's CPU time per iteration (a shared machine
// inflates wall time more than CPU time); call its result when the loop
// ends.
func cpuPerOp(b *testing.B) func() {
	c0 := selfCPU()
	return func() {
		b.ReportMetric(float64((selfCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// TestBinarizeEncode: binarising and coding side by side gives the pages
// and the T.6 data of doing one after the other, on a page of photograph,
// text and paper at every resolution.
func TestBinarizeEncode(t *testing.T) {
	g := newGray(pageWidth, 1000)
	g.fillWhite()
	ph := toGray(benchPhoto(400, 500, 2))
	newResampler(ph, false, 100, 100, 400, 500).drawBand(context.Background(), g, 0)
	for y := 700; y < 760; y++ {
		for x := 200; x < 1500; x += 5 {
			g.pix[y*g.stride+x] = byte(x + y)
		}
	}
	for _, res := range []faxtiff.Resolution{faxtiff.Standard, faxtiff.Fine, faxtiff.Superfine} {
		want := faxtiff.NewPage(pageWidth, g.h, res)
		binarize(g, thresholdRender, want)
		got := faxtiff.NewPage(pageWidth, g.h, res)
		enc := binarizeEncode(g, got)
		if d := faxtiff.Equal(got, want); d != 0 {
			t.Fatalf("resolution %d: %d pixels differ", res, d)
		}
		if !bytes.Equal(enc.Data, faxtiff.EncodeG4(want)) || enc.Height != g.h || enc.YDPI != want.YDPI {
			t.Fatalf("resolution %d: coded differently", res)
		}
	}
}

// TestCountTonalMatchesPixels checks the eight-at-a-time tile statistics
// against the pixel rule on random rows.
func TestCountTonalMatchesPixels(t *testing.T) {
	rnd := xorshift(7)
	next := func() byte {
		v := rnd()
		switch v % 4 {
		case 0:
			return byte(v >> 8)
		case 1:
			return byte(int(v>>8) % 40) // around tonalLo
		case 2:
			return byte(200 + int(v>>8)%56) // around tonalHi and the wrap of n+δ
		}
		return byte(100 + int(v>>8)%40)
	}
	const w = 24
	for range 200000 {
		var rows [3][w]byte
		for i := range rows {
			for x := range rows[i] {
				rows[i][x] = next()
			}
		}
		row, up, down := rows[1][:], rows[0][:], rows[2][:]
		x := 8
		v := binary.LittleEndian.Uint64(row[x:])
		var got, want tileStats
		countTonal(&got, v, tonalMask(v), row, up, down, x)
		for k := range 8 {
			p := row[x+k]
			if !tonal(p) {
				continue
			}
			l, r, u, d := row[x+k-1], row[x+k+1], up[x+k], down[x+k]
			want.tonal++
			if tonal(l) && tonal(r) && tonal(u) && tonal(d) {
				want.interior++
			}
			if vi := int(p); near(vi, l) && near(vi, r) && near(vi, u) && near(vi, d) {
				want.smoothTonal++
			}
		}
		if got != want {
			t.Fatalf("rows %v: countTonal %+v, pixels %+v", rows, got, want)
		}
	}
}
