package smtpd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode legacy charsets (ISO-8859-x, Windows-125x, ...)
)

// ExtractLimits bound the work Extract does on one message.
type ExtractLimits struct {
	// MaxParts is the most MIME parts walked (default 200).
	MaxParts int
	// MaxDepth is the deepest multipart nesting (default 10).
	MaxDepth int
	// MaxAttachments is the most attachments kept (default 20).
	MaxAttachments int
	// MaxBytes bounds the decoded bytes of all parts together (default 50 MiB).
	MaxBytes int64
	// MaxBodyBytes bounds the text body kept (default 64 KiB).
	MaxBodyBytes int
	// InlineImageMax: inline images (Content-Disposition inline or with a
	// Content-ID) smaller than this are signatures or logos and are dropped
	// (default 20 KiB).
	InlineImageMax int
}

func (l ExtractLimits) withDefaults() ExtractLimits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxParts, 200)
	def(&l.MaxDepth, 10)
	def(&l.MaxAttachments, 20)
	def(&l.MaxBodyBytes, 64<<10)
	def(&l.InlineImageMax, 20<<10)
	if l.MaxBytes <= 0 {
		l.MaxBytes = 50 << 20
	}
	return l
}

// Attachment is one file of a message, decoded.
type Attachment struct {
	Filename    string
	ContentType string // media type without parameters, lower case
	Data        []byte
}

// Message is what Extract found in an email.
type Message struct {
	Subject     string
	From        string // the From header's address, lower case ("" when absent or unparsable)
	MessageID   string
	Body        string // text body (plain, or HTML converted to text), trimmed
	Attachments []Attachment
	Skipped     []string // names of parts that were dropped (small inline images)
}

// ExtractError is a message that cannot be read: malformed MIME or over a
// limit. Its text is fit for the sender.
type ExtractError struct{ Reason string }

func (e *ExtractError) Error() string { return e.Reason }

func malformed(format string, args ...any) error {
	return &ExtractError{Reason: fmt.Sprintf(format, args...)}
}

// Extract parses a MIME message. It never panics and reads at most
// lim.MaxBytes of decoded content; errors are *ExtractError.
func Extract(r io.Reader, lim ExtractLimits) (msg Message, err error) {
	lim = lim.withDefaults()
	defer func() {
		if p := recover(); p != nil {
			msg, err = Message{}, malformed("malformed message: %v", p)
		}
	}()
	e, err := message.Read(r)
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return Message{}, malformed("malformed message header: %v", err)
	}
	if e == nil {
		return Message{}, malformed("malformed message")
	}
	x := &extractor{lim: lim, budget: lim.MaxBytes}
	msg.Subject = headerText(e.Header, "Subject")
	msg.From = fromAddress(e.Header)
	msg.MessageID = strings.TrimSpace(e.Header.Get("Message-Id"))
	if err := x.walk(e, 0); err != nil {
		return Message{}, err
	}
	msg.Attachments, msg.Skipped = x.files, x.skipped
	msg.Body = x.body()
	return msg, nil
}

type extractor struct {
	lim     ExtractLimits
	budget  int64
	parts   int
	files   []Attachment
	skipped []string
	plain   []string
	html    []string
	// cids are Content-IDs referenced from HTML ("cid:..."), lower case.
	cids []string
}

func (x *extractor) walk(e *message.Entity, depth int) error {
	x.parts++
	if x.parts > x.lim.MaxParts {
		return malformed("too many MIME parts (more than %d)", x.lim.MaxParts)
	}
	if depth > x.lim.MaxDepth {
		return malformed("MIME parts nested too deeply (more than %d levels)", x.lim.MaxDepth)
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || (err != nil && strings.HasSuffix(err.Error(), ": EOF")) {
				return nil // a missing closing boundary is common and harmless
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return malformed("malformed multipart message: %v", err)
			}
			if p == nil {
				return malformed("malformed multipart message")
			}
			if err := x.walk(p, depth+1); err != nil {
				return err
			}
		}
	}
	return x.leaf(e)
}

// leaf handles a non-multipart part.
func (x *extractor) leaf(e *message.Entity) error {
	mt, _, err := e.Header.ContentType()
	if err != nil || mt == "" {
		mt = "text/plain"
	}
	mt = strings.ToLower(mt)
	disp, dparams, _ := e.Header.ContentDisposition()
	disp = strings.ToLower(disp)
	name := partFilename(e.Header, dparams)
	data, err := x.read(e.Body)
	if err != nil {
		return err
	}
	switch {
	case disp != "attachment" && name == "" && mt == "text/plain":
		x.plain = append(x.plain, string(data))
	case disp != "attachment" && name == "" && mt == "text/html":
		x.html = append(x.html, string(data))
		x.cids = append(x.cids, referencedCIDs(data)...)
	case mt == "message/rfc822" || mt == "message/delivery-status" || strings.HasPrefix(mt, "multipart/"):
		x.skipped = append(x.skipped, orDefault(name, mt))
	default:
		return x.file(e, mt, disp, name, data)
	}
	return nil
}

