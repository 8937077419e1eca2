package document

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestCropDebug writes crops of PNGs stacked and enlarged, for looking at
// renders side by side: FAXGATE_CROP=x0,y0,x1,y1,scale,out.png,in1.png,in2.png...
func TestCropDebug(t *testing.T) {
	spec := os.Getenv("FAXGATE_CROP")
	if spec == "" {
		t.Skip("debug helper: set FAXGATE_CROP")
	}
	p := strings.Split(spec, ",")
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	r := image.Rect(n(p[0]), n(p[1]), n(p[2]), n(p[3]))
	k := n(p[4])
	ins := p[6:]
	out := image.NewGray(image.Rect(0, 0, r.Dx()*k, (r.Dy()*k+4)*len(ins)))
	for i := range out.Pix {
		out.Pix[i] = 128
	}
	for i, in := range ins {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < r.Dy()*k; y++ {
			for x := 0; x < r.Dx()*k; x++ {
				c := color.GrayModel.Convert(img.At(r.Min.X+x/k, r.Min.Y+y/k)).(color.Gray)
				out.SetGray(x, i*(r.Dy()*k+4)+y, c)
			}
		}
	}
	o, _ := os.Create(p[5])
	png.Encode(o, out)
	o.Close()
}
