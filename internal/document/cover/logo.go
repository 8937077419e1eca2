package cover

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // logos are PNG or JPEG
	_ "image/png"
	"slices"

	"golang.org/x/image/draw"
)

// MaxLogoPixels bounds the logo's source size (width × height); scaling
// a larger image would take seconds and tens of MB for a 2-inch box.
// Branding uploads should be checked against it.
const MaxLogoPixels = 25 << 20

// DecodeLogo decodes a PNG or JPEG logo (a branding upload), refusing
// one larger than MaxLogoPixels from its header, before any pixel is
// decoded. SVG logos cannot be printed and are an error too.
func DecodeLogo(data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxLogoPixels {
		return nil, errors.New("cover: the logo has too many pixels")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err
}

// A logo is line art when a few grey levels (its paper, ink and
// perhaps one or two flat colours, whatever their lightness) cover most
// of it: the anti-aliased edges between them are a small share. Photos,
// gradients and shading spread over many levels. Line art is
// thresholded, photo-like logos are dithered.
const (
	levelBins      = 32  // histogram bins of 8 grey levels
	lineArtBins    = 4   // how many of the fullest bins may hold the flat colours
	lineArtCovered = 0.8 // share of the pixels they must hold
)

// logoInk scales img to w × h fax pixels (the caller computed them from
// the physical box, so non-square pixels are accounted for), flattens it
// on white paper and makes it bilevel: 255 = black. It reports whether
// the logo was treated as a photo.
func logoInk(img image.Image, w, h int) (*image.Alpha, bool) {
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
	// Catmull-Rom widens its kernel when shrinking, so it averages rather
	// than skips pixels (no moiré from a detailed logo), and it is smooth
	// when enlarging a small one.
	draw.CatmullRom.Scale(rgba, rgba.Bounds(), img, img.Bounds(), draw.Over, nil)
	grey := make([]int16, w*h)
	var bins [levelBins]int
	for i := range grey {
		p := rgba.Pix[4*i:]
		y := luma(p[0], p[1], p[2])
		grey[i] = int16(y)
		bins[int(y)*levelBins/256]++
	}
	out := image.NewAlpha(rgba.Bounds())
	photo := photoLike(bins[:], len(grey))
	if photo {
		diffuse(grey, w, h, out.Pix)
	} else {
		t := int16(otsu(grey))
		for i, v := range grey {
			if v < t {
				out.Pix[i] = 255
			}
		}
	}
	return out, photo
}

// luma is color.GrayModel's conversion (ITU-R BT.601 weights) for
// opaque 8-bit colour, without boxing each pixel in an interface.
func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r)*0x101 + 38470*uint32(g)*0x101 + 7471*uint32(b)*0x101 + 1<<15) >> 24)
}

// photoLike reports whether the fullest few bins of the grey histogram
// hold less than lineArtCovered of the pixels.
func photoLike(bins []int, total int) bool {
	sorted := slices.Clone(bins)
	slices.Sort(sorted)
	top := 0
	for _, n := range sorted[len(sorted)-lineArtBins:] {
		top += n
	}
	return float64(top) < lineArtCovered*float64(total)
}

// diffuse dithers grey (modified in place) by Floyd-Steinberg error
// diffusion in serpentine order, writing 255 for black to ink.
func diffuse(grey []int16, w, h int, ink []uint8) {
	for y := range h {
		dir, x0, x1 := 1, 0, w
		if y%2 == 1 {
			dir, x0, x1 = -1, w-1, -1
		}
		for x := x0; x != x1; x += dir {
			i := y*w + x
			old := grey[i]
			var e int16
			if old < 128 {
				ink[i] = 255
				e = old
			} else {
				e = old - 255
			}
			spread := func(dx, dy int, weight int16) {
				nx, ny := x+dx*dir, y+dy
				if nx >= 0 && nx < w && ny < h {
					grey[ny*w+nx] += e * weight / 16
				}
			}
			spread(1, 0, 7)
			spread(-1, 1, 3)
			spread(0, 1, 5)
			spread(1, 1, 1)
		}
	}
}

// otsu returns the grey level that best separates ink from paper
// (Otsu's method): a light flat colour on white still prints, as black.
// It is kept between 40 and 240 so that noise in a nearly blank logo is
// not picked as ink.
func otsu(grey []int16) int {
	var hist [256]float64
	for _, v := range grey {
		hist[min(max(v, 0), 255)]++
	}
	total := float64(len(grey))
	var sumAll float64
	for i, n := range hist {
		sumAll += float64(i) * n
	}
	best, bestVar := 128, -1.0
	var wB, sumB float64
	for t := range 256 {
		wB += hist[t]
		if wB == 0 || wB == total {
			continue
		}
		sumB += float64(t) * hist[t]
		mB, mF := sumB/wB, (sumAll-sumB)/(total-wB)
		if v := wB * (total - wB) * (mB - mF) * (mB - mF); v > bestVar {
			best, bestVar = t+1, v
		}
	}
	return min(max(best, 40), 240)
}
