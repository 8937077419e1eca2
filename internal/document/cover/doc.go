// Package cover draws fax cover pages in pure Go, straight onto the fax
// pixel grid, with the Go fonts embedded in the binary.
//
// A page has a header (the tenant's logo and company name), a large
// "FAX" title, the recipient and sender blocks, date and page count, the
// subject, free-form comments and an optional footer line. Every field may
// be empty or arbitrarily long: text wraps inside its box and is cut with
// an ellipsis where the box ends, so nothing ever runs off the page. Only
// the To and From blocks grow (to at most a few lines) with their
// content; one field more or less in the shorter block moves nothing.
//
// # Rendering
//
// Text is set in points and each glyph's outline is scaled to the fax's
// pixels separately along x (204 dpi) and y (98, 196 or 391 lpi), then
// rasterised with anti-aliasing (x/image/vector) into an ink-coverage
// buffer. The buffer is binarised once at the end at half coverage:
// thresholding keeps text edges sharp where dithering would fray them.
// Baselines sit on whole rows and rules snap to whole pixels, so every
// line of a style binarises alike; at 98 lpi text of 8.5 pt and up keeps
// its thin strokes and the gaps under i-dots (a lower threshold closes
// those, a higher one drops hairlines).
//
// The logo is scaled to its box with Catmull-Rom, flattened on white,
// and then either thresholded at Otsu's level (line art: a few flat grey
// levels cover most of it, so a pale flat colour still prints as ink) or
// dithered by Floyd-Steinberg error diffusion (photos, gradients and
// shading, which a threshold would turn into blotches).
//
// # Page count
//
// Cover.Pages is the number of document pages. By default the page shows
// Pages+1 "(including cover)", the usual convention; set ExcludeCover to
// show Pages "(excluding cover)".
package cover
