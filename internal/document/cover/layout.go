package cover

import (
	"image"
	"strings"
)

// Page geometry in points. The side margins leave room for receivers
// that print a little less than the full 215 mm; the top margin leaves
// the band where fax machines print their own header line clear.
const (
	marginX      = 44
	marginTop    = 40
	marginBottom = 34
	logoMaxW     = 150 // 2.1 in
	logoMaxH     = 54  // 0.75 in
	colGap       = 20  // between the To and From columns
	ruleThin     = 0.75
	ruleThick    = 3
	keyWidth     = 44 // the "Phone", "Email" column inside a block
)

// The type scale. Nothing is smaller than 8.5 pt, which still prints
// with readable counters at 98 lpi.
type styles struct {
	company, title, label, name, body, key, subject, comment, footer style
}

func newStyles(f *fontSet) styles {
	return styles{
		company: style{font: f.bold, size: 20},
		title:   style{font: f.bold, size: 60, tracking: 0.02},
		label:   style{font: f.bold, size: 8.5, tracking: 0.14},
		name:    style{font: f.bold, size: 14},
		body:    style{font: f.regular, size: 11.5},
		key:     style{font: f.bold, size: 9.5},
		subject: style{font: f.bold, size: 13},
		comment: style{font: f.regular, size: 11.5},
		footer:  style{font: f.regular, size: 8.5},
	}
}

// pager draws the page from top to bottom, keeping the current y and
// where each field went.
type pager struct {
	c       *canvas
	ts      *typesetter
	st      styles
	lb      Labels
	y       float64
	left    float64 // content box, points
	right   float64
	regions map[string]image.Rectangle
}

// layout draws the cover onto c and returns the pixel rectangles of its
// parts, by name (used by tests to look for ink where a field goes).
func layout(c *canvas, fonts *fontSet, cv *Cover) map[string]image.Rectangle {
	p := &pager{
		c: c, ts: &typesetter{c: c}, st: newStyles(fonts), lb: cv.Labels.withDefaults(),
		y: marginTop, left: marginX, right: c.w - marginX,
		regions: map[string]image.Rectangle{},
	}
	p.header(cv)
	p.title()
	p.parties(cv)
	p.dateAndPages(cv)
	p.subject(cv)
	footerTop := p.footer(cv)
	p.comments(cv, footerTop)
	return p.regions
}

func (p *pager) mark(name string, x0, y0, x1, y1 float64) {
	p.regions[name] = p.c.pixelRect(x0, y0, x1, y1)
}

// header: logo and company name, then a heavy rule. Without either, only
// the rule is drawn and the page starts higher.
func (p *pager) header(cv *Cover) {
	name := strings.TrimSpace(cleanText(cv.CompanyName))
	if cv.Logo == nil && name == "" {
		p.c.rule(p.left, p.right, p.y, ruleThick)
		p.y += ruleThick + 14
		return
	}
	x := p.left
	if cv.Logo != nil {
		if w := p.logo(cv.Logo, p.left, p.y); w > 0 {
			x += w + 16
		}
	}
	if name != "" {
		st := p.st.company
		lines, _ := p.ts.wrap(st, name, p.right-x, 1)
		if p.ts.width(st, name) > p.right-x { // long names get smaller, then two lines
			st.size = 15
			lines, _ = p.ts.wrap(st, name, p.right-x, 2)
		}
		lead := st.size * 1.2
		// Centre the block of cap-height lines in the logo box.
		top := p.y + (logoMaxH-(float64(len(lines)-1)*lead+0.72*st.size))/2
		for i, l := range lines {
			p.ts.draw(st, x, top+0.72*st.size+float64(i)*lead, l)
		}
		p.mark("company", x, p.y, p.right, p.y+logoMaxH)
	}
	p.y += logoMaxH + 12
	p.c.rule(p.left, p.right, p.y, ruleThick)
	p.y += ruleThick + 14 // room for accents above the title's capitals
}

