package document

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/webp"
)

// Raster images: the header is read first (image.DecodeConfig) and an image
// over the pixel budget is refused before any pixel is decoded, so a small
// file claiming 50000 × 50000 pixels costs nothing. Decoding is bounded by
// the dimensions (extra compressed data is ignored) and runs under recover,
// since a decoder bug on a hostile file must not take the server down. GIF
// gives its first frame. JPEG's EXIF orientation is applied (photos from
// phones are stored sideways).

type imageCodec struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var imageCodecs = map[Format]imageCodec{
	FormatPNG:  {png.DecodeConfig, png.Decode},
	FormatJPEG: {jpeg.DecodeConfig, jpeg.Decode},
	FormatGIF:  {gif.DecodeConfig, gif.Decode},
	FormatBMP:  {bmp.DecodeConfig, bmp.Decode},
	FormatWebP: {webp.DecodeConfig, webp.Decode},
}

// bytesPerPixel estimates the decoded size per pixel of a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK; YCbCr is at most 3
}

// checkBudget refuses images over the pixel budget, or whose decoded form
// would exceed 4 bytes per budgeted pixel (16-bit colour images thus get
// half the pixels).
func (j *job) checkBudget(w, h int, m color.Model) error {
	if w <= 0 || h <= 0 {
		return failf(KindCorrupt, nil, "the image has no pixels (%d × %d)", w, h)
	}
	px := int64(w) * int64(h)
	if px > j.opts.MaxImagePixels || px*bytesPerPixel(m) > 4*j.opts.MaxImagePixels {
		return failf(KindImageTooLarge, nil, "the image is %d × %d pixels; images may have at most %s pixels",
			w, h, megapixels(j.opts.MaxImagePixels))
	}
	return nil
}

func megapixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d million", n/1_000_000)
	}
	return fmt.Sprintf("%d", n)
}

// decodeSafely runs a decoder, turning a panic into a corrupt-file error.
func decodeSafely(decode func() (image.Image, error)) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder panic: %v", r)
		}
	}()
	return decode()
}

func (j *job) convertImage(format Format, r *io.SectionReader, size int64) error {
	codec := imageCodecs[format]
	cfg, err := codec.config(io.NewSectionReader(r, 0, size))
	if err != nil {
		return failf(KindCorrupt, err, "the %s image is damaged or truncated", formatName(format))
	}
	if err := j.checkBudget(cfg.Width, cfg.Height, cfg.ColorModel); err != nil {
		return err
	}
	img, err := decodeSafely(func() (image.Image, error) { return codec.decode(io.NewSectionReader(r, 0, size)) })
	if err != nil {
		return failf(KindCorrupt, err, "the %s image is damaged or truncated", formatName(format))
	}
	meta := readImageMeta(format, r, size)
	g := toGray(img)
	img = nil // let the colour image go before scaling
	g = orient(g, meta.orientation)
	if meta.orientation >= 5 { // the stated resolution is of the stored, unturned image
		meta.xdpi, meta.ydpi = meta.ydpi, meta.xdpi
	}
	return j.placeRaster(g, meta.xdpi, meta.ydpi)
}

func formatName(f Format) string {
	switch f {
	case FormatJPEG:
		return "JPEG"
	case FormatWebP:
		return "WebP"
	}
	return string(bytes.ToUpper([]byte(f)))
}

// placeRaster lays a grey image out on fax pages and adds them.
func (j *job) placeRaster(g *gray, xdpi, ydpi float64) error {
	whitenPaper(g)
	res := j.opts.Resolution
	fit := placeImage(g.w, g.h, xdpi, ydpi, j.opts.Paper, res)
	rs := newResampler(g, fit.rotate, fit.dx, fit.dy, fit.dw, fit.dh)
	band := newGray(pageWidth, 0)
	render := func(ctx context.Context, y0, n int) (*gray, func(), error) {
		if cap(band.pix) < pageWidth*n {
			band = newGray(pageWidth, n)
		}
		band.h, band.pix = n, band.pix[:pageWidth*n]
		band.fillWhite()
		// Each fax page gets the page timeout.
		pctx, cancel := context.WithTimeout(ctx, j.opts.PageTimeout)
		defer cancel()
		if err := rs.drawBand(pctx, band, y0); err != nil {
			if ctx.Err() == nil {
				return nil, nil, failf(KindTimeout, err, "the page took longer than %v to render", j.opts.PageTimeout)
			}
			return nil, nil, err
		}
		return band, nil, nil
	}
	return paginate(j.ctx, fit.rows, res, thresholdLinear, render, j.add)
}

