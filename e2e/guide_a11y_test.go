package e2e

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// a11yAuditJS inspects the page as it is now and returns its violations
// as JSON strings: form controls without an accessible label, images
// without alt, buttons and links without an accessible name, duplicate
// ids, a destructive button outside a confirmation box, and text below the WCAG AA contrast (4.5:1, 3:1 for large text)
// computed from the computed colours of the text and of its effective
// background (the ancestors' background colours blended, white below
// them). Elements that are not rendered are skipped.
const a11yAuditJS = `(() => {
  const out = [];
  const rendered = el => {
    if (!el.isConnected || el.closest("[hidden],[inert],template")) return false;
    const s = getComputedStyle(el);
    return s.display !== "none" && s.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  const desc = el => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += "#" + el.id;
    else if (typeof el.className === "string" && el.className.trim()) d += "." + el.className.trim().split(/\s+/).join(".");
    if (el.getAttribute("name")) d += "[name=" + el.getAttribute("name") + "]";
    const t = String(el.innerText || el.value || "").trim().slice(0, 30);
    return t ? d + " \"" + t + "\"" : d;
  };
  // text is the accessible text of a subtree: text nodes, image alts,
  // aria-labels; aria-hidden parts count for nothing.
  const text = node => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return "";
    if (node.getAttribute("aria-hidden") === "true") return "";
    if (node.getAttribute("aria-label")) return node.getAttribute("aria-label");
    if (node.tagName === "IMG") return node.getAttribute("alt") || "";
    if (node.tagName === "svg") { const t = node.querySelector("title"); return t ? t.textContent : ""; }
    return [...node.childNodes].map(text).join(" ");
  };
  const byIds = ids => ids.split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(text).join(" ");
  const name = el => {
    const lb = el.getAttribute("aria-labelledby");
    if (lb && byIds(lb).trim()) return byIds(lb).trim();
    const al = el.getAttribute("aria-label");
    if (al && al.trim()) return al.trim();
    if (el.labels && el.labels.length) {
      const t = [...el.labels].map(text).join(" ").trim();
      if (t) return t;
    }
    if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type)) return el.value || (el.type === "submit" ? "Submit" : "");
    if (el.tagName === "INPUT" && el.type === "image") return el.alt || "";
    if (!["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)) {
      const t = text(el).replace(/\s+/g, " ").trim();
      if (t) return t;
    }
    return (el.getAttribute("title") || "").trim();
  };

  // Form controls need a label; placeholders do not count.
  document.querySelectorAll("input, select, textarea").forEach(el => {
    if (el.type === "hidden" || !rendered(el) && el.type !== "file") return;
    if (["submit", "button", "reset", "image"].includes(el.type)) return;
    if (!name(el)) out.push("form control without a label: " + desc(el));
  });
  // Buttons and links need a name.
  document.querySelectorAll("button, a[href], [role=button], [role=link], summary").forEach(el => {
    if (!rendered(el) && !el.classList.contains("skip-link")) return;
    if (el.closest("[aria-hidden=true]")) {
      // Hidden from screen readers: then it must not take keyboard focus either.
      if (el.tabIndex >= 0) out.push("focusable element inside aria-hidden: " + desc(el));
      return;
    }
    if (!name(el)) out.push((el.tagName === "A" ? "link" : "button") + " without an accessible name: " + desc(el));
  });
  document.querySelectorAll("input[type=submit], input[type=button], input[type=image]").forEach(el => {
    if (rendered(el) && !name(el)) out.push("button without an accessible name: " + desc(el));
  });
  // Images need alt (alt="" marks decoration); SVG images need a name.
  document.querySelectorAll("img").forEach(el => {
    if (!el.hasAttribute("alt")) out.push("image without alt: " + desc(el) + " " + (el.getAttribute("src") || "").slice(0, 60));
  });
  document.querySelectorAll("svg[role=img]").forEach(el => {
    if (!name(el)) out.push("svg image without a name: " + desc(el));
  });
  // A destructive action (delete, revoke, release, remove the logo, stop)
  // asks first: its button may only post from a confirmation box.
  document.querySelectorAll("form button:not([type=button]), form input[type=submit]").forEach(bt => {
    if (!rendered(bt) || bt.closest("#confirm-box, .confirm-box")) return;
    if (/^(delete|revoke|release|remove( the)? logo|purge|stop)\b/i.test(name(bt)))
      out.push("destructive action without a confirmation step: " + desc(bt));
  });
  // ARIA references and label targets exist.
  document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls]").forEach(el => {
    for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
      (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean).forEach(id => {
        if (!document.getElementById(id)) out.push(attr + " names a missing id " + id + ": " + desc(el));
      });
    }
  });
  document.querySelectorAll("label[for]").forEach(l => {
    const c = document.getElementById(l.htmlFor);
    if (!c || !["INPUT", "SELECT", "TEXTAREA", "METER", "PROGRESS", "OUTPUT", "BUTTON"].includes(c.tagName))
      out.push("label for a missing control " + l.htmlFor + ": " + desc(l));
  });
  // The page says its language and title, and has one main landmark and one h1.
  if (!document.documentElement.lang) out.push("<html> has no lang");
  if (!document.title.trim()) out.push("the page has no title");
  if (document.querySelectorAll("main").length !== 1) out.push(document.querySelectorAll("main").length + " <main> elements");
  if (document.querySelectorAll("h1").length !== 1) out.push(document.querySelectorAll("h1").length + " <h1> elements");
  // Ids are unique.
  const seen = {};
  document.querySelectorAll("[id]").forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
  Object.keys(seen).filter(id => seen[id] > 1).forEach(id => out.push("duplicate id: " + id + " (" + seen[id] + " times)"));

  // Contrast.
  const rgba = s => {
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, bottom) => {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return {r: 0, g: 0, b: 0, a: 0};
    const c = k => (top[k] * top.a + bottom[k] * bottom.a * (1 - top.a)) / a;
    return {r: c("r"), g: c("g"), b: c("b"), a: a};
  };
  // background behind el: null when an image or gradient makes it unknown.
  const background = el => {
    const layers = [];
    for (let e = el; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== "none") return null;
      const c = rgba(s.backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const checked = new Set();
  const candidates = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || !n.parentElement) continue;
    candidates.push(n.parentElement);
  }
  document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea")
    .forEach(el => { if (String(el.value)) candidates.push(el); });
  for (const el of candidates) {
    if (checked.has(el)) continue;
    checked.add(el);
    if (!rendered(el) || el.closest(".visually-hidden, .skip-link, svg, [aria-hidden=true], progress, meter")) continue; // progress and meter text is fallback, not shown
    if (el.closest(":disabled, [aria-disabled=true]")) continue; // WCAG 1.4.3 exempts inactive controls
    const s = getComputedStyle(el);
    let fg = rgba(s.color);
    const bg = background(el);
    if (!fg || !bg) continue;
    // Opacity of the element and its ancestors fades the text into the background.
    let op = 1;
    for (let e = el; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) op *= parseFloat(getComputedStyle(e).opacity);
    fg = over({r: fg.r, g: fg.g, b: fg.b, a: fg.a * op}, bg);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const large = size >= 24 || bold && size >= 18.66;
    const r = ratio(fg, bg), need = large ? 3 : 4.5;
    if (r < need) out.push("contrast " + r.toFixed(2) + ":1 < " + need + ":1: " + desc(el) + " (" + s.color + " on rgb(" +
      [bg.r, bg.g, bg.b].map(Math.round).join(", ") + "), " + s.fontSize + ")");
  }
  return JSON.stringify(out);
})()`

