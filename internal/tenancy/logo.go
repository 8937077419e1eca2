package tenancy

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // registers the PNG decoder for image.DecodeConfig
	"io"
	"net/http"
	"strings"

	"faxgate/internal/model"
)

// Logo limits.
const (
	MaxLogoBytes = 512 << 10
	MaxLogoSide  = 4096
	maxSVGDepth  = 64
	svgType      = "image/svg+xml"
)

// CheckLogo validates a logo upload and returns its MIME type. PNG and JPEG
// are recognised by content (not by a claimed type) and their header must
// decode with sides of 1..4096 pixels. Anything else must be an SVG
// document, which is accepted only when it cannot run or fetch anything
// (see checkSVG); it is stored as uploaded, never rewritten. Too large is
// model.ErrTooLarge, anything else refused a *model.ValidationError on
// "logo".
func CheckLogo(data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", model.Invalid("logo", "is empty")
	case len(data) > MaxLogoBytes:
		return "", fmt.Errorf("%w: the logo must be at most %d KiB", model.ErrTooLarge, MaxLogoBytes>>10)
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/png", "image/jpeg":
		return ct, checkRaster(data, ct)
	}
	if err := checkSVG(data); err != nil {
		return "", model.Invalid("logo", err.Error())
	}
	return svgType, nil
}

func checkRaster(data []byte, ct string) error {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case err != nil || "image/"+format != ct:
		return model.Invalid("logo", "is a damaged image")
	case cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide:
		return model.Invalid("logo", fmt.Sprintf("must be at most %d×%d pixels (is %d×%d)", MaxLogoSide, MaxLogoSide, cfg.Width, cfg.Height))
	}
	return nil
}

// errNotSVG is the refusal for uploads that are neither PNG, JPEG nor SVG.
var errNotSVG = errors.New("must be a PNG, JPEG or SVG image")

// Elements that run code, embed other documents or animate attributes
// (animation can turn a harmless href into javascript:).
var forbiddenElements = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "embed": true, "object": true,
	"handler": true, "listener": true, "set": true, "animate": true, "animatemotion": true,
	"animatetransform": true, "animatecolor": true, "audio": true, "video": true, "discard": true,
}

// checkSVG accepts an SVG document only if it is well-formed XML with an
// <svg> root and contains no DOCTYPE or ENTITY declaration (entity
// expansion, external DTDs), no processing instruction but the XML
// declaration (xml-stylesheet fetches), no forbidden element, no on*
// event-handler attribute, no xml:base, no href other than a #fragment or
// an inline PNG/JPEG data: URL, and no url(...) or @import pointing
// elsewhere in styles or attributes.
func checkSVG(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth, root := 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if !root {
				return errNotSVG
			}
			return fmt.Errorf("is not well-formed SVG: %v", err)
		}
		if err := checkToken(tok, &depth, &root); err != nil {
			return err
		}
	}
	if !root {
		return errNotSVG
	}
	return nil
}

func checkToken(tok xml.Token, depth *int, root *bool) error {
	switch t := tok.(type) {
	case xml.Directive:
		return errors.New("must not contain DOCTYPE or ENTITY declarations")
	case xml.ProcInst:
		if t.Target != "xml" {
			return fmt.Errorf("must not contain the processing instruction <?%s?>", t.Target)
		}
	case xml.StartElement:
		if *depth == 0 && (*root || strings.ToLower(t.Name.Local) != "svg") {
			return errNotSVG
		}
		*root = true
		if *depth++; *depth > maxSVGDepth {
			return errors.New("is nested too deeply")
		}
		return checkElement(t)
	case xml.EndElement:
		*depth--
	case xml.CharData:
		if *depth == 0 && len(bytes.TrimSpace(t)) > 0 {
			return errNotSVG
		}
		return checkCSS(string(t))
	}
	return nil
}

func checkElement(t xml.StartElement) error {
	name := strings.ToLower(t.Name.Local)
	if forbiddenElements[name] {
		return fmt.Errorf("must not contain <%s> elements", t.Name.Local)
	}
	for _, a := range t.Attr {
		if err := checkAttr(a); err != nil {
			return err
		}
	}
	return nil
}

func checkAttr(a xml.Attr) error {
	name := strings.ToLower(a.Name.Local)
	value := strings.TrimSpace(a.Value)
	switch {
	case strings.HasPrefix(name, "on"):
		return fmt.Errorf("must not contain event handler attributes (%s)", a.Name.Local)
	case name == "base" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace"):
		return errors.New("must not contain xml:base")
	case name == "href" || name == "src":
		if !safeRef(value) {
			return fmt.Errorf("must not reference external resources (%s=%q)", a.Name.Local, clipValue(value))
		}
	}
	if strings.Contains(strings.ToLower(value), "javascript:") {
		return fmt.Errorf("must not contain javascript: URLs (%s)", a.Name.Local)
	}
	return checkCSS(value)
}

// safeRef allows in-document fragments and inline PNG/JPEG data URLs.
func safeRef(v string) bool {
	l := strings.ToLower(v)
	return strings.HasPrefix(l, "#") || strings.HasPrefix(l, "data:image/png") || strings.HasPrefix(l, "data:image/jpeg")
}

// checkCSS refuses style text (a <style> body, a style attribute, any
// attribute value) that imports or points outside the document.
func checkCSS(s string) error {
	l := strings.ToLower(s)
	if strings.Contains(l, "@import") {
		return errors.New("must not import style sheets")
	}
	if strings.Contains(l, "javascript:") || strings.Contains(l, "expression(") {
		return errors.New("must not contain scripts in styles")
	}
	for rest := l; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return nil
		}
		rest = rest[i+len("url("):]
		target := strings.TrimLeft(rest, " \t\r\n\"'")
		if !safeRef(target) {
			return errors.New("must not reference external resources in url(...)")
		}
	}
}

func clipValue(v string) string {
	if len(v) > 60 {
		return v[:60] + "…"
	}
	return v
}
