//go:build cgo

package t30

/*
#include <spandsp.h>
*/
import "C"

// completionCode ties one T30_ERR_* value (taken from the installed header,
// so a renumbering cannot go unnoticed) to its name and failure class.
type completionCode struct {
	code  int
	name  string
	class FailureClass
}

// completionCodes lists every completion code of spandsp 0.0.6, in header
// order; TestCompletionCodes checks it is complete and indexed by code.
var completionCodes = [...]completionCode{
	{C.T30_ERR_OK, "T30_ERR_OK", ClassNone},

	// Link problems.
	{C.T30_ERR_CEDTONE, "T30_ERR_CEDTONE", ClassNegotiation},
	{C.T30_ERR_T0_EXPIRED, "T30_ERR_T0_EXPIRED", ClassTimeout},
	{C.T30_ERR_T1_EXPIRED, "T30_ERR_T1_EXPIRED", ClassTimeout},
	{C.T30_ERR_T3_EXPIRED, "T30_ERR_T3_EXPIRED", ClassTimeout},
	{C.T30_ERR_HDLC_CARRIER, "T30_ERR_HDLC_CARRIER", ClassTransfer},
	{C.T30_ERR_CANNOT_TRAIN, "T30_ERR_CANNOT_TRAIN", ClassTraining},
	{C.T30_ERR_OPER_INT_FAIL, "T30_ERR_OPER_INT_FAIL", ClassNegotiation},
	{C.T30_ERR_INCOMPATIBLE, "T30_ERR_INCOMPATIBLE", ClassNegotiation},
	{C.T30_ERR_RX_INCAPABLE, "T30_ERR_RX_INCAPABLE", ClassNegotiation},
	{C.T30_ERR_TX_INCAPABLE, "T30_ERR_TX_INCAPABLE", ClassNegotiation},
	{C.T30_ERR_NORESSUPPORT, "T30_ERR_NORESSUPPORT", ClassNegotiation},
	{C.T30_ERR_NOSIZESUPPORT, "T30_ERR_NOSIZESUPPORT", ClassNegotiation},
	{C.T30_ERR_UNEXPECTED, "T30_ERR_UNEXPECTED", ClassTransfer},

	// Returned to a transmitter.
	{C.T30_ERR_TX_BADDCS, "T30_ERR_TX_BADDCS", ClassTraining},
	{C.T30_ERR_TX_BADPG, "T30_ERR_TX_BADPG", ClassRemoteHangup},
	{C.T30_ERR_TX_ECMPHD, "T30_ERR_TX_ECMPHD", ClassTransfer},
	{C.T30_ERR_TX_GOTDCN, "T30_ERR_TX_GOTDCN", ClassRemoteHangup},
	{C.T30_ERR_TX_INVALRSP, "T30_ERR_TX_INVALRSP", ClassTransfer},
	{C.T30_ERR_TX_NODIS, "T30_ERR_TX_NODIS", ClassNegotiation},
	{C.T30_ERR_TX_PHBDEAD, "T30_ERR_TX_PHBDEAD", ClassTraining},
	{C.T30_ERR_TX_PHDDEAD, "T30_ERR_TX_PHDDEAD", ClassTransfer},
	{C.T30_ERR_TX_T5EXP, "T30_ERR_TX_T5EXP", ClassTimeout},

	// Returned to a receiver.
	{C.T30_ERR_RX_ECMPHD, "T30_ERR_RX_ECMPHD", ClassTransfer},
	{C.T30_ERR_RX_GOTDCS, "T30_ERR_RX_GOTDCS", ClassNegotiation},
	{C.T30_ERR_RX_INVALCMD, "T30_ERR_RX_INVALCMD", ClassTransfer},
	{C.T30_ERR_RX_NOCARRIER, "T30_ERR_RX_NOCARRIER", ClassTransfer},
	{C.T30_ERR_RX_NOEOL, "T30_ERR_RX_NOEOL", ClassTransfer},
	{C.T30_ERR_RX_NOFAX, "T30_ERR_RX_NOFAX", ClassTransfer},
	{C.T30_ERR_RX_T2EXPDCN, "T30_ERR_RX_T2EXPDCN", ClassTimeout},
	{C.T30_ERR_RX_T2EXPD, "T30_ERR_RX_T2EXPD", ClassTimeout},
	{C.T30_ERR_RX_T2EXPFAX, "T30_ERR_RX_T2EXPFAX", ClassTimeout},
	{C.T30_ERR_RX_T2EXPMPS, "T30_ERR_RX_T2EXPMPS", ClassTimeout},
	{C.T30_ERR_RX_T2EXPRR, "T30_ERR_RX_T2EXPRR", ClassTimeout},
	{C.T30_ERR_RX_T2EXP, "T30_ERR_RX_T2EXP", ClassTimeout},
	{C.T30_ERR_RX_DCNWHY, "T30_ERR_RX_DCNWHY", ClassRemoteHangup},
	{C.T30_ERR_RX_DCNDATA, "T30_ERR_RX_DCNDATA", ClassRemoteHangup},
	{C.T30_ERR_RX_DCNFAX, "T30_ERR_RX_DCNFAX", ClassRemoteHangup},
	{C.T30_ERR_RX_DCNPHD, "T30_ERR_RX_DCNPHD", ClassRemoteHangup},
	{C.T30_ERR_RX_DCNRRD, "T30_ERR_RX_DCNRRD", ClassRemoteHangup},
	{C.T30_ERR_RX_DCNNORTN, "T30_ERR_RX_DCNNORTN", ClassRemoteHangup},

	// TIFF file problems.
	{C.T30_ERR_FILEERROR, "T30_ERR_FILEERROR", ClassFile},
	{C.T30_ERR_NOPAGE, "T30_ERR_NOPAGE", ClassFile},
	{C.T30_ERR_BADTIFF, "T30_ERR_BADTIFF", ClassFile},
	{C.T30_ERR_BADPAGE, "T30_ERR_BADPAGE", ClassFile},
	{C.T30_ERR_BADTAG, "T30_ERR_BADTAG", ClassFile},
	{C.T30_ERR_BADTIFFHDR, "T30_ERR_BADTIFFHDR", ClassFile},
	{C.T30_ERR_NOMEM, "T30_ERR_NOMEM", ClassInternal},

	// General problems.
	{C.T30_ERR_RETRYDCN, "T30_ERR_RETRYDCN", ClassTransfer},
	{C.T30_ERR_CALLDROPPED, "T30_ERR_CALLDROPPED", ClassRemoteHangup},

	// Feature negotiation issues.
	{C.T30_ERR_NOPOLL, "T30_ERR_NOPOLL", ClassNegotiation},
	{C.T30_ERR_IDENT_UNACCEPTABLE, "T30_ERR_IDENT_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_SUB_UNACCEPTABLE, "T30_ERR_SUB_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_SEP_UNACCEPTABLE, "T30_ERR_SEP_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_PSA_UNACCEPTABLE, "T30_ERR_PSA_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_SID_UNACCEPTABLE, "T30_ERR_SID_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_PWD_UNACCEPTABLE, "T30_ERR_PWD_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_TSA_UNACCEPTABLE, "T30_ERR_TSA_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_IRA_UNACCEPTABLE, "T30_ERR_IRA_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_CIA_UNACCEPTABLE, "T30_ERR_CIA_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_ISP_UNACCEPTABLE, "T30_ERR_ISP_UNACCEPTABLE", ClassNegotiation},
	{C.T30_ERR_CSA_UNACCEPTABLE, "T30_ERR_CSA_UNACCEPTABLE", ClassNegotiation},
}

// Completion codes the package itself refers to.
const (
	CodeOK          = int(C.T30_ERR_OK)
	CodeCallDropped = int(C.T30_ERR_CALLDROPPED)
	// lastCompletionCode is the highest code the 0.0.6 header defines.
	lastCompletionCode = int(C.T30_ERR_CSA_UNACCEPTABLE)
)

// Classify maps a T.30 completion code to its failure class. Codes the
// installed spandsp does not define are ClassInternal.
func Classify(code int) FailureClass {
	if code >= 0 && code < len(completionCodes) && completionCodes[code].code == code {
		return completionCodes[code].class
	}
	return ClassInternal
}

// CodeName returns the T30_ERR_* name of code, or "" if unknown.
func CodeName(code int) string {
	if code >= 0 && code < len(completionCodes) && completionCodes[code].code == code {
		return completionCodes[code].name
	}
	return ""
}

// CompletionText returns spandsp's description of a completion code.
func CompletionText(code int) string {
	return C.GoString(C.t30_completion_code_to_str(C.int(code)))
}
