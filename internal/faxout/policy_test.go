package faxout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"faxgate/internal/faxout/line"
	"faxgate/internal/model"
	"faxgate/internal/telephony/t30"
)

func TestClassify(t *testing.T) {
	answered := func(code int, class t30.FailureClass, negotiated bool, pages int) line.Result {
		return line.Result{Answered: true, SIPCode: 200, T30Code: code, T30Class: class, Negotiated: negotiated,
			Pages: pages, T30Text: "engine text"}
	}
	sip := func(code int) line.Result { return line.Result{SIPCode: code, SIPReason: "reason", T30Code: -1} }
	tests := []struct {
		name                       string
		res                        line.Result
		err, cause                 error
		want                       model.Cause
		failover, final, interrupt bool
	}{
		{"delivered", answered(t30.CodeOK, t30.ClassNone, true, 2), nil, nil, model.CauseNone, false, false, false},
		{"busy 486", sip(486), nil, nil, model.CauseBusy, false, false, false},
		{"busy everywhere 600", sip(600), nil, nil, model.CauseBusy, false, false, false},
		{"no answer 480", sip(480), nil, nil, model.CauseNoAnswer, false, false, false},
		{"request timeout 408", sip(408), nil, nil, model.CauseNoAnswer, false, false, false},
		{"not found 404", sip(404), nil, nil, model.CauseUnreachable, false, true, false},
		{"address incomplete 484", sip(484), nil, nil, model.CauseUnreachable, false, true, false},
		{"does not exist anywhere 604", sip(604), nil, nil, model.CauseUnreachable, false, true, false},
		{"forbidden 403", sip(403), nil, nil, model.CauseRejected, false, true, false},
		{"declined 603", sip(603), nil, nil, model.CauseRejected, false, true, false},
		{"not acceptable here 488", sip(488), nil, nil, model.CauseRejected, false, true, false},
		{"service unavailable 503", sip(503), nil, nil, model.CauseNetwork, true, false, false},
		{"server error 500", sip(500), nil, nil, model.CauseNetwork, true, false, false},
		{"no response", sip(0), nil, nil, model.CauseNetwork, true, false, false},
		{"voice", answered(2, t30.ClassTimeout, false, 0), nil, nil, model.CauseFaxNegotiation, false, false, false},
		{"incompatible", answered(8, t30.ClassNegotiation, true, 0), nil, nil, model.CauseFaxNegotiation, false, false, false},
		{"training", answered(6, t30.ClassTraining, true, 0), nil, nil, model.CauseFaxNegotiation, false, false, false},
		{"dropped mid page", answered(t30.CodeCallDropped, t30.ClassRemoteHangup, true, 1), nil, nil,
			model.CauseFaxTransfer, false, false, false},
		{"timeout after negotiation", answered(3, t30.ClassTimeout, true, 0), nil, nil, model.CauseFaxTransfer, false, false, false},
		{"file", answered(40, t30.ClassFile, true, 0), nil, nil, model.CauseInternal, false, true, false},
		{"canceled by user", answered(-1, "", true, 1), context.Canceled, ErrCanceledByUser, model.CauseCanceled,
			false, true, false},
		{"shutdown", answered(-1, "", true, 1), context.Canceled, errors.New("river stopping"), model.CauseInternal,
			false, false, true},
		{"job timeout", sip(0), context.DeadlineExceeded, context.DeadlineExceeded, model.CauseInternal, false, false, true},
		{"unsendable file", line.Result{T30Code: -1}, fmt.Errorf("x: %w", t30.ErrUnsendable), nil, model.CauseInternal,
			false, true, false},
		{"document gone", line.Result{T30Code: -1}, fmt.Errorf("%w: gone", errDocument), nil, model.CauseInternal,
			false, true, false},
		{"no driver", line.Result{T30Code: -1}, ErrNoDriver, nil, model.CauseInternal, true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := classify(tc.res, tc.err, tc.cause)
			if o.cause != tc.want || o.failover != tc.failover || o.final != tc.final || o.interrupt != tc.interrupt ||
				o.delivered != (tc.want == model.CauseNone) || o.text == "" {
				t.Errorf("classify = %+v; want cause %q failover %v final %v interrupt %v", o, tc.want, tc.failover,
					tc.final, tc.interrupt)
			}
		})
	}
}

func TestRetryDelays(t *testing.T) {
	p := RetryPolicy{Busy: time.Minute, FaxError: 3 * time.Minute}
	faxDelay := 90 * time.Second
	for _, tc := range []struct {
		o    outcome
		want time.Duration
	}{
		{outcome{cause: model.CauseBusy}, time.Minute},
		{outcome{cause: model.CauseNoAnswer}, faxDelay},
		{outcome{cause: model.CauseFaxTransfer}, 3 * time.Minute},
		{outcome{cause: model.CauseFaxNegotiation}, 3 * time.Minute},
		{outcome{cause: model.CauseNetwork}, faxDelay},
		{outcome{cause: model.CauseInternal, interrupt: true}, 5 * time.Second},
	} {
		if got := p.retryDelay(tc.o, faxDelay); got != tc.want {
			t.Errorf("retryDelay(%s) = %v, want %v", tc.o.cause, got, tc.want)
		}
	}
	trunk := model.Trunk{ECM: true}
	for level, want := range []struct {
		ecm  bool
		rate int
	}{{true, 0}, {false, 0}, {false, FallbackMaxBitRate}} {
		if ecm, rate := callParams(level, trunk); ecm != want.ecm || rate != want.rate {
			t.Errorf("level %d: ECM %v rate %d", level, ecm, rate)
		}
	}
	if ecm, _ := callParams(0, model.Trunk{ECM: false}); ecm {
		t.Error("ECM on for a trunk with ECM off")
	}
	if got := fallbackFor(2, outcome{cause: model.CauseFaxTransfer}); got != 2 {
		t.Errorf("fallback past 2: %d", got)
	}
	if got := fallbackFor(0, outcome{cause: model.CauseBusy}); got != 0 {
		t.Errorf("busy raised the fallback: %d", got)
	}
}

func TestHeaderInfo(t *testing.T) {
	tests := []struct {
		f      model.Fax
		tenant string
		fs     model.TenantFaxSettings
		want   string
	}{
		{model.Fax{Pages: 3, CallerID: "+12025550150"}, "ACME Corp", model.TenantFaxSettings{}, "ACME Corp  +1 202-555-0150  3 pages"},
		{model.Fax{Pages: 1}, "ACME Corp", model.TenantFaxSettings{PageHeader: "Sales"}, "Sales  1 page"},
		{model.Fax{Pages: 12, CallerID: "+442079460150"}, "Zürich Logistics Services International Holding AG",
			model.TenantFaxSettings{}, "Z?rich Logistics Servi  +44 20 7946 0150  12 pages"},
	}
	for _, tc := range tests {
		got := headerInfo(tc.f, model.Tenant{Name: tc.tenant}, tc.fs)
		if got != tc.want || len(got) > t30.MaxHeaderInfoLen {
			t.Errorf("headerInfo = %q (%d), want %q", got, len(got), tc.want)
		}
	}
	if got := stationID(model.Fax{CallerID: "+12025550150"}, model.TenantFaxSettings{}); got != "+12025550150" {
		t.Errorf("station id from the caller ID: %q", got)
	}
	if got := stationID(model.Fax{CallerID: "+1"}, model.TenantFaxSettings{StationID: strings.Repeat("9", 25)}); len(got) != 20 {
		t.Errorf("station id not clipped to 20: %q", got)
	}
}
