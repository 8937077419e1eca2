package tenancy

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode"
	"unicode/utf8"

	"faxgate/internal/model"
)

// Output bounds of fax-to-email templates.
const (
	// MaxEmailSubjectLen bounds a rendered subject (runes, after line
	// breaks and runs of spaces are folded into one space).
	MaxEmailSubjectLen = 255
	// MaxEmailBodyBytes bounds a rendered body.
	MaxEmailBodyBytes = 64 << 10
)

// FaxEmailData is what fax-to-email subject and body templates see: the
// fields below and nothing else, e.g. "Fax from {{.From}} ({{.Pages}}
// pages)". Templates may use if/else/with, variables, comparisons (eq, ne,
// lt, le, gt, ge, and, or, not) and len, index, slice, print, printf,
// println, urlquery; range, template/define/block and call are refused.
type FaxEmailData struct {
	FaxID           string // faxgate's id of the received fax
	From            string // the caller's number ("" when withheld)
	To              string // the DID called
	RemoteStationID string // the sender's fax station id (CSID/TSI)
	Pages           int    // pages received
	Status          string // "received", "partial" or "failed"
	Result          string // result in plain words ("OK", "the line dropped on page 3")
	ReceivedAt      string // time of reception in the tenant's time zone ("2026-03-02 10:15 CET")
	Duration        string // call duration ("1m24s")
	TenantName      string
	Link            string // portal URL of the fax ("" when the portal URL is unknown)
	Attached        bool   // the PDF is attached; false when it was too large (then use Link)
}

// SampleFaxEmailData is the example the portal's preview and the save-time
// checks render templates with.
func SampleFaxEmailData() FaxEmailData {
	return FaxEmailData{FaxID: "fax_sample", From: "+12025550123", To: "+14155550100",
		RemoteStationID: "ACME FAX", Pages: 3, Status: "received", Result: "OK",
		ReceivedAt: "2026-03-02 10:15 UTC", Duration: "1m24s", TenantName: "Acme",
		Link: "https://fax.example.com/inbox/fax_sample", Attached: true}
}

// templateFuncAllowed reports whether templates may call the builtin
// function name.
func templateFuncAllowed(name string) bool {
	switch name {
	case "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "slice",
		"print", "printf", "println", "urlquery":
		return true
	}
	return false
}

// EmailTemplate is a checked fax-to-email template.
type EmailTemplate struct {
	t       *template.Template
	subject bool
}

// ParseEmailTemplate parses and checks a subject (subject true) or body
// template: syntax, only the allowed constructs and FaxEmailData's fields,
// and that it renders within bounds with sample data. Problems are a
// *model.ValidationError on field.
func ParseEmailTemplate(field, src string, subject bool) (*EmailTemplate, error) {
	maxLen := model.MaxEmailBodyTplLen
	if subject {
		maxLen = model.MaxEmailSubjectTplLen
	}
	switch {
	case utf8.RuneCountInString(src) > maxLen:
		return nil, model.Invalid(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case !utf8.ValidString(src):
		return nil, model.Invalid(field, "must be valid text")
	}
	t, err := template.New(field).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, model.Invalid(field, "template error: "+cleanTemplateErr(err))
	}
	if err := checkTemplate(t); err != nil {
		return nil, model.Invalid(field, err.Error())
	}
	et := &EmailTemplate{t: t, subject: subject}
	empty := FaxEmailData{}
	for _, d := range []FaxEmailData{SampleFaxEmailData(), empty} {
		if _, err := et.Render(d); err != nil {
			return nil, model.Invalid(field, err.Error())
		}
	}
	return et, nil
}

// Render executes the template with d within the output bounds. Subjects
// come out on one line.
func (et *EmailTemplate) Render(d FaxEmailData) (string, error) {
	limit := MaxEmailBodyBytes
	if et.subject {
		limit = 4 * MaxEmailSubjectLen
	}
	w := &boundedBuffer{max: limit}
	if err := et.t.Execute(w, d); err != nil {
		if errors.Is(err, errTooLong) {
			return "", fmt.Errorf("renders longer than %d bytes", limit)
		}
		return "", fmt.Errorf("template error: %s", cleanTemplateErr(err))
	}
	if !et.subject {
		return w.String(), nil
	}
	s := strings.Join(strings.FieldsFunc(w.String(), unicode.IsSpace), " ")
	if utf8.RuneCountInString(s) > MaxEmailSubjectLen {
		return "", fmt.Errorf("renders longer than %d characters", MaxEmailSubjectLen)
	}
	return s, nil
}

// RenderedEmail is a fax-to-email subject and body.
type RenderedEmail struct {
	Subject, Body string
	// TemplateErr is set when the tenant's template failed with this
	// fax's data and faxgate's default template was used instead (log it;
	// the email still goes out).
	TemplateErr error
}