// logo draws img fitted into the logo box at (x, y) and returns its width
// in points (0 for an empty image).
func (p *pager) logo(img image.Image, x, y float64) float64 {
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return 0
	}
	// The source has square pixels; keep its physical aspect.
	aspect := float64(b.Dx()) / float64(b.Dy())
	w, h := float64(logoMaxW), logoMaxW/aspect
	if h > logoMaxH {
		w, h = logoMaxH*aspect, float64(logoMaxH)
	}
	y += (logoMaxH - h) / 2
	r := p.c.pixelRect(x, y, x+w, y+h)
	if r.Dx() < 1 || r.Dy() < 1 {
		return 0
	}
	ink, _ := logoInk(img, r.Dx(), r.Dy())
	for row := range r.Dy() {
		dst := p.c.ink.Pix[(r.Min.Y+row)*p.c.ink.Stride+r.Min.X:]
		for i, v := range ink.Pix[row*ink.Stride : row*ink.Stride+r.Dx()] {
			dst[i] = max(dst[i], v)
		}
	}
	p.mark("logo", x, y, x+w, y+h)
	return w
}

// title: the big "FAX".
func (p *pager) title() {
	st := p.st.title
	text := p.ts.fit(st, strings.TrimSpace(cleanText(p.lb.Title)), p.right-p.left)
	capH := 0.72 * st.size
	p.ts.draw(st, p.left-2, p.y+4+capH, text) // -2: the F's side bearing
	p.mark("title", p.left, p.y, p.right, p.y+4+capH)
	p.y += 4 + capH + 16
	p.c.rule(p.left, p.right, p.y, ruleThin)
	p.y += ruleThin + 12
}

// label draws a small upper-case field label at (x, p.y) and returns the
// baseline below it where the value starts.
func (p *pager) label(x, y float64, text string) float64 {
	st := p.st.label
	p.ts.draw(st, x, y+0.72*st.size, strings.ToUpper(p.ts.fit(st, cleanText(text), (p.right-p.left)/2-colGap)))
	return y + 0.72*st.size + 8
}

// entry is one item of a To or From block: a name or plain value that
// may wrap, or a "Phone  +1 555 0100" line with a small key.
type entry struct {
	id    string // region name, after the block's prefix
	key   string
	value string
	st    style
	lines int // most lines a value without key may take
}

// block draws a field block in the column x..x+width: its label, then
// the non-empty entries, one after the other. The first baseline is at a
// fixed place and an empty block is one line tall, so that one field more
// or less in a short block moves nothing else on the page. It returns
// the y below the block.
func (p *pager) block(prefix string, x, width float64, label string, entries []entry) float64 {
	const lead = 16.5
	base := p.label(x, p.y, label) + 6 + 0.72*p.st.name.size
	n := 0
	for _, e := range entries {
		v := strings.TrimSpace(cleanText(e.value))
		if v == "" {
			continue
		}
		var lines []string
		if e.key == "" {
			lines, _ = p.ts.wrap(e.st, v, width, e.lines)
		} else {
			lines = []string{p.ts.fit(e.st, v, width-keyWidth)}
		}
		first := base + float64(n)*lead
		for i, l := range lines {
			y := first + float64(i)*lead
			if e.key == "" {
				p.ts.draw(e.st, x, y, l)
				continue
			}
			p.ts.draw(p.st.key, x, y, p.ts.fit(p.st.key, cleanText(e.key), keyWidth-4))
			p.ts.draw(e.st, x+keyWidth, y, l)
		}
		p.mark(prefix+"."+e.id, x, first-e.st.size, x+width, first+float64(len(lines)-1)*lead+0.3*e.st.size)
		n += len(lines)
	}
	return base + float64(max(n, 1)-1)*lead + 0.3*p.st.body.size
}

// parties: To on the left, From on the right.
func (p *pager) parties(cv *Cover) {
	colW := (p.right - p.left - colGap) / 2
	rx := p.left + colW + colGap
	st := p.st
	y1 := p.block("to", p.left, colW, p.lb.To, []entry{
		{id: "name", value: cv.ToName, st: st.name, lines: 2},
		{id: "company", value: cv.ToCompany, st: st.body, lines: 2},
		{id: "fax", key: p.lb.Fax, value: cv.ToFax, st: st.body},
	})
	y2 := p.block("from", rx, colW, p.lb.From, []entry{
		{id: "name", value: cv.FromName, st: st.name, lines: 2},
		{id: "company", value: cv.FromCompany, st: st.body, lines: 2},
		{id: "phone", key: p.lb.Phone, value: cv.FromPhone, st: st.body},
		{id: "fax", key: p.lb.Fax, value: cv.FromFax, st: st.body},
		{id: "email", key: p.lb.Email, value: cv.FromEmail, st: st.body},
	})
	p.y = max(y1, y2) + 10
	p.c.rule(p.left, p.right, p.y, ruleThin)
	p.y += ruleThin + 12
}

