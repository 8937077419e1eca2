package smtpd

import (
	"html"
	"strings"
)

// HTMLToText converts an HTML body to plain text for a cover page: tags
// are dropped (script, style and head contents entirely), block elements
// and <br> become line breaks, list items get a dash, entities are
// decoded, and runs of blank lines are collapsed.
func HTMLToText(src string) string {
	var b strings.Builder
	skip := ""
	for len(src) > 0 {
		lt := strings.IndexByte(src, '<')
		if lt < 0 {
			if skip == "" {
				b.WriteString(spaceText(src))
			}
			break
		}
		if skip == "" {
			b.WriteString(spaceText(src[:lt]))
		}
		src = src[lt:]
		gt := tagEnd(src)
		tag := src[1:gt]
		src = src[min(gt+1, len(src)):]
		if strings.HasPrefix(tag, "!--") {
			if i := strings.Index(src, "-->"); i >= 0 && !strings.HasSuffix(tag, "--") {
				src = src[i+3:]
			}
			continue
		}
		name, closing := tagName(tag)
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "script", "style", "head", "title":
			if !closing && !strings.HasSuffix(tag, "/") {
				skip = name
			}
		case "br":
			b.WriteString("\n")
		case "li":
			if !closing {
				b.WriteString("\n- ")
			}
		case "p", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr":
			b.WriteString("\n")
		case "td", "th":
			if closing {
				b.WriteString("\t")
			}
		}
	}
	return tidyLines(html.UnescapeString(b.String()))
}

// tagEnd is the index of the '>' closing the tag at s[0] (or len(s)-1).
func tagEnd(s string) int {
	quote := byte(0)
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return len(s) - 1
}

func tagName(tag string) (string, bool) {
	closing := strings.HasPrefix(tag, "/")
	tag = strings.TrimPrefix(tag, "/")
	end := strings.IndexAny(tag, " \t\r\n/>")
	if end < 0 {
		end = len(tag)
	}
	return strings.ToLower(tag[:end]), closing
}

// spaceText collapses white space like a browser does.
func spaceText(s string) string {
	if strings.TrimSpace(s) == "" {
		if s == "" {
			return ""
		}
		return " "
	}
	lead, trail := "", ""
	if s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r' {
		lead = " "
	}
	if c := s[len(s)-1]; c == ' ' || c == '\n' || c == '\t' || c == '\r' {
		trail = " "
	}
	return lead + strings.Join(strings.Fields(s), " ") + trail
}

func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := false
	for _, l := range lines {
		l = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
