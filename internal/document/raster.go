package document

import (
	"context"
	"math"
)

// gray is an 8-bit greyscale raster in sRGB encoding (0 = black, 255 =
// paper white). pix may be a view into the PDF renderer's memory, valid
// only until the renderer's release function runs.
type gray struct {
	w, h, stride int
	pix          []byte
}

func newGray(w, h int) *gray {
	return &gray{w: w, h: h, stride: w, pix: make([]byte, w*h)}
}

// row returns the w bytes of row y.
func (g *gray) row(y int) []byte { return g.pix[y*g.stride : y*g.stride+g.w] }

// fillWhite sets every pixel to paper white.
func (g *gray) fillWhite() {
	for y := range g.h {
		r := g.row(y)
		for i := range r {
			r[i] = 255
		}
	}
}

// Scaling is done in linear light: averaging sRGB-encoded values would make
// thin dark strokes too dark and mid-tones too dark after downsampling (a
// black/white checkerboard must become 50 % reflectance, sRGB 188, not 128).
var (
	srgbToLinear [256]float32
	linearToSRGB [linLevels + 1]uint8
)

// linLevels is the resolution of the linear-to-sRGB table; 4096 steps keep
// the dark end (where sRGB is steep) within one output level.
const linLevels = 4096

func init() {
	for i := range srgbToLinear {
		srgbToLinear[i] = float32(decodeSRGB(float64(i) / 255))
	}
	for i := range linearToSRGB {
		linearToSRGB[i] = uint8(math.Round(encodeSRGB(float64(i)/linLevels) * 255))
	}
}