// a11yTabbablesJS marks every element that should take keyboard focus
// (rendered, enabled, not tabindex=-1; one radio per group; a scroll
// container Chromium makes a Tab stop) with
// data-fg-tab=<DOM order> and returns how many there are; elements with
// a positive tabindex (which breaks the visible order) are returned as
// violations.
const a11yTabbablesJS = `(() => {
  document.querySelectorAll("[data-fg-tab]").forEach(e => e.removeAttribute("data-fg-tab"));
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], iframe, [contenteditable=true]";
  const bad = [];
  const radios = {};
  let n = 0;
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  window.__fgShadow = new Map();
  // Chromium makes a scroll container that overflows and holds nothing
  // focusable a Tab stop of its own (so the keyboard can scroll it): a
  // wide table in its .table-wrap. It is expected in document order.
  const scroller = el => {
    const s = getComputedStyle(el);
    const scrolls = v => v === "auto" || v === "scroll";
    return ((scrolls(s.overflowX) && el.scrollWidth > el.clientWidth) ||
      (scrolls(s.overflowY) && el.scrollHeight > el.clientHeight)) && !el.querySelector(sel);
  };
  document.querySelectorAll("*").forEach(el => {
    const tabbable = el.matches(sel);
    if (!tabbable && !scroller(el)) return;
    if (el.id === "fg-tab-start") return;
    if (el.disabled || el.closest("[inert],[hidden],template")) return;
    if (el.tabIndex < 0 && (tabbable || el.hasAttribute("tabindex"))) return;
    if (el.tabIndex > 0) bad.push("positive tabindex breaks the visible order: " + el.outerHTML.slice(0, 80));
    const s = getComputedStyle(el);
    const closedDetails = el.closest("details:not([open])");
    if (closedDetails && el.tagName !== "SUMMARY") return;
    if (s.display === "none" || s.visibility === "hidden" || el.getClientRects().length === 0) {
      if (!el.classList.contains("skip-link") && !(el.type === "file")) return;
    }
    if (el.type === "radio") {
      const k = el.form ? el.name : "-" + el.name;
      if (radios[k]) return;
      radios[k] = true;
    }
    el.setAttribute("data-fg-tab", String(n++));
    window.__fgShadow.set(el, s.boxShadow); // unfocused: the focus ring must differ
  });
  return JSON.stringify({count: n, bad: bad});
})()`