// whitenPaper makes the paper of a scan white. Scanners and phone cameras
// deliver paper as light grey (200-245); left alone it would be either a
// tonal area (dithered into a speckled background) or too close to the
// text threshold. When one bright level (with its noise, ±paperSpread)
// covers at least paperShare of the image, it is taken as the paper: it
// and everything lighter become white, darker tones are stretched in
// proportion. Images without such a level (photographs, already white
// paper) are left alone. g is changed in place.
func whitenPaper(g *gray) {
	const paperSpread, paperShare = 4, 0.2
	var hist [256]int
	n := 0
	for y := 0; y < g.h; y += 2 {
		for _, v := range g.row(y) {
			hist[v]++
		}
		n += g.w
	}
	best, bestCount := 0, 0
	for v := 160; v < 256; v++ {
		c := 0
		for k := max(v-paperSpread, 0); k <= min(v+paperSpread, 255); k++ {
			c += hist[k]
		}
		if c > bestCount {
			best, bestCount = v, c
		}
	}
	if best >= 250 || float64(bestCount) < paperShare*float64(n) {
		return
	}
	white := best - paperSpread
	var lut [256]byte
	for v := range lut {
		lut[v] = byte(min(255, v*255/white))
	}
	for y := range g.h {
		r := g.row(y)
		for i, v := range r {
			r[i] = lut[v]
		}
	}
}

// imageMeta is what the file says besides its pixels.
type imageMeta struct {
	xdpi, ydpi  float64 // 0 when not stated
	orientation int     // EXIF orientation, 1 (or 0) = as stored
}

func readImageMeta(format Format, r io.ReaderAt, size int64) imageMeta {
	head := make([]byte, min(size, 256<<10))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	var m imageMeta
	switch format {
	case FormatPNG:
		m.xdpi, m.ydpi = pngDPI(head)
	case FormatJPEG:
		m = jpegMeta(head)
	case FormatBMP:
		if len(head) >= 46 && binary.LittleEndian.Uint32(head[14:18]) >= 40 {
			m.xdpi = float64(int32(binary.LittleEndian.Uint32(head[38:42]))) * 0.0254
			m.ydpi = float64(int32(binary.LittleEndian.Uint32(head[42:46]))) * 0.0254
		}
	}
	if !plausibleDPI(m.xdpi) || !plausibleDPI(m.ydpi) {
		m.xdpi, m.ydpi = 0, 0
	}
	return m
}

// plausibleDPI rejects the 0 and 1 "dpi" some writers store for "unknown".
func plausibleDPI(d float64) bool { return d >= 50 && d <= 5000 }

// pngDPI reads the pHYs chunk (pixels per metre), which precedes IDAT.
func pngDPI(b []byte) (float64, float64) {
	for i := 8; i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if typ == "IDAT" || n < 0 || i+12+n > len(b) {
			break
		}
		if typ == "pHYs" && n == 9 && b[i+16] == 1 {
			d := b[i+8:]
			return float64(binary.BigEndian.Uint32(d)) * 0.0254, float64(binary.BigEndian.Uint32(d[4:])) * 0.0254
		}
		i += 12 + n
	}
	return 0, 0
}

