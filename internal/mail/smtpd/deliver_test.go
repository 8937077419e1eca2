package smtpd_test

import (
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
	"testing"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/mail/smtpd"
	"faxgate/internal/model"
)

// mimeBuilder writes a multipart message by hand, so the tests control
// every header and encoding.
type mimeBuilder struct {
	head     string
	ctype    string
	b        strings.Builder
	boundary string
}

func newMultipart(subject, ctype string) *mimeBuilder {
	m := &mimeBuilder{boundary: "b0undary" + ctype[:3], ctype: ctype}
	m.head = "From: User A <user@a.example>\nTo: fax@fax.test\nSubject: " + subject +
		"\nMessage-ID: <m1@a.example>\nMIME-Version: 1.0\n"
	m.b.WriteString("preamble\n")
	return m
}

func (m *mimeBuilder) contentType() string {
	return "Content-Type: multipart/" + m.ctype + "; boundary=\"" + m.boundary + "\""
}

func (m *mimeBuilder) part(headers string, body string) *mimeBuilder {
	m.b.WriteString("--" + m.boundary + "\n" + headers + "\n\n" + body + "\n")
	return m
}

func (m *mimeBuilder) nested(inner *mimeBuilder) *mimeBuilder {
	return m.part(inner.contentType(), inner.body())
}

func (m *mimeBuilder) body() string { return m.b.String() + "--" + m.boundary + "--\n" }

func (m *mimeBuilder) String() string { return m.head + m.contentType() + "\n\n" + m.body() }

func b64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	out.WriteString(s)
	return out.String()
}

func qp(s string) string {
	var b strings.Builder
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// deliver sends msg as user A to the recipients and expects acceptance.
func (e *env) deliver(t *testing.T, msg string, to ...string) {
	t.Helper()
	if err := send(e.login(t), "user@a.example", to, msg); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func (e *env) onlyDocument(t *testing.T) model.Document {
	t.Helper()
	ds := e.documents(t)
	if len(ds) != 1 {
		t.Fatalf("%d documents, want 1", len(ds))
	}
	d, err := e.St.GetDocument(t.Context(), model.PlatformScope(), ds[0].ID)
	authtest.Must(t, "GetDocument", err)
	return d
}

func TestMultipartPDFImageText(t *testing.T) {
	for _, cover := range []bool{false, true} {
		name := map[bool]string{false: "body ignored", true: "body as cover"}[cover]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.setBodyAsCover(t, cover)
			alt := newMultipart("", "alternative").
				part("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
					qp("Hello, please find the contract attached. Grüße")).
				part("Content-Type: text/html; charset=utf-8", "<p>Hello, please find the <b>contract</b> attached.</p>")
			msg := newMultipart("Contract =?UTF-8?Q?f=C3=BCr?= signing", "mixed").
				nested(alt).
				part("Content-Type: application/pdf; name=contract.pdf\nContent-Disposition: attachment; filename=contract.pdf\nContent-Transfer-Encoding: base64",
					b64(pdfFile(t, 2))).
				part("Content-Type: image/png\nContent-Disposition: attachment; filename=\"scan.png\"\nContent-Transfer-Encoding: base64",
					b64(pngFile(t, 620, 877, false))).
				part("Content-Type: image/png\nContent-Disposition: inline; filename=logo.png\nContent-ID: <logo1>\nContent-Transfer-Encoding: base64",
					b64(pngFile(t, 40, 20, false))).
				part("Content-Type: text/plain; charset=iso-8859-1\nContent-Disposition: attachment; filename=notes.txt\nContent-Transfer-Encoding: quoted-printable",
					"Notes: caf=E9").
				String()
			e.deliver(t, msg, "12025550100@fax.test", "+442079460480@fax.test", "+1 202 555 0100@fax.test"[0:0]+"+12025550100@fax.test")

			d := e.onlyDocument(t)
			if d.Status != model.DocumentReady || d.Pages != 4 {
				t.Fatalf("document %s pages %d (%s), want ready with 4 pages (2 PDF + PNG + text)", d.Status, d.Pages, d.Error)
			}
			var names []string
			for _, s := range d.Sources {
				names = append(names, s.Filename)
			}
			if got := strings.Join(names, ","); got != "contract.pdf,scan.png,notes.txt" {
				t.Errorf("files %s, want contract.pdf,scan.png,notes.txt (the inline logo dropped)", got)
			}
			if d.Name != "Contract für signing" || d.UserID != e.w.UserA.ID || d.TenantID != e.w.A.ID {
				t.Errorf("document %q user %s tenant %s", d.Name, d.UserID, d.TenantID)
			}
			reqs := e.sub.requests()
			if len(reqs) != 2 || reqs[0].To != "+12025550100" || reqs[1].To != "+442079460480" {
				t.Fatalf("requests %+v, want +12025550100 and +442079460480 (duplicate merged)", reqs)
			}
			for _, r := range reqs {
				if r.DocumentID != d.ID || r.Title != "Contract für signing" || r.IdempotencyKey == "" {
					t.Errorf("request %+v", r)
				}
				switch {
				case !cover && r.CoverPage != nil:
					t.Errorf("cover page %+v although the setting is off", r.CoverPage)
				case cover && (r.CoverPage == nil || !r.CoverPage.Enabled ||
					r.CoverPage.Comments != "Hello, please find the contract attached. Grüße"):
					t.Errorf("cover page %+v, want the plain body", r.CoverPage)
				}
			}
			if e.sub.acts[0].Via != "smtp" || e.sub.acts[0].UserID != e.w.UserA.ID {
				t.Errorf("actor %+v", e.sub.acts[0])
			}
			if evs := e.Events(t, smtpd.ActionAccepted, d.ID); len(evs) != 1 || !strings.Contains(evs[0].Detail, "4 pages") {
				t.Errorf("accepted events %+v", evs)
			}
		})
	}
}