// a11yFocusedJS describes the focused element after a Tab: its mark, a
// description, whether a focus ring shows (outline or box-shadow) and
// whether it is on screen.
const a11yFocusedJS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return JSON.stringify({end: true});
  if (el.id === "fg-tab-start") return JSON.stringify({start: true});
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  let ring = outline;
  if (!ring && s.boxShadow && s.boxShadow !== "none") {
    // A box-shadow counts only when focus brought it.
    ring = !window.__fgShadow || window.__fgShadow.get(el) !== s.boxShadow;
  }
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  let d = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "");
  const t = (el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 30);
  if (t) d += " \"" + t + "\"";
  return JSON.stringify({mark: el.getAttribute("data-fg-tab"), desc: d, ring: !!ring, onScreen: onScreen,
    skip: el.classList.contains("skip-link") && (el.getAttribute("href") || "").startsWith("#") &&
      !!document.getElementById(el.getAttribute("href").slice(1)) &&
      document.getElementById(el.getAttribute("href").slice(1)).tagName === "MAIN",
    inNav: !!el.closest("nav")});
})()`

type focusStep struct {
	End, Start, Ring, OnScreen, Skip, InNav bool
	Mark                                    *string
	Desc                                    string
}

// audit runs the accessibility checks on the page the browser shows and
// reports every violation as a test error named after page: the static
// audit (a11yAuditJS) and the keyboard walk (keyboardWalk).
func (b *browser) audit(page string) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](a11yAuditJS))
	if err != nil {
		b.fail(err)
	}
	var issues []string
	if err := json.Unmarshal([]byte(raw), &issues); err != nil {
		b.fail(err)
	}
	issues = append(issues, b.keyboardWalk(page)...)
	for _, is := range issues {
		b.t.Errorf("a11y %s: %s", page, is)
	}
}

// keyboardWalk presses Tab from the top of the page until focus leaves
// it, and returns what is wrong: the first stop is not a skip link to
// <main>, an element that should take focus is never reached, the order
// is not the document's (which the layout follows), or a focused element
// shows no focus ring or is off screen.
func (b *browser) keyboardWalk(page string) []string {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](a11yTabbablesJS))
	if err != nil {
		b.fail(err)
	}
	var tabs struct {
		Count int
		Bad   []string
	}
	if err := json.Unmarshal([]byte(raw), &tabs); err != nil {
		b.fail(err)
	}
	issues := tabs.Bad
	// Start from the top: a focusable marker before everything, focused
	// by script, so that the first Tab goes where a fresh page's would.
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.createElement("span"); s.id = "fg-tab-start";
		s.tabIndex = 0; document.body.prepend(s); window.scrollTo(0, 0); s.focus() })()`))
	defer b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("fg-tab-start")?.remove()`))
	reached := map[string]bool{}
	last, prev := -1, ""
	// Date and time inputs take one Tab per part (day, month, year...).
	for i := 0; i < 4*tabs.Count+5; i++ {
		b.do(chromedp.KeyEvent(kb.Tab))
		raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](a11yFocusedJS))
		if err != nil {
			b.fail(err)
		}
		var f focusStep
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			b.fail(err)
		}
		if f.End || f.Start {
			break
		}
		if len(reached) == 0 && !f.Skip {
			issues = append(issues, "the first Tab stop is not a skip link to <main>: "+f.Desc)
		}
		if f.Mark == nil {
			issues = append(issues, "focus went to an element that is not rendered or not expected: "+f.Desc)
			if len(issues) > 50 {
				break
			}
			continue
		}
		if *f.Mark == prev {
			continue // the next part of the same input
		}
		prev = *f.Mark
		var n int
		fmt.Sscan(*f.Mark, &n)
		if reached[*f.Mark] {
			break // wrapped around
		}
		reached[*f.Mark] = true
		if n < last {
			issues = append(issues, fmt.Sprintf("Tab order goes back up the page at %s", f.Desc))
		}
		last = n
		if !f.Ring {
			issues = append(issues, "no visible focus (outline or box-shadow) on "+f.Desc)
		}
		if !f.OnScreen {
			issues = append(issues, "focused element is off screen: "+f.Desc)
		}
	}
	b.t.Logf("a11y %s: Tab reached %d of %d interactive elements", page, len(reached), tabs.Count)
	if len(reached) < tabs.Count {
		raw, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll("[data-fg-tab]")].map(
			e => e.getAttribute("data-fg-tab") + " " + e.outerHTML.slice(0, 90)))`))
		var all []string
		_ = json.Unmarshal([]byte(raw), &all)
		var missed []string
		for _, a := range all {
			mark, _, _ := strings.Cut(a, " ")
			if !reached[mark] {
				missed = append(missed, a)
			}
		}
		issues = append(issues, fmt.Sprintf("Tab reaches %d of %d interactive elements; missed: %s", len(reached),
			tabs.Count, strings.Join(missed, " | ")))
	}
	return issues
}