// dateAndPages: one row of two fields.
func (p *pager) dateAndPages(cv *Cover) {
	colW := (p.right - p.left - colGap) / 2
	rx := p.left + colW + colGap
	y := p.label(p.left, p.y, p.lb.Date) + 6 + 0.72*p.st.body.size
	p.label(rx, p.y, p.lb.Pages)
	date := p.ts.fit(p.st.body, cleanText(cv.dateText()), colW)
	p.ts.draw(p.st.body, p.left, y, date)
	p.mark("date", p.left, y-p.st.body.size, p.left+colW, y+0.3*p.st.body.size)
	p.ts.draw(p.st.body, rx, y, p.ts.fit(p.st.body, cv.pagesText(p.lb), colW))
	p.mark("pages", rx, y-p.st.body.size, p.right, y+0.3*p.st.body.size)
	p.y = y + 0.3*p.st.body.size + 10
	p.c.rule(p.left, p.right, p.y, ruleThin)
	p.y += ruleThin + 12
}

// subject: full width, bold, up to two lines.
func (p *pager) subject(cv *Cover) {
	y := p.label(p.left, p.y, p.lb.Subject) + 6
	st := p.st.subject
	top := y + 0.72*st.size - st.size // ascenders and brackets rise above the capitals
	lines, _ := p.ts.wrap(st, strings.TrimSpace(cv.Subject), p.right-p.left, 2)
	// Two lines are reserved whether or not the subject needs them, so
	// the rest of the page does not move.
	y += 0.72 * st.size
	for i, l := range lines {
		p.ts.draw(st, p.left, y+float64(i)*st.size*1.3, l)
	}
	y += st.size * 1.3
	p.mark("subject", p.left, top, p.right, y+0.3*st.size)
	p.y = y + 0.3*st.size + 12
	p.c.rule(p.left, p.right, p.y, ruleThick)
	p.y += ruleThick + 14
}

// footer draws the footer text at the bottom (centred, up to three
// lines) and returns the y of its rule, or of the bottom margin without
// one.
func (p *pager) footer(cv *Cover) float64 {
	bottom := p.c.h - marginBottom
	text := strings.TrimSpace(cv.Footer)
	if text == "" {
		return bottom
	}
	st := p.st.footer
	lead := st.size * 1.3
	lines, _ := p.ts.wrap(st, text, p.right-p.left, 3)
	top := bottom - float64(len(lines)-1)*lead - 0.72*st.size
	for i, l := range lines {
		w := p.ts.width(st, l)
		p.ts.draw(st, p.left+(p.right-p.left-w)/2, top+0.72*st.size+float64(i)*lead, l)
	}
	ruleY := top - 10
	p.mark("footer", p.left, ruleY, p.right, bottom+0.3*st.size)
	p.c.rule(p.left, p.right, ruleY, ruleThin)
	return ruleY
}

// comments fill the space left above the footer; text that does not fit
// is cut at the last line with an ellipsis.
func (p *pager) comments(cv *Cover, bottom float64) {
	text := strings.TrimRight(cv.Comments, " \t\r\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	labelTop := p.y - 2
	y := p.label(p.left, p.y, p.lb.Comments) + 6
	st := p.st.comment
	lead := st.size * 1.4
	first := y + 0.72*st.size
	n := int((bottom - 10 - first - 0.3*st.size) / lead)
	if n < 1 {
		return
	}
	lines, _ := p.ts.wrap(st, text, p.right-p.left, n)
	for i, l := range lines {
		p.ts.draw(st, p.left, first+float64(i)*lead, l)
	}
	p.mark("comments", p.left, labelTop, p.right, first+float64(n-1)*lead+0.3*st.size)
}