// RenderFaxEmail renders a tenant's fax-to-email templates for one fax.
// A template that fails (it was checked when saved, so only unusual data
// can make it fail) is replaced by the default and reported in
// TemplateErr.
func RenderFaxEmail(fs model.TenantFaxSettings, d FaxEmailData) RenderedEmail {
	var out RenderedEmail
	var errs []error
	render := func(field, src, def string, subject bool) string {
		t, err := ParseEmailTemplate(field, src, subject)
		if err == nil {
			var s string
			if s, err = t.Render(d); err == nil {
				return s
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", field, err))
		t, err = ParseEmailTemplate(field, def, subject)
		if err != nil {
			panic("tenancy: default email template broken: " + err.Error()) // programming error
		}
		s, err := t.Render(d)
		if err != nil {
			s = "" // the defaults fit any data the bounds allow; keep the email going
		}
		return s
	}
	out.Subject = render("email_subject_template", fs.EmailSubjectTemplate, model.DefaultEmailSubjectTemplate, true)
	out.Body = render("email_body_template", fs.EmailBodyTemplate, model.DefaultEmailBodyTemplate, false)
	out.TemplateErr = errors.Join(errs...)
	return out
}

// PreviewFaxEmail renders templates with SampleFaxEmailData, for the
// portal's live preview; problems are a *model.ValidationError per field.
func PreviewFaxEmail(subjectTpl, bodyTpl string) (subject, body string, err error) {
	v := &model.ValidationError{}
	st, err := ParseEmailTemplate("email_subject_template", subjectTpl, true)
	if err == nil {
		subject, _ = st.Render(SampleFaxEmailData())
	} else {
		mergeInvalid(v, err)
	}
	bt, err := ParseEmailTemplate("email_body_template", bodyTpl, false)
	if err == nil {
		body, _ = bt.Render(SampleFaxEmailData())
	} else {
		mergeInvalid(v, err)
	}
	return subject, body, v.OrNil()
}

// mergeInvalid copies the field errors of err (a *model.ValidationError)
// into v.
func mergeInvalid(v *model.ValidationError, err error) {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		for k, r := range ve.Fields {
			v.Add(k, r)
		}
	}
}

// checkTemplate walks the parse tree and refuses what a settings template
// has no use for and could abuse: loops (range over a huge number spins
// without output), nested templates (recursion), call, unknown functions
// and fields FaxEmailData does not have.
func checkTemplate(t *template.Template) error {
	if len(t.Templates()) != 1 {
		return errors.New("define and block are not allowed")
	}
	return walkNode(t.Tree.Root)
}

func walkNode(n parse.Node) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := walkNode(c); err != nil {
				return err
			}
		}
	case *parse.TextNode, *parse.CommentNode, *parse.DotNode, *parse.StringNode, *parse.NumberNode,
		*parse.BoolNode, *parse.NilNode, *parse.VariableNode:
	case *parse.ActionNode:
		return walkNode(n.Pipe)
	case *parse.IfNode:
		return walkBranch(&n.BranchNode)
	case *parse.WithNode:
		return walkBranch(&n.BranchNode)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			if err := walkNode(c); err != nil {
				return err
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if err := walkNode(a); err != nil {
				return err
			}
		}
	case *parse.FieldNode:
		return checkField(n.Ident)
	case *parse.ChainNode:
		if len(n.Field) > 0 {
			return fmt.Errorf("unknown field .%s", strings.Join(n.Field, "."))
		}
		return walkNode(n.Node)
	case *parse.IdentifierNode:
		if !templateFuncAllowed(n.Ident) {
			return fmt.Errorf("function %q is not allowed", n.Ident)
		}
	case *parse.RangeNode:
		return errors.New("range is not allowed")
	case *parse.TemplateNode:
		return errors.New("template is not allowed")
	default:
		return fmt.Errorf("%s is not allowed", n)
	}
	return nil
}

func walkBranch(b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := walkNode(n); err != nil {
			return err
		}
	}
	return nil
}

func checkField(ident []string) error {
	if _, ok := reflect.TypeFor[FaxEmailData]().FieldByName(ident[0]); len(ident) != 1 || !ok {
		return fmt.Errorf("unknown field .%s (known: %s)", strings.Join(ident, "."), knownFields())
	}
	return nil
}

func knownFields() string {
	t := reflect.TypeFor[FaxEmailData]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = "." + t.Field(i).Name
	}
	return strings.Join(names, " ")
}

// cleanTemplateErr drops text/template's "template: name:" prefix.
func cleanTemplateErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "template: ")
	if _, rest, ok := strings.Cut(s, ":"); ok && !strings.HasPrefix(rest, " ") {
		return rest // "email_body_template:3: ..." -> "3: ..."
	}
	return s
}

// errTooLong stops a template that writes more than its bound.
var errTooLong = errors.New("output too long")

// boundedBuffer is a bytes.Buffer that refuses to grow past max.
type boundedBuffer struct {
	bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}
