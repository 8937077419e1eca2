//go:build cgo

package t30

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wantClass is the intended class of every T30_ERR_* code of spandsp 0.0.6,
// written out again so that a change to the table is a visible decision.
var wantClass = map[string]FailureClass{
	"T30_ERR_OK":                 ClassNone,
	"T30_ERR_CEDTONE":            ClassNegotiation,
	"T30_ERR_T0_EXPIRED":         ClassTimeout,
	"T30_ERR_T1_EXPIRED":         ClassTimeout,
	"T30_ERR_T3_EXPIRED":         ClassTimeout,
	"T30_ERR_HDLC_CARRIER":       ClassTransfer,
	"T30_ERR_CANNOT_TRAIN":       ClassTraining,
	"T30_ERR_OPER_INT_FAIL":      ClassNegotiation,
	"T30_ERR_INCOMPATIBLE":       ClassNegotiation,
	"T30_ERR_RX_INCAPABLE":       ClassNegotiation,
	"T30_ERR_TX_INCAPABLE":       ClassNegotiation,
	"T30_ERR_NORESSUPPORT":       ClassNegotiation,
	"T30_ERR_NOSIZESUPPORT":      ClassNegotiation,
	"T30_ERR_UNEXPECTED":         ClassTransfer,
	"T30_ERR_TX_BADDCS":          ClassTraining,
	"T30_ERR_TX_BADPG":           ClassRemoteHangup,
	"T30_ERR_TX_ECMPHD":          ClassTransfer,
	"T30_ERR_TX_GOTDCN":          ClassRemoteHangup,
	"T30_ERR_TX_INVALRSP":        ClassTransfer,
	"T30_ERR_TX_NODIS":           ClassNegotiation,
	"T30_ERR_TX_PHBDEAD":         ClassTraining,
	"T30_ERR_TX_PHDDEAD":         ClassTransfer,
	"T30_ERR_TX_T5EXP":           ClassTimeout,
	"T30_ERR_RX_ECMPHD":          ClassTransfer,
	"T30_ERR_RX_GOTDCS":          ClassNegotiation,
	"T30_ERR_RX_INVALCMD":        ClassTransfer,
	"T30_ERR_RX_NOCARRIER":       ClassTransfer,
	"T30_ERR_RX_NOEOL":           ClassTransfer,
	"T30_ERR_RX_NOFAX":           ClassTransfer,
	"T30_ERR_RX_T2EXPDCN":        ClassTimeout,
	"T30_ERR_RX_T2EXPD":          ClassTimeout,
	"T30_ERR_RX_T2EXPFAX":        ClassTimeout,
	"T30_ERR_RX_T2EXPMPS":        ClassTimeout,
	"T30_ERR_RX_T2EXPRR":         ClassTimeout,
	"T30_ERR_RX_T2EXP":           ClassTimeout,
	"T30_ERR_RX_DCNWHY":          ClassRemoteHangup,
	"T30_ERR_RX_DCNDATA":         ClassRemoteHangup,
	"T30_ERR_RX_DCNFAX":          ClassRemoteHangup,
	"T30_ERR_RX_DCNPHD":          ClassRemoteHangup,
	"T30_ERR_RX_DCNRRD":          ClassRemoteHangup,
	"T30_ERR_RX_DCNNORTN":        ClassRemoteHangup,
	"T30_ERR_FILEERROR":          ClassFile,
	"T30_ERR_NOPAGE":             ClassFile,
	"T30_ERR_BADTIFF":            ClassFile,
	"T30_ERR_BADPAGE":            ClassFile,
	"T30_ERR_BADTAG":             ClassFile,
	"T30_ERR_BADTIFFHDR":         ClassFile,
	"T30_ERR_NOMEM":              ClassInternal,
	"T30_ERR_RETRYDCN":           ClassTransfer,
	"T30_ERR_CALLDROPPED":        ClassRemoteHangup,
	"T30_ERR_NOPOLL":             ClassNegotiation,
	"T30_ERR_IDENT_UNACCEPTABLE": ClassNegotiation,
	"T30_ERR_SUB_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_SEP_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_PSA_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_SID_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_PWD_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_TSA_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_IRA_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_CIA_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_ISP_UNACCEPTABLE":   ClassNegotiation,
	"T30_ERR_CSA_UNACCEPTABLE":   ClassNegotiation,
}

// headerCodes reads the T30_ERR_* enum of the installed t30.h, in order
// (the enum starts at 0 and has no other explicit values).
func headerCodes(t *testing.T) []string {
	t.Helper()
	dir := "/usr/include"
	if out, err := exec.Command("pkg-config", "--variable=includedir", "spandsp").Output(); err == nil {
		dir = strings.TrimSpace(string(out))
	}
	src, err := os.ReadFile(filepath.Join(dir, "spandsp", "t30.h"))
	if err != nil {
		t.Fatalf("installed spandsp header: %v", err)
	}
	text := string(src)
	start := strings.Index(text, "T30_ERR_OK = 0")
	if start < 0 {
		t.Fatal("t30.h: no T30_ERR_OK = 0")
	}
	end := start + strings.Index(text[start:], "};")
	// Only names at the start of an enum line; comments mention none.
	re := regexp.MustCompile(`(?m)^\s*(T30_ERR_[A-Z0-9_]+)\s*(?:=\s*0\s*)?,?\s*(?:/\*|$)`)
	var names []string
	for _, m := range re.FindAllStringSubmatch(text[start:end], -1) {
		names = append(names, m[1])
	}
	return names
}

func TestCompletionCodesMatchHeader(t *testing.T) {
	names := headerCodes(t)
	if len(names) != lastCompletionCode+1 {
		t.Fatalf("header lists %d codes, last code is %d", len(names), lastCompletionCode)
	}
	if len(completionCodes) != len(names) {
		t.Fatalf("table has %d codes, header %d", len(completionCodes), len(names))
	}
	for i, name := range names {
		e := completionCodes[i]
		if e.code != i || e.name != name {
			t.Errorf("table[%d] = %d %s, header says %d %s", i, e.code, e.name, i, name)
		}
	}
}

func TestClassify(t *testing.T) {
	if len(wantClass) != len(completionCodes) {
		t.Fatalf("wantClass has %d entries, table %d", len(wantClass), len(completionCodes))
	}
	texts := map[string]string{}
	for _, e := range completionCodes {
		want, ok := wantClass[e.name]
		if !ok {
			t.Errorf("%s: no expected class", e.name)
			continue
		}
		if got := Classify(e.code); got != want {
			t.Errorf("Classify(%d %s) = %q, want %q", e.code, e.name, got, want)
		}
		if got := CodeName(e.code); got != e.name {
			t.Errorf("CodeName(%d) = %q, want %q", e.code, got, e.name)
		}
		text := CompletionText(e.code)
		if text == "" || text == "???" {
			t.Errorf("CompletionText(%d %s) = %q", e.code, e.name, text)
		}
		if other, dup := texts[text]; dup {
			t.Errorf("%s and %s share the text %q", e.name, other, text)
		}
		texts[text] = e.name
	}
	for _, code := range []int{-1, lastCompletionCode + 1, 1000} {
		if got := Classify(code); got != ClassInternal {
			t.Errorf("Classify(%d) = %q, want internal", code, got)
		}
		if got := CodeName(code); got != "" {
			t.Errorf("CodeName(%d) = %q, want empty", code, got)
		}
	}
	if Classify(CodeOK) != ClassNone || Classify(CodeCallDropped) != ClassRemoteHangup {
		t.Error("named codes misclassified")
	}
}
