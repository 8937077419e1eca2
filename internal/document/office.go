package document

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Office files and PostScript are turned into PDF by an external program,
// then rendered like any PDF:
//
//	soffice --headless --norestore --nolockcheck -env:UserInstallation=file:///<private dir>
//	        --convert-to pdf --outdir <private dir> <input>
//	gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -sOutputFile=<out.pdf> <input>
//
// Each run gets its own temporary folder (the input copy, LibreOffice's
// profile, the output), removed afterwards, so concurrent conversions never
// share a profile (LibreOffice refuses to run twice on one). The program
// runs in its own process group with HOME pointing into that folder; on
// timeout or cancellation the whole group is killed.

// tool finds an external program: an explicit path, "-" for none, or the
// first of names on PATH.
func tool(configured string, names ...string) string {
	switch configured {
	case "-":
		return ""
	case "":
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	return configured
}

// officeExt is the extension LibreOffice gets to see; it detects by content
// too, but the right name avoids its import dialogs.
var officeExt = map[Format]string{
	FormatDOC: ".doc", FormatDOCX: ".docx", FormatODT: ".odt", FormatRTF: ".rtf",
	FormatXLS: ".xls", FormatXLSX: ".xlsx", FormatODS: ".ods",
	FormatPPT: ".ppt", FormatPPTX: ".pptx", FormatODP: ".odp", FormatODG: ".odg", FormatHTML: ".html",
}

func (j *job) convertOffice(format Format, r io.Reader) error {
	soffice := tool(j.c.cfg.SofficePath, "soffice", "libreoffice")
	if soffice == "" {
		return failf(KindNeedsLibreOffice, nil, msgNeedsLibreOffice)
	}
	return j.viaPDF(r, "input"+officeExt[format], "input.pdf", func(dir, in, _ string) []string {
		seedProfile(filepath.Join(dir, "profile"))
		profile := (&url.URL{Scheme: "file", Path: filepath.Join(dir, "profile")}).String()
		return []string{soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
			"-env:UserInstallation=" + profile, "--convert-to", "pdf", "--outdir", dir, in}
	}, "LibreOffice")
}

// officeSettings harden the private LibreOffice profile: no macros at all
// (not even "trusted" ones) and no loading of resources a document links
// to from outside (the file comes from a stranger). LibreOffice itself is
// not network-isolated by this; run the server where that matters.
const officeSettings = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
`

// seedProfile writes officeSettings where LibreOffice reads a new
// profile's settings; a failure only loses the hardening, so it is ignored
// (the conversion itself reports real problems).
func seedProfile(profile string) {
	user := filepath.Join(profile, "user")
	if os.MkdirAll(user, 0o700) == nil {
		os.WriteFile(filepath.Join(user, "registrymodifications.xcu"), []byte(officeSettings), 0o600)
	}
}

func (j *job) convertPostScript(r io.Reader) error {
	gs := tool(j.c.cfg.GhostscriptPath, "gs")
	if gs == "" {
		return failf(KindNeedsGhostscript, nil, msgNeedsGhostscript)
	}
	return j.viaPDF(r, "input.ps", "output.pdf", func(_, in, out string) []string {
		return []string{gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sOutputFile=" + out, in}
	}, "Ghostscript")
}

// viaPDF copies r into a private folder, runs the command built by args
// (dir, input path, expected output path) and renders the PDF it made.
func (j *job) viaPDF(r io.Reader, inName, outName string, args func(dir, in, out string) []string, toolName string) error {
	dir, err := os.MkdirTemp(j.c.cfg.TempDir, "faxgate-convert-")
	if err != nil {
		return fmt.Errorf("document: %w", err)
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, inName), filepath.Join(dir, outName)
	if err := writeFile(in, r); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	if err := j.runTool(dir, args(dir, in, out), toolName); err != nil {
		return err
	}
	f, err := os.Open(out)
	if err != nil {
		return failf(KindCorrupt, err, "%s could not convert the file (it may be damaged or password-protected)", toolName)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return failf(KindCorrupt, err, "%s could not convert the file (it may be damaged or password-protected)", toolName)
	}
	return j.convertPDF(f, st.Size(), "")
}

func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runTool runs argv with the office timeout, killing its process group on
// timeout or cancellation.
func (j *job) runTool(dir string, argv []string, toolName string) error {
	ctx, cancel := context.WithTimeout(j.ctx, j.opts.OfficeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TMPDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	err := cmd.Run()
	// Helpers that outlived the main process (LibreOffice's soffice.bin).
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	switch {
	case j.ctx.Err() != nil:
		return j.ctx.Err()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return failf(KindTimeout, ctx.Err(), "%s took longer than %v to convert the file", toolName, j.opts.OfficeTimeout)
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return failf(KindCorrupt, fmt.Errorf("%v: %s", err, msg), "%s could not convert the file (it may be damaged or password-protected)", toolName)
	}
	return nil
}