func TestHTMLOnlyBodyAsCover(t *testing.T) {
	e := newEnv(t, nil)
	e.setBodyAsCover(t, true)
	msg := newMultipart("Invoice", "mixed").
		part("Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable",
			qp("<html><head><style>p{color:red}</style></head><body><p>Dear Sir,</p><p>invoice &amp; terms:<br>net 30</p><ul><li>one</li></ul></body></html>")).
		part("Content-Type: text/plain\nContent-Disposition: attachment; filename=invoice.txt", "Invoice 42\nTotal: 100").
		String()
	e.deliver(t, msg, "12025550100@fax.test")
	reqs := e.sub.requests()
	if len(reqs) != 1 || reqs[0].CoverPage == nil {
		t.Fatalf("requests %+v", reqs)
	}
	want := "Dear Sir,\n\ninvoice & terms:\nnet 30\n\n- one"
	if got := reqs[0].CoverPage.Comments; got != want {
		t.Errorf("comments %q, want %q", got, want)
	}
}

func TestBodyOnlyIsFaxed(t *testing.T) {
	e := newEnv(t, nil)
	e.setBodyAsCover(t, true)
	e.deliver(t, textMsg, "12025550100@fax.test")
	d := e.onlyDocument(t)
	if d.Pages != 1 || len(d.Sources) != 1 || d.Sources[0].Filename != "message.txt" {
		t.Fatalf("document %+v", d)
	}
	if r := e.sub.requests(); len(r) != 1 || r[0].CoverPage != nil {
		t.Errorf("requests %+v: the body is the document, not also the cover", r)
	}
}

func TestOddFilenames(t *testing.T) {
	e := newEnv(t, nil)
	msg := newMultipart("names", "mixed").
		part("Content-Type: text/plain; name=\"=?ISO-8859-1?Q?r=E9sum=E9.txt?=\"\nContent-Transfer-Encoding: base64",
			b64([]byte("resume text"))).
		part("Content-Type: text/plain\nContent-Disposition: attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC%20%C3%A9t%C3%A9.txt",
			"japanese summer").
		part("Content-Type: text/plain\nContent-Disposition: attachment;\n filename*0*=utf-8''long%20name%20;\n filename*1=\"part two.txt\"",
			"continued name").
		part("Content-Type: text/plain\nContent-Disposition: attachment; filename=\"..\\\\..\\\\evil.txt\"",
			"path in name").
		String()
	e.deliver(t, msg, "12025550100@fax.test")
	d := e.onlyDocument(t)
	var names []string
	for _, s := range d.Sources {
		names = append(names, s.Filename)
	}
	want := "résumé.txt|日本 été.txt|long name part two.txt|evil.txt"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if d.Status != model.DocumentReady || d.Pages != 4 {
		t.Errorf("document %s %d pages: %s", d.Status, d.Pages, d.Error)
	}
}

func TestBadMessagesLeaveNothing(t *testing.T) {
	e := newEnv(t, func(c *smtpd.Config) { c.MessagesPerMinuteIP = 6000 })
	tests := []struct{ name, msg, want string }{
		{"broken multipart", "Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n--zz--\n", "cannot read the message"},
		{"unsupported type", newMultipart("zip", "mixed").part("Content-Type: application/zip\nContent-Disposition: attachment; filename=a.zip\nContent-Transfer-Encoding: base64", b64([]byte("PK\x03\x04 not really"))).String(), "a.zip"},
		{"corrupt pdf", newMultipart("bad pdf", "mixed").part("Content-Type: application/pdf\nContent-Disposition: attachment; filename=bad.pdf", "%PDF-1.4\ngarbage").String(), "bad.pdf"},
		{"refused number at submit", textMsg, "no fax line may dial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := "12025550100@fax.test"
			if strings.HasPrefix(tt.name, "refused") {
				to = "12025550999@fax.test"
			}
			err := send(e.login(t), "user@a.example", []string{to}, tt.msg)
			if code(err) != 554 || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("send = %v, want 554 %q", err, tt.want)
			}
			if ds := e.documents(t); len(ds) != 0 {
				t.Fatalf("documents left behind: %+v", ds)
			}
		})
	}
	if len(e.sub.requests()) != 0 {
		t.Error("a fax was submitted")
	}
}
