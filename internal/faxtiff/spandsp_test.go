package faxtiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// spandspRelay is a small C program (written for this test) that does
// what a fax call does to a document, minus the modems: spandsp 0.0.6's
// T.4 transmit context opens the TIFF (through libtiff) and codes each page
// for the line, and its T.4 receive context decodes that line data and
// stores the pages in a new TIFF, as t30 does on receive.
//
// usage: relay in.tif out.tif line-coding stored-coding
// codings: 1 = T.4 1D, 2 = T.4 2D, 3 = T.6
const spandspRelay = `
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <spandsp.h>

int main(int argc, char **argv)
{
    t4_tx_state_t *tx;
    t4_rx_state_t *rx;
    t4_stats_t st;
    uint8_t buf[512];
    int line, pages, page, n;

    if (argc != 5)
        return 2;
    line = atoi(argv[3]);
    if ((tx = t4_tx_init(NULL, argv[1], -1, -1)) == NULL) {
        fprintf(stderr, "t4_tx_init cannot open %s\n", argv[1]);
        return 1;
    }
    if ((rx = t4_rx_init(NULL, argv[2], atoi(argv[4]))) == NULL) {
        fprintf(stderr, "t4_rx_init cannot create %s\n", argv[2]);
        return 1;
    }
    pages = t4_tx_get_pages_in_file(tx);
    printf("pages %d\n", pages);
    for (page = 0; page < pages; page++) {
        t4_tx_set_tx_encoding(tx, line);
        t4_tx_set_min_bits_per_row(tx, 0);
        if (t4_tx_start_page(tx)) {
            fprintf(stderr, "t4_tx_start_page %d failed\n", page);
            return 1;
        }
        printf("page %d width %d xres %d yres %d\n", page, t4_tx_get_image_width(tx),
               t4_tx_get_x_resolution(tx), t4_tx_get_y_resolution(tx));
        t4_rx_set_rx_encoding(rx, line);
        t4_rx_set_image_width(rx, t4_tx_get_image_width(tx));
        t4_rx_set_x_resolution(rx, t4_tx_get_x_resolution(tx));
        t4_rx_set_y_resolution(rx, t4_tx_get_y_resolution(tx));
        t4_rx_set_far_ident(rx, "+1 555 0100");
        if (t4_rx_start_page(rx)) {
            fprintf(stderr, "t4_rx_start_page %d failed\n", page);
            return 1;
        }
        do {
            n = t4_tx_get_chunk(tx, buf, sizeof(buf));
            if (n > 0)
                t4_rx_put_chunk(rx, buf, n);
        } while (n == (int) sizeof(buf));
        t4_rx_end_page(rx);
        t4_rx_get_transfer_statistics(rx, &st);
        printf("rx page %d rows %d bad %d\n", page, st.length, st.bad_rows);
        t4_tx_end_page(tx);
    }
    t4_rx_release(rx);
    t4_rx_free(rx);
    t4_tx_release(tx);
    t4_tx_free(tx);
    return 0;
}
`

// buildRelay compiles spandspRelay, or skips the test when there is no C
// compiler or no libspandsp-dev.
func buildRelay(t *testing.T) string {
	t.Helper()
	needTool(t, "gcc", "gcc")
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "relay.c"), filepath.Join(dir, "relay")
	if err := os.WriteFile(src, []byte(spandspRelay), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("gcc", "-O1", "-o", bin, src, "-lspandsp", "-ltiff", "-lm").CombinedOutput()
	if err != nil && strings.Contains(string(out), "spandsp.h: No such file") {
		t.Skip("spandsp headers not installed (Debian package libspandsp-dev)")
	}
	if err != nil {
		t.Fatalf("building the spandsp relay: %v\n%s", err, out)
	}
	return bin
}

