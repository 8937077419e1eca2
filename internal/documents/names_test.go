package documents

import (
	"strings"
	"testing"

	"faxgate/internal/blob"
	"faxgate/internal/model"
)

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{`C:\Users\eve\Desktop\scan 1.png`, "scan 1.png"},
		{"/etc/passwd", "passwd"},
		{"../../secret.txt", "secret.txt"},
		{"..", "file 3"},
		{"", "file 3"},
		{"/", "file 3"},
		{"  \t ", "file 3"},
		{"a\x00b\r\nc.txt", "abc.txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"\u202efdp.exe", "fdp.exe"}, // no right-to-left override spoofing "exe.pdf"
		{strings.Repeat("ä", 150), strings.Repeat("ä", 100)},
	}
	for _, tc := range tests {
		if got := cleanFilename(tc.in, 3); got != tc.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Price list", "Price_list"},
		{"Ärzte-Liste (2030)", "Ärzte-Liste_(2030)"},
		{"../../etc/passwd", "etc_passwd"},
		{`a"b;c\r\n`, `a_b_c_r_n`},
		{"\u202egnp.exe", "gnp.exe"},
		{"...", "document"},
		{"", "document"},
		{strings.Repeat("x", 200), strings.Repeat("x", 80)},
	}
	for _, tc := range tests {
		if got := safeName(tc.in); got != tc.want {
			t.Errorf("safeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanContentType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"application/PDF", "application/pdf"},
		{"text/plain; charset=utf-8", "text/plain"},
		{"", ""},
		{"not a type;;", ""},
	}
	for _, tc := range tests {
		if got := cleanContentType(tc.in); got != tc.want {
			t.Errorf("cleanContentType(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestKeys: every key the service makes is a valid blob key and stays in
// the document's folder.
func TestKeys(t *testing.T) {
	d := model.Document{ID: model.NewID(model.PrefixDocument), TenantID: model.NewID(model.PrefixTenant), Revision: 12}
	folder := docFolder(d.TenantID, d.ID)
	keys := []string{sourceKey(d.TenantID, d.ID, 1), sourceKey(d.TenantID, d.ID, 20), pagesKey(d), pdfKey(d),
		imageKey(d, Thumbnail, 1), imageKey(d, Preview, 200), revFolder(d, 3), folder}
	for _, k := range keys {
		if err := blob.ValidKey(k); err != nil {
			t.Errorf("key %q: %v", k, err)
		}
		if !strings.HasPrefix(k, folder) {
			t.Errorf("key %q outside %q", k, folder)
		}
	}
	if got := imageKey(d, Thumbnail, 7); got != folder+"/r12/thumb-007.png" {
		t.Errorf("thumbnail key = %q", got)
	}
}
