package document

import (
	"bytes"
	"strings"
	"testing"
)

func TestScanPDFNames(t *testing.T) {
	pad := strings.Repeat("x", 1<<20-3) // puts the next name across the first chunk's end
	tests := []struct {
		name string
		pdf  string
		want pdfNames
	}{
		{"plain", "<< /Type /Page /MediaBox [0 0 612 792] >>", pdfNames{}},
		{"annots", "<< /Type /Page /Annots [5 0 R] >>", pdfNames{annots: true}},
		{"escaped annots", "<< /Type /Page /Ann#6Fts [5 0 R] >>", pdfNames{annots: true}},
		{"escaped first letter", "<< /Type /Page /#41nnots [5 0 R] >>", pdfNames{annots: true}},
		{"object stream", "<< /Type /ObjStm /N 3 >>", pdfNames{annots: true}},
		{"escaped object stream", "<< /Type /Obj#53tm /N 3 >>", pdfNames{annots: true}},
		{"other escaped name", "<< /Type /Page /Font#20Name 3 >>", pdfNames{}},
		{"hash outside names", "(#41nnots) 0 0 #6F", pdfNames{}},
		{"longer name", "/AnnotsX /Images", pdfNames{}},
		{"across chunks", pad + "/Annots [1 0 R]", pdfNames{annots: true}},
		{"escaped across chunks", pad + " /Ann#6Fts [1 0 R]", pdfNames{annots: true}},
		{"benchmark text", string(textPDF(2)), pdfNames{}},
		{"image", "<< /Type /XObject /Subtype /Image /Width 3 >>", pdfNames{images: true}},
		{"image, no spaces", "<</Type/XObject/Subtype/Image/Width 3>>", pdfNames{images: true}},
		{"escaped image", "<< /Subtype /Im#61ge >>", pdfNames{images: true}},
		{"procset only", "<< /ProcSet [/PDF /Text /ImageB /ImageC /ImageI] >>", pdfNames{}},
		{"image and annots", "/Annots [1 0 R] /Subtype /Image", pdfNames{annots: true, images: true}},
	}
	for _, tc := range tests {
		if got := scanPDFNames(bytes.NewReader([]byte(tc.pdf)), int64(len(tc.pdf))); got != tc.want {
			t.Errorf("%s: scanPDFNames = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
