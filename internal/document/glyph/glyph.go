// Package glyph holds what plain-text pages (package document) and cover
// pages (package cover) share for drawing text: the outline loop that draws
// font outlines straight onto the fax pixel grid (callers map font units to
// pixels themselves, with separate scales across and down, since fax pixels
// are not square), the system fallback fonts for scripts the embedded Go
// fonts lack (with Korean from a TrueType collection), Arabic shaping
// (contextual letter forms, arabic.go) and the bidirectional reordering of
// Hebrew and Arabic lines (bidi.go).
package glyph

import (
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Add adds a glyph's outline (sfnt.Font.LoadGlyph segments, y down) to z,
// mapping every point through pt, and closes the path.
func Add(z *vector.Rasterizer, segs sfnt.Segments, pt func(fixed.Point26_6) (float32, float32)) {
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			bx, by := pt(s.Args[0])
			cx, cy := pt(s.Args[1])
			z.QuadTo(bx, by, cx, cy)
		case sfnt.SegmentOpCubeTo:
			bx, by := pt(s.Args[0])
			cx, cy := pt(s.Args[1])
			dx, dy := pt(s.Args[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	z.ClosePath()
}