func (x *extractor) file(e *message.Entity, mt, disp, name string, data []byte) error {
	if len(data) == 0 {
		x.skipped = append(x.skipped, orDefault(name, mt))
		return nil
	}
	if strings.HasPrefix(mt, "image/") && len(data) < x.lim.InlineImageMax && x.inline(e, disp) {
		x.skipped = append(x.skipped, orDefault(name, mt))
		return nil
	}
	if len(x.files) >= x.lim.MaxAttachments {
		return malformed("too many attachments (at most %d)", x.lim.MaxAttachments)
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", len(x.files)+1, extensionFor(mt))
	}
	x.files = append(x.files, Attachment{Filename: name, ContentType: mt, Data: data})
	return nil
}

// inline reports whether a part is shown inside the body rather than
// attached: disposition inline, or a Content-ID (referenced from HTML, or
// without any disposition).
func (x *extractor) inline(e *message.Entity, disp string) bool {
	if disp == "inline" {
		return true
	}
	cid := strings.ToLower(strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>"))
	if cid == "" {
		return false
	}
	for _, c := range x.cids {
		if c == cid {
			return true
		}
	}
	return disp == ""
}

func (x *extractor) read(r io.Reader) ([]byte, error) {
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(r, x.budget+1))
	if n > x.budget {
		return nil, malformed("message content is larger than %d bytes once decoded", x.lim.MaxBytes)
	}
	x.budget -= n
	if err != nil && !message.IsUnknownCharset(err) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, malformed("cannot decode a MIME part: %v", err)
	}
	return b.Bytes(), nil
}

// body is the text body: the plain parts, else the HTML parts as text.
func (x *extractor) body() string {
	var s string
	if len(x.plain) > 0 {
		s = strings.Join(x.plain, "\n\n")
	} else if len(x.html) > 0 {
		parts := make([]string, len(x.html))
		for i, h := range x.html {
			parts[i] = HTMLToText(h)
		}
		s = strings.Join(parts, "\n\n")
	}
	s = strings.ToValidUTF8(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\uFFFD")
	if len(s) > x.lim.MaxBodyBytes {
		s = s[:x.lim.MaxBodyBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// partFilename reads the file name of a part from Content-Disposition
// (RFC 2231, decoded by go-message) or the Content-Type name parameter
// (often RFC 2047-encoded by old mailers), reduced to a base name.
func partFilename(h message.Header, dparams map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		if _, p, err := h.ContentType(); err == nil {
			name = p["name"]
		}
	}
	if strings.Contains(name, "=?") {
		if d, err := (&mime.WordDecoder{CharsetReader: message.CharsetReader}).DecodeHeader(name); err == nil {
			name = d
		}
	}
	return cleanFilename(name)
}

// cleanFilename keeps the last path element, without control characters.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimSpace(path.Base(name))
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
		for !utf8.ValidString(name) {
			name = name[1:]
		}
	}
	return name
}

func headerText(h message.Header, key string) string {
	v, err := h.Text(key)
	if err != nil && v == "" {
		v = h.Get(key)
	}
	v = strings.Join(strings.Fields(strings.ToValidUTF8(v, "")), " ")
	return v
}

func fromAddress(h message.Header) string {
	v := headerText(h, "From")
	if v == "" {
		return ""
	}
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return strings.ToLower(strings.TrimSpace(v[i+1 : i+j]))
		}
	}
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " ,") {
		return strings.ToLower(v)
	}
	return ""
}

func referencedCIDs(html []byte) []string {
	var out []string
	s := strings.ToLower(string(html))
	for {
		i := strings.Index(s, "cid:")
		if i < 0 {
			return out
		}
		s = s[i+4:]
		end := strings.IndexAny(s, "\"' >)")
		if end < 0 {
			end = len(s)
		}
		if end > 0 && end < 500 {
			out = append(out, s[:end])
		}
		s = s[end:]
	}
}

func extensionFor(mt string) string {
	switch mt {
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/tiff":
		return ".tif"
	case "image/gif":
		return ".gif"
	case "text/plain":
		return ".txt"
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

func orDefault(s, d string) string {
	if s != "" {
		return s
	}
	return d
}
