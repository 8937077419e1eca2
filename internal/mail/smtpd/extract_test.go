package smtpd_test

import (
	"bytes"
	"strings"
	"testing"

	"faxgate/internal/mail/smtpd"
)

func TestExtract(t *testing.T) {
	big := strings.Repeat("A", 30000)
	tests := []struct {
		name     string
		msg      string
		files    string // "name:type|..."
		body     string
		subject  string
		errMatch string
	}{
		{name: "plain text", msg: "Subject: Hi\n\nhello\n", body: "hello", subject: "Hi"},
		{name: "encoded subject", msg: "Subject: =?ISO-8859-1?B?Q2Fm6Q==?=\n\nx", body: "x", subject: "Café"},
		{name: "windows-1252 body", msg: "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n=93quoted=94 =80", body: "\u201cquoted\u201d €"},
		{name: "html only", msg: "Content-Type: text/html\n\n<p>a<br>b</p><script>x()</script>", body: "a\nb"},
		{name: "related with referenced small image dropped", msg: "Content-Type: multipart/related; boundary=r\n\n--r\nContent-Type: text/html\n\n<img src=\"cid:sig@x\">Hi\n--r\nContent-Type: image/png\nContent-ID: <sig@x>\n\nPNGDATA\n--r--\n", body: "Hi"},
		{name: "large inline image kept", msg: "Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: image/png\nContent-Disposition: inline\n\n" + big + "\n--r--\n", files: "attachment-1.png:image/png"},
		{name: "attachment without name", msg: "Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: application/pdf\nContent-Disposition: attachment\n\n%PDF\n--r--\n", files: "attachment-1.pdf:application/pdf"},
		{name: "empty attachment skipped", msg: "Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n\n--r--\n"},
		{name: "unknown charset tolerated", msg: "Content-Type: text/plain; charset=x-unknown-42\n\nabc", body: "abc"},
		{name: "bad base64", msg: "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nQUJD=QUJD", errMatch: "cannot decode"},
		{name: "missing final boundary is tolerated", msg: "Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: text/plain\n\nbody\n", body: "body"},
		{name: "bad header", msg: "Subject hello\n\nx", errMatch: "malformed"},
		{name: "too deep", msg: deep(15), errMatch: "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := smtpd.Extract(strings.NewReader(tt.msg), smtpd.ExtractLimits{})
			if tt.errMatch != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errMatch) {
					t.Fatalf("err = %v, want %q", err, tt.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, a := range m.Attachments {
				files = append(files, a.Filename+":"+a.ContentType)
			}
			if got := strings.Join(files, "|"); got != tt.files {
				t.Errorf("files %q, want %q", got, tt.files)
			}
			if m.Body != tt.body || m.Subject != tt.subject {
				t.Errorf("body %q subject %q, want %q %q", m.Body, m.Subject, tt.body, tt.subject)
			}
		})
	}
}

func deep(n int) string {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b0\n\n")
	for i := 1; i <= n; i++ {
		b.WriteString("--b" + string(rune('a'+i-1)) + "\nContent-Type: multipart/mixed; boundary=b" + string(rune('a'+i)) + "\n\n")
	}
	return strings.Replace(b.String(), "--ba", "--b0", 1)
}

func TestExtractLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=r\n\n")
	for range 5 {
		b.WriteString("--r\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n%PDF-1.4 0123456789\n")
	}
	b.WriteString("--r--\n")
	if _, err := smtpd.Extract(strings.NewReader(b.String()), smtpd.ExtractLimits{MaxAttachments: 4}); err == nil ||
		!strings.Contains(err.Error(), "too many attachments") {
		t.Errorf("5 attachments, limit 4: %v", err)
	}
	if _, err := smtpd.Extract(strings.NewReader(b.String()), smtpd.ExtractLimits{MaxBytes: 50}); err == nil ||
		!strings.Contains(err.Error(), "larger than") {
		t.Errorf("byte limit: %v", err)
	}
	if _, err := smtpd.Extract(strings.NewReader(b.String()), smtpd.ExtractLimits{MaxParts: 3}); err == nil ||
		!strings.Contains(err.Error(), "too many MIME parts") {
		t.Errorf("part limit: %v", err)
	}
	m, err := smtpd.Extract(strings.NewReader(b.String()), smtpd.ExtractLimits{})
	if err != nil || len(m.Attachments) != 5 {
		t.Errorf("within limits: %d attachments, %v", len(m.Attachments), err)
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>bold</b> text", "bold text"},
		{"<p>one</p><p>two &lt;3&gt;</p>", "one\n\ntwo <3>"},
		{"<table><tr><td>a</td><td>b</td></tr></table>", "a\tb"},
		{"x<!-- hidden <p> -->y", "xy"},
		{"<style>p{}</style><a href='x>y'>link</a>", "link"},
		{"unclosed <b", "unclosed"},
		{"line&nbsp;one<br/>line two", "line one\nline two"},
	}
	for _, tt := range tests {
		if got := smtpd.HTMLToText(tt.in); got != tt.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzExtract: never panics, stays within its limits, and what it returns
// is well-formed.
func FuzzExtract(f *testing.F) {
	f.Add([]byte("Subject: x\n\nhello"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=r\n\n--r\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%C3%A9.pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==\n--r--\n"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/html; charset=koi8-r\nContent-Transfer-Encoding: quoted-printable\n\n<p>=C1=C2</p>\n--a--"))
	f.Add([]byte(deep(12)))
	lim := smtpd.ExtractLimits{MaxBytes: 1 << 16, MaxAttachments: 5, MaxParts: 50, MaxBodyBytes: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := smtpd.Extract(bytes.NewReader(data), lim)
		if err != nil {
			if m.Body != "" || len(m.Attachments) != 0 {
				t.Fatal("content returned with an error")
			}
			return
		}
		if len(m.Attachments) > lim.MaxAttachments || len(m.Body) > lim.MaxBodyBytes {
			t.Fatalf("over limits: %d attachments, body %d", len(m.Attachments), len(m.Body))
		}
		var total int
		for _, a := range m.Attachments {
			total += len(a.Data)
			if a.Filename == "" || strings.ContainsAny(a.Filename, "/\x00\r\n") || len(a.Data) == 0 {
				t.Fatalf("bad attachment %q (%d bytes)", a.Filename, len(a.Data))
			}
		}
		if int64(total) > lim.MaxBytes {
			t.Fatalf("%d bytes decoded, limit %d", total, lim.MaxBytes)
		}
	})
}