// TestSpandspRelay: spandsp 0.0.6 must send our files exactly (every
// pixel, the resolution, the width), and we must read what it stores on
// receive, in both stored codings it offers and after each line coding.
func TestSpandspRelay(t *testing.T) {
	relay := buildRelay(t)
	dir := t.TempDir()
	pages := []*Page{
		textPage(WidthA4, Fine.A4Rows(), Fine, 2, 3),
		errorDiffusionPage(WidthA4, 300),
		runsPage(WidthA4),
		everyRunPage(WidthB4),
		edgePage(WidthA3, 40),
	}
	pages[1].YDPI = Standard.LPI()
	pages[3].YDPI = Superfine.LPI()
	in := filepath.Join(dir, "in.tif")
	if err := WriteFile(in, pages); err != nil {
		t.Fatal(err)
	}
	// spandsp's codes for Standard, Fine, Superfine in pels per metre.
	wantYRes := map[Resolution]string{Standard: "3850", Fine: "7700", Superfine: "15400"}
	for _, c := range []struct{ name, line, stored string }{
		{"T6-line-T42D-stored", "3", "2"}, // t30 with ECM and MMR, default rx storage
		{"T42D-line-T6-stored", "2", "3"}, // our engine's rx setting
		{"T41D-line-T41D-stored", "1", "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".tif")
			res, err := exec.Command(relay, in, out, c.line, c.stored).CombinedOutput()
			if err != nil {
				t.Fatalf("relay: %v\n%s", err, res)
			}
			log := string(res)
			if !strings.Contains(log, "pages 5\n") {
				t.Errorf("spandsp sees the wrong page count:\n%s", log)
			}
			for i, p := range pages {
				want := "page " + strconv.Itoa(i) + " width " + strconv.Itoa(p.Width) + " xres 8031 yres " + wantYRes[p.Resolution()]
				if !strings.Contains(log, want) {
					t.Errorf("spandsp log lacks %q:\n%s", want, log)
				}
				if !strings.Contains(log, "rx page "+strconv.Itoa(i)+" rows "+strconv.Itoa(p.Height)+" bad 0") {
					t.Errorf("page %d: spandsp did not receive %d good rows:\n%s", i+1, p.Height, log)
				}
			}
			got, err := ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(pages) {
				t.Fatalf("%d pages received, want %d", len(got), len(pages))
			}
			for i := range pages {
				if d := Equal(pages[i], got[i]); d != 0 {
					t.Errorf("page %d: %d pixels differ after spandsp (first at %s)", i+1, d, firstDiff(pages[i], got[i]))
				}
				if got[i].Resolution() != pages[i].Resolution() {
					t.Errorf("page %d: received at %v, sent at %v", i+1, got[i].Resolution(), pages[i].Resolution())
				}
			}
			if _, err := Validate(out); err != nil {
				t.Errorf("the received file does not validate: %v", err)
			}
		})
	}
}

// TestSpandspSendsWhatValidateAccepts: for files from other writers that
// Validate accepts, spandsp must send exactly the pixels Read returns
// (photometric, fill order, strips and general-purpose compressions are
// interpreted alike).
func TestSpandspSendsWhatValidateAccepts(t *testing.T) {
	relay := buildRelay(t)
	dir := t.TempDir()
	page := textPage(WidthA4, 400, Fine, 1, 2)
	files := map[string][]byte{}
	for name, o := range map[string]rawOpts{
		"raw-minisblack":      {minIsBlack: true},
		"raw-lsb-strips":      {fillOrder2: true, rowsPerStrip: 7},
		"packbits-minisblack": {packBits: true, minIsBlack: true, rowsPerStrip: 64},
		"raw-200x200-dpi":     {xdpi: 200, ydpi: 200},
	} {
		b := newBuilder(name == "packbits-minisblack")
		b.addRaw(page, o)
		files[name] = b.bytes()
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			in, out := filepath.Join(dir, name+".tif"), filepath.Join(dir, name+"-rx.tif")
			if err := os.WriteFile(in, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Validate(in); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			want, err := ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := exec.Command(relay, in, out, "3", "3").CombinedOutput(); err != nil {
				t.Fatalf("relay: %v\n%s", err, res)
			}
			got, err := ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if d := Equal(want[0], got[0]); d != 0 {
				t.Errorf("spandsp sent %d pixels that differ from what Read returns", d)
			}
		})
	}
}
