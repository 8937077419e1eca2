package glyph

import (
	"os"
	"sync"

	"golang.org/x/image/font/sfnt"
)

// Fallback fonts are system fonts for the scripts the embedded Go fonts
// lack, used when they are installed (scripts/install-deps.sh installs
// them): DejaVu Sans (Debian fonts-dejavu-core) covers Hebrew and Arabic,
// Droid Sans Fallback (fonts-droid-fallback) Chinese and Japanese, the Noto
// fonts (fonts-noto-core) more scripts. A font missing on this system is
// skipped; a character no font has still prints as the caller's
// missing-glyph mark.
var fallbackPaths = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
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
		if f, err := sfnt.Parse(b); err == nil {
			out = append(out, f)
		}
	}
	return out
})

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
