package glyph

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"

	"golang.org/x/image/font/sfnt"
)

// Fallback fonts are system fonts for the scripts the embedded Go fonts
// lack, used when they are installed (scripts/install-deps.sh installs
// them): DejaVu Sans (Debian fonts-dejavu-core) covers Hebrew and Arabic
// (with the Arabic presentation forms Shape uses), Droid Sans Fallback
// (fonts-droid-fallback) Chinese and Japanese, WenQuanYi Micro Hei
// (fonts-wqy-microhei, 5 MB) Korean Hangul as well as Chinese and
// Japanese, the Noto fonts (fonts-noto-core) more scripts. A font missing
// on this system is skipped; a character no font has still prints as the
// caller's missing-glyph mark.
var fallbackPaths = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
}

// maxFontBytes skips anything too large to be a font file worth reading.
const maxFontBytes = 64 << 20

// fallbacks are the installed fallback fonts, parsed once per process. A
// parsed sfnt.Font is read-only and safe for concurrent use (each caller has
// its own sfnt.Buffer): a cache of constants, not state.
var fallbacks = sync.OnceValue(func() []*sfnt.Font {
	var out []*sfnt.Font
	for _, p := range fallbackPaths {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Size() > maxFontBytes {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if f, err := parseFont(b); err == nil {
			out = append(out, f)
		}
	}
	return out
})

// parseFont parses a TrueType or OpenType font, or the first font of a
// collection (.ttc). x/image/font/sfnt insists that tables start on 4-byte
// boundaries, as the specification asks; some fonts (WenQuanYi Micro Hei)
// pack them unaligned, so such a font is copied into a fresh,
// aligned file first.
func parseFont(b []byte) (*sfnt.Font, error) {
	if strings.HasPrefix(string(b[:min(4, len(b))]), "ttcf") {
		if len(b) < 16 {
			return nil, errors.New("short font collection")
		}
		off := binary.BigEndian.Uint32(b[12:]) // the first font's table directory
		aligned, err := realign(b, int64(off))
		if err != nil {
			return nil, err
		}
		return sfnt.Parse(aligned)
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		if aligned, err2 := realign(b, 0); err2 == nil {
			return sfnt.Parse(aligned)
		}
	}
	return f, err
}

// realign copies the font whose table directory is at off in b into a
// standalone font file with every table on a 4-byte boundary.
func realign(b []byte, off int64) ([]byte, error) {
	be := binary.BigEndian
	if off < 0 || off+12 > int64(len(b)) {
		return nil, errors.New("font directory out of range")
	}
	n := int(be.Uint16(b[off+4:]))
	dir := off + 12
	if n == 0 || n > 256 || dir+int64(n)*16 > int64(len(b)) {
		return nil, errors.New("bad font table count")
	}
	head := 12 + 16*n
	size := head
	for i := range n {
		e := b[dir+int64(i)*16:]
		o, l := int64(be.Uint32(e[8:])), int64(be.Uint32(e[12:]))
		if o+l > int64(len(b)) {
			return nil, errors.New("font table out of range")
		}
		size += int(l+3) &^ 3
	}
	out := make([]byte, head, size)
	copy(out, b[off:off+12])
	pos := head
	for i := range n {
		e := b[dir+int64(i)*16:]
		o, l := int64(be.Uint32(e[8:])), int64(be.Uint32(e[12:]))
		d := out[12+16*i:]
		copy(d, e[:16])
		be.PutUint32(d[8:], uint32(pos))
		out = append(out, b[o:o+l]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		pos = len(out)
	}
	return out, nil
}

// Fallback returns the first installed fallback font with a glyph for r
// and that glyph, or nil.
func Fallback(buf *sfnt.Buffer, r rune) (*sfnt.Font, sfnt.GlyphIndex) {
	for _, f := range fallbacks() {
		if gi, err := f.GlyphIndex(buf, r); err == nil && gi != 0 {
			return f, gi
		}
	}
	return nil, 0
}