// jpegMeta reads JFIF density and the EXIF orientation from the markers
// before the image data.
func jpegMeta(b []byte) imageMeta {
	var m imageMeta
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			break
		}
		marker := b[i+1]
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if marker == 0xDA || n < 2 || i+2+n > len(b) {
			break
		}
		seg := b[i+4 : i+2+n]
		switch {
		case marker == 0xE0 && bytes.HasPrefix(seg, []byte("JFIF\x00")) && len(seg) >= 12:
			unit := seg[7]
			x, y := float64(binary.BigEndian.Uint16(seg[8:])), float64(binary.BigEndian.Uint16(seg[10:]))
			switch unit {
			case 1:
				m.xdpi, m.ydpi = x, y
			case 2:
				m.xdpi, m.ydpi = x*2.54, y*2.54
			}
		case marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
			m.orientation = exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return m
}

// exifOrientation reads tag 0x0112 of IFD0 of an EXIF TIFF structure.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			v := int(bo.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
		}
	}
	return 0
}

// orient applies an EXIF orientation (2-8) so the image reads upright.
func orient(g *gray, o int) *gray {
	if o < 2 || o > 8 {
		return g
	}
	w, h := g.w, g.h
	if o >= 5 {
		w, h = h, w
	}
	out := newGray(w, h)
	for y := range g.h {
		row := g.row(y)
		for x, v := range row {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = g.w-1-x, y
			case 3: // upside down
				dx, dy = g.w-1-x, g.h-1-y
			case 4:
				dx, dy = x, g.h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // stored turned left: turn right
				dx, dy = g.h-1-y, x
			case 7:
				dx, dy = g.h-1-y, g.w-1-x
			case 8: // stored turned right: turn left
				dx, dy = y, g.w-1-x
			}
			out.pix[dy*out.stride+dx] = v
		}
	}
	return out
}

// toGray converts any image to sRGB-encoded luminance, composited on white
// paper. Common layouts are converted directly; JPEG's Y plane and grey
// images are used without a copy.
func toGray(img image.Image) *gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		return &gray{w: w, h: h, stride: m.Stride, pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):]}
	case *image.YCbCr:
		return &gray{w: w, h: h, stride: m.YStride, pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):]}
	case *image.Paletted:
		lut := make([]byte, 256)
		for i := range lut {
			lut[i] = 255
		}
		for i, c := range m.Palette {
			lut[i] = lumaOf(c)
		}
		g := newGray(w, h)
		for y := range h {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.row(y)
			for x := range dst {
				dst[x] = lut[src[x]]
			}
		}
		return g
	case *image.NRGBA:
		g := newGray(w, h)
		for y := range h {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.row(y)
			for x := range dst {
				p := src[4*x : 4*x+4]
				dst[x] = lumaStraight(p[0], p[1], p[2], p[3])
			}
		}
		return g
	case *image.RGBA:
		g := newGray(w, h)
		for y := range h {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.row(y)
			for x := range dst {
				p := src[4*x : 4*x+4]
				dst[x] = lumaPremultiplied(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
			}
		}
		return g
	}
	g := newGray(w, h)
	for y := range h {
		dst := g.row(y)
		for x := range dst {
			dst[x] = lumaOf(img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return g
}

// lumaOf returns the luminance of a colour on white paper.
func lumaOf(c color.Color) byte {
	r, g, b, a := c.RGBA()
	return lumaPremultiplied(r, g, b, a)
}

// lumaPremultiplied takes 16-bit premultiplied components.
func lumaPremultiplied(r, g, b, a uint32) byte {
	if a == 0 {
		return 255
	}
	un := func(v uint32) byte { return byte(min(v*0xFFFF/a, 0xFFFF) >> 8) }
	return lumaStraight(un(r), un(g), un(b), byte(a>>8))
}

// lumaStraight computes Rec. 709 luminance in linear light, composites it
// over white by alpha, and encodes it as sRGB.
func lumaStraight(r, g, b, a byte) byte {
	l := 0.2126*srgbToLinear[r] + 0.7152*srgbToLinear[g] + 0.0722*srgbToLinear[b]
	if a != 255 {
		al := float32(a) / 255
		l = l*al + (1 - al)
	}
	return toSRGB(l)
}