// decodeSRGB is the sRGB transfer function (IEC 61966-2-1), encoded to linear.
func decodeSRGB(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// encodeSRGB is the inverse of decodeSRGB.
func encodeSRGB(l float64) float64 {
	if l <= 0.0031308 {
		return l * 12.92
	}
	return 1.055*math.Pow(l, 1/2.4) - 0.055
}

// toSRGB converts a linear value in [0, 1] to an sRGB byte.
func toSRGB(l float32) uint8 {
	i := int(l*linLevels + 0.5)
	if i < 0 {
		i = 0
	} else if i > linLevels {
		i = linLevels
	}
	return linearToSRGB[i]
}

// axisWeights lists, for every destination index along one axis, the
// source indices that contribute to it and their weights (summing to 1).
type axisWeights struct {
	first []int32   // first contributing source index
	count []int32   // number of contributors
	off   []int32   // offset of the contributors' weights in w
	w     []float32 // weights
}

// makeWeights maps srcN source samples onto dstN destination samples.
// Downscaling is an area average (a box filter as wide as one destination
// pixel): every source pixel contributes exactly its overlap, so nothing
// thin disappears and nothing aliases. Upscaling is a linear (tent)
// interpolation, which is smoother than repeating pixels.
func makeWeights(srcN, dstN int) axisWeights {
	aw := axisWeights{first: make([]int32, dstN), count: make([]int32, dstN), off: make([]int32, dstN)}
	scale := float64(srcN) / float64(dstN)
	for i := range dstN {
		aw.off[i] = int32(len(aw.w))
		if scale >= 1 {
			a, b := float64(i)*scale, float64(i+1)*scale
			j0, j1 := int(a), int(math.Ceil(b))
			if j1 > srcN {
				j1 = srcN
			}
			aw.first[i] = int32(j0)
			for j := j0; j < j1; j++ {
				ov := math.Min(b, float64(j+1)) - math.Max(a, float64(j))
				aw.w = append(aw.w, float32(ov/scale))
			}
			aw.count[i] = int32(j1 - j0)
			continue
		}
		pos := (float64(i)+0.5)*scale - 0.5
		j0 := int(math.Floor(pos))
		f := pos - float64(j0)
		switch {
		case j0 < 0:
			aw.first[i], aw.count[i] = 0, 1
			aw.w = append(aw.w, 1)
		case j0+1 >= srcN:
			aw.first[i], aw.count[i] = int32(srcN-1), 1
			aw.w = append(aw.w, 1)
		default:
			aw.first[i], aw.count[i] = int32(j0), 2
			aw.w = append(aw.w, float32(1-f), float32(f))
		}
	}
	return aw
}

// resampler draws a source plane, optionally turned a quarter clockwise,
// into a destination rectangle, in linear light. It works band by band so a
// tall destination never needs to exist in memory at once.
type resampler struct {
	src    *gray
	rotate bool // turn the source 90° clockwise first
	sw, sh int  // source size after rotation
	dx, dy int  // destination rectangle origin (page coordinates)
	dw, dh int  // destination rectangle size
	xw, yw axisWeights

	// Horizontally resampled source rows, linear light, cached by index.
	cache     map[int][]float32
	spare     [][]float32
	srcRowBuf []byte
}

func newResampler(src *gray, rotate bool, dx, dy, dw, dh int) *resampler {
	r := &resampler{src: src, rotate: rotate, dx: dx, dy: dy, dw: dw, dh: dh, cache: map[int][]float32{}}
	r.sw, r.sh = src.w, src.h
	if rotate {
		r.sw, r.sh = src.h, src.w
	}
	r.xw = makeWeights(r.sw, dw)
	r.yw = makeWeights(r.sh, dh)
	r.srcRowBuf = make([]byte, r.sw)
	return r
}

// sourceRow returns row y of the (rotated) source.
func (r *resampler) sourceRow(y int) []byte {
	if !r.rotate {
		return r.src.row(y)
	}
	// Clockwise: rotated (x, y) is source (y, H-1-x).
	b := r.srcRowBuf
	h := r.src.h
	for x := range b {
		b[x] = r.src.pix[(h-1-x)*r.src.stride+y]
	}
	return b
}

// hrow returns source row y resampled to the destination width, in linear
// light, from the cache.
func (r *resampler) hrow(y int) []float32 {
	if row, ok := r.cache[y]; ok {
		return row
	}
	var out []float32
	if n := len(r.spare); n > 0 {
		out, r.spare = r.spare[n-1], r.spare[:n-1]
	} else {
		out = make([]float32, r.dw)
	}
	src := r.sourceRow(y)
	xw := r.xw
	for i := range out {
		f, c, o := int(xw.first[i]), int(xw.count[i]), int(xw.off[i])
		var s float32
		for k := range c {
			s += xw.w[o+k] * srgbToLinear[src[f+k]]
		}
		out[i] = s
	}
	r.cache[y] = out
	return out
}

// evictBelow drops cached rows that no later destination row needs.
func (r *resampler) evictBelow(y int) {
	for k, v := range r.cache {
		if k < y {
			r.spare = append(r.spare, v)
			delete(r.cache, k)
		}
	}
}

// drawBand renders page rows [y0, y0+dst.h) of the rectangle into dst,
// which must already be white; dst.w is the page width. It stops with
// ctx's error when ctx ends (checked every 64 rows).
func (r *resampler) drawBand(ctx context.Context, dst *gray, y0 int) error {
	acc := make([]float32, r.dw)
	for by := range dst.h {
		if by&63 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ry := y0 + by - r.dy
		if ry < 0 || ry >= r.dh {
			continue
		}
		clear(acc)
		f, c, o := int(r.yw.first[ry]), int(r.yw.count[ry]), int(r.yw.off[ry])
		r.evictBelow(f)
		for k := range c {
			wk := r.yw.w[o+k]
			for i, v := range r.hrow(f + k) {
				acc[i] += wk * v
			}
		}
		out := dst.row(by)
		for i, v := range acc {
			x := r.dx + i
			if x >= 0 && x < dst.w {
				out[x] = toSRGB(v)
			}
		}
	}
	return nil
}
