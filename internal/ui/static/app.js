// faxgate portal: small progressive enhancements. Every page works without
// this file; it adds the collapsible menu on phones, copy buttons, the logo
// preview and focus handling for htmx-loaded content. No inline scripts:
// the Content-Security-Policy allows only files from this origin.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function onReady(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function setupNav() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("sidenav");
    if (!toggle || !nav) return;
    function setOpen(open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(!nav.classList.contains("open"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function copyText(input, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = old; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        input.select();
      });
      return;
    }
    input.select();
    try {
      if (document.execCommand("copy")) done();
    } catch (err) { /* the text stays selected for Ctrl+C */ }
  }

  function setupCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) return;
      button.addEventListener("click", function () { copyText(input, button); });
    });
    root.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  function setupLogoPreview(root) {
    var file = root.querySelector("input[type=file][name=logo]");
    var img = document.getElementById("logo-preview");
    var caption = document.getElementById("logo-caption");
    if (!file || !img) return;
    var url = null;
    file.addEventListener("change", function () {
      if (url) URL.revokeObjectURL(url);
      if (!file.files || !file.files[0]) return;
      url = URL.createObjectURL(file.files[0]);
      img.src = url;
      img.alt = "Preview of the new logo";
      img.hidden = false;
      if (caption) caption.textContent = "Preview: not saved yet";
    });
  }

  // Times are rendered in UTC (<time datetime data-local>); show them in
  // the account's time zone (data-tz on <html>, else the browser's).
  var timeFormat = null;
  function localizeTimes(root) {
    if (!root || !root.querySelectorAll) return;
    if (!timeFormat) {
      var tz = document.documentElement.getAttribute("data-tz") || undefined;
      try {
        timeFormat = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit",
          day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" });
      } catch (err) { return; } // unknown zone: the UTC text stays
    }
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      var p = {};
      timeFormat.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
      el.textContent = p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute +
        (p.timeZoneName ? " " + p.timeZoneName : "");
      el.removeAttribute("data-local");
    });
  }
  document.addEventListener("htmx:load", function (e) { localizeTimes(e.detail && e.detail.elt); });

  // htmx swapped in a fragment: move focus to it when it asks (confirm
  // boxes), so keyboard and screen reader users land on it.
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    var f = target.querySelector("[data-focus]");
    if (f) {
      f.setAttribute("tabindex", "-1");
      f.focus();
    }
  });

  // "Cancel" in a confirm box loaded by htmx just closes the box.
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("#confirm-area [data-dismiss]") : null;
    if (!el) return;
    e.preventDefault();
    document.getElementById("confirm-area").innerHTML = "";
  });

  onReady(function () {
    setupNav();
    setupCopy(document);
    setupLogoPreview(document);
    localizeTimes(document);
  });
})();