// phoneCheck shows the page at 390×844, saves a screenshot, and reports a
// horizontal overflow (the page wider than the screen) and, on portal
// pages, a menu that the keyboard cannot open, enter and close.
func (b *browser) phoneCheck(url, name string) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	defer b.do(chromedp.EmulateViewport(1280, 900))
	b.do(chromedp.Navigate(url))
	b.poll(`document.readyState === "complete"`)
	over, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
		const w = document.documentElement.scrollWidth;
		if (w <= innerWidth) return "";
		const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 1 &&
			!e.closest(".table-wrap, .sidenav")).slice(0, 3).map(e => e.tagName.toLowerCase() + "." + e.className);
		return "scrollWidth " + w + " > " + innerWidth + ": " + wide.join(", ") })()`))
	if err != nil {
		b.fail(err)
	}
	if over != "" {
		b.t.Errorf("phone %s: horizontal overflow: %s", name, over)
	}
	b.shot(name)
	hasNav, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector(".nav-toggle")`))
	if !hasNav {
		return
	}
	// The menu: the toggle takes focus, Enter opens it, Tab goes into
	// its links, Escape closes it and gives focus back to the toggle.
	b.do(chromedp.Focus(chromedp.CSS(".nav-toggle")), chromedp.KeyEvent(kb.Enter))
	b.poll(`document.querySelector(".nav-toggle").getAttribute("aria-expanded") === "true" &&
		getComputedStyle(document.getElementById("sidenav")).display !== "none"`)
	b.do(chromedp.KeyEvent(kb.Tab))
	inNav, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.activeElement && !!document.activeElement.closest("#sidenav")`))
	if !inNav {
		// The account links may come between the toggle and the menu.
		for range 4 {
			b.do(chromedp.KeyEvent(kb.Tab))
			if ok, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.activeElement.closest("#sidenav")`)); ok {
				inNav = true
				break
			}
		}
	}
	if !inNav {
		b.t.Errorf("phone %s: Tab after opening the menu does not reach its links", name)
	}
	b.shot(name + "-menu")
	b.do(chromedp.KeyEvent(kb.Escape))
	b.poll(`document.querySelector(".nav-toggle").getAttribute("aria-expanded") === "false" &&
		document.activeElement === document.querySelector(".nav-toggle")`)
}

// auditSelfTest plants one violation of each kind in the page and checks
// that the audit reports each, so that a clean audit means something.
func (b *browser) auditSelfTest() {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const box = document.createElement("div"); box.id = "fg-selftest";
		const p = document.createElement("p"); p.textContent = "pale text"; p.style.color = "#b0b0b0"; box.append(p);
		const big = document.createElement("p"); big.textContent = "big pale"; big.style.color = "#767676";
		big.style.fontSize = "30px"; box.append(big); // about 4.2:1 on the page background: passes as large text
		const i = document.createElement("input"); i.name = "unlabelled"; box.append(i);
		const img = document.createElement("img"); img.src = "/static/favicon.svg"; box.append(img);
		const a = document.createElement("a"); a.href = "/"; box.append(a);
		const bt = document.createElement("button"); bt.type = "button"; box.append(bt);
		const d1 = document.createElement("span"); d1.id = "fg-dup"; const d2 = document.createElement("span"); d2.id = "fg-dup";
		box.append(d1, d2);
		const f = document.createElement("form"); f.method = "post"; f.action = "/nowhere";
		const del = document.createElement("button"); del.textContent = "Delete everything"; f.append(del); box.append(f);
		document.querySelector("main").append(box) })()`))
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](a11yAuditJS))
	if err != nil {
		b.fail(err)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("fg-selftest").remove()`))
	for _, want := range []string{"contrast 2.", "form control without a label: input[name=unlabelled]",
		"image without alt: img", "link without an accessible name: a", "button without an accessible name: button",
		"duplicate id: fg-dup", "destructive action without a confirmation step: button"} {
		if !strings.Contains(raw, want) {
			b.t.Errorf("the audit misses a planted violation %q: %s", want, raw)
		}
	}
	if strings.Contains(raw, "big pale") {
		b.t.Errorf("the audit applies the normal-text ratio to large text: %s", raw)
	}
}
