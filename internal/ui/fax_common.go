package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"faxgate/internal/api"
	"faxgate/internal/model"
)

// outboundHome is the outbound list, for admins narrowed to the tenant.
func outboundHome(actor model.Actor, tenantID string) string {
	if !actor.IsAdmin() || tenantID == "" {
		return "/outbound"
	}
	return "/outbound?tenant_id=" + url.QueryEscape(tenantID)
}

// faxView is an outbound fax as the pages show it.
type faxView struct {
	model.Fax
	Tenant string // tenant name, for admins
}

// URL is the fax's detail page.
func (f faxView) URL() string { return "/outbound/" + f.ID }

// DisplayTitle is the title, or "Fax to <number>" without one.
func (f faxView) DisplayTitle() string {
	if f.Title != "" {
		return f.Title
	}
	return "Fax to " + f.To
}

// Final reports whether nothing will happen to the fax any more.
func (f faxView) Final() bool { return f.Status.Final() }

// Cancelable reports whether the fax may still be canceled (queued,
// waiting for a retry or in a call).
func (f faxView) Cancelable() bool { return !f.Status.Final() }

// StatusLabel is the status in words.
func (f faxView) StatusLabel() string { return faxStatusLabel(f.Status) }

// BadgeClass picks the badge colour of the status.
func (f faxView) BadgeClass() string {
	switch f.Status {
	case model.FaxDelivered:
		return "badge-ok"
	case model.FaxFailed:
		return "badge-failed"
	case model.FaxCanceled:
		return "badge-off"
	}
	return "badge-processing"
}

// Outcome explains in plain words why the fax is where it is: the cause
// of the last failed call, what happens next, or a delivery.
func (f faxView) Outcome() string {
	switch f.Status {
	case model.FaxDelivered:
		if f.PagesSent >= f.Pages {
			return "Delivered: " + pagesText(f.Pages) + "."
		}
		return fmt.Sprintf("Delivered: %d of %d pages.", f.PagesSent, f.Pages)
	case model.FaxCanceled:
		return "Canceled."
	case model.FaxQueued:
		if !f.SendAt.IsZero() && f.Tries == 0 {
			return "Waiting to be sent at " + formatTime(f.SendAt) + "."
		}
		return "Waiting for a free line."
	case model.FaxSending:
		if f.CancelRequested {
			return "Hanging up: cancel requested."
		}
		return "In a call now."
	}
	why := causeWords(f.Cause)
	if f.Status == model.FaxRetrying {
		return why + " Next try " + formatTime(f.NextAttemptAt) + "."
	}
	return why
}

// AttemptsText is "tries used of tries allowed".
func (f faxView) AttemptsText() string { return fmt.Sprintf("%d of %d", f.Tries, f.Retries+1) }

// PDFURL and TIFFURL download the sent pages: the API serves them, the
// session cookie authenticates the portal's links.
func (f faxView) PDFURL() string  { return api.Prefix + "/faxes/" + f.ID + "/file?format=pdf" }
func (f faxView) TIFFURL() string { return api.Prefix + "/faxes/" + f.ID + "/file?format=tiff" }

// faxStatusLabel is a fax status in words.
func faxStatusLabel(s model.FaxStatus) string {
	switch s {
	case model.FaxQueued:
		return "Queued"
	case model.FaxSending:
		return "Sending"
	case model.FaxRetrying:
		return "Retrying"
	case model.FaxDelivered:
		return "Delivered"
	case model.FaxFailed:
		return "Failed"
	case model.FaxCanceled:
		return "Canceled"
	}
	return string(s)
}

// causeWords says what a failure cause means for the person who sent the
// fax.
func causeWords(c model.Cause) string {
	switch c {
	case model.CauseBusy:
		return "The line was busy."
	case model.CauseNoAnswer:
		return "Nobody answered."
	case model.CauseRejected:
		return "The call was refused."
	case model.CauseUnreachable:
		return "The number cannot be reached: check it."
	case model.CauseFaxNegotiation:
		return "The call was answered, but not by a fax machine."
	case model.CauseFaxTransfer:
		return "The connection broke off while the pages were sent."
	case model.CauseNetwork:
		return "The phone network failed."
	case model.CauseCanceled:
		return "Canceled."
	case model.CauseInternal:
		return "faxgate could not place the call."
	case model.CauseNone:
		return ""
	}
	return string(c)
}

// outboundStatusOptions are the statuses of the list filter.
func outboundStatusOptions() []option {
	opts := []option{{"", "Any status"}}
	for _, s := range []model.FaxStatus{model.FaxQueued, model.FaxSending, model.FaxRetrying, model.FaxDelivered,
		model.FaxFailed, model.FaxCanceled} {
		opts = append(opts, option{string(s), faxStatusLabel(s)})
	}
	return opts
}

// attemptView is one call of a fax, for the timeline.
type attemptView struct{ model.Attempt }

// TransportLabel names how the pages travelled.
func (a attemptView) TransportLabel() string {
	switch a.Transport {
	case model.TransportT38:
		return "T.38"
	case model.TransportG711:
		return "G.711 audio"
	}
	return "—"
}

// Result is the call's outcome in words.
func (a attemptView) Result() string {
	switch {
	case !a.Status.Ended():
		return "In progress (" + string(a.Status) + ")"
	case a.Cause == model.CauseNone:
		return "Completed"
	}
	return causeWords(a.Cause)
}

// OK reports whether the call delivered the fax.
func (a attemptView) OK() bool { return a.Status.Ended() && a.Cause == model.CauseNone }

// RateText is the bit rate and error correction, when a fax phase ran.
func (a attemptView) RateText() string {
	if a.BitRate == 0 {
		return "—"
	}
	s := fmt.Sprintf("%d bit/s", a.BitRate)
	if a.ECMUsed {
		s += ", ECM"
	}
	return s
}

// AnsweredText and EndedText are the times of day of the answer and the
// end (the date is the start's), "—" when the call never got there.
func (a attemptView) AnsweredText() string { return clockTime(a.AnsweredAt) }
func (a attemptView) EndedText() string    { return clockTime(a.EndedAt) }

func clockTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("15:04:05")
}

// Duration is how long the call lasted.
func (a attemptView) Duration() string {
	if a.EndedAt.IsZero() || a.StartedAt.IsZero() {
		return "—"
	}
	return a.EndedAt.Sub(a.StartedAt).Round(time.Second).String()
}

// loadFax reads the {id} outbound fax the actor may see with its
// attempts; it answers 404 itself (also for other tenants' and inbound
// faxes) and returns false then.
func (h *Handler) loadFax(w http.ResponseWriter, r *http.Request) (model.Fax, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixFax, id) {
		h.notFoundPage(w, r)
		return model.Fax{}, false
	}
	f, err := h.fax.Get(r.Context(), actorOf(r), id)
	if err == nil && f.Direction != model.Outbound {
		err = model.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return model.Fax{}, false
	}
	return f, true
}

// limitMessage words a page-limit refusal (the service's error carries
// the numbers).
func limitMessage(err error) string {
	_, detail, _ := strings.Cut(err.Error(), ": ")
	msg := "Fax limit exceeded: this fax would pass your account's page limit."
	if detail != "" && detail != err.Error() {
		msg += " " + sentence(detail)
	}
	return msg + " Try again tomorrow (daily limit) or next month (monthly limit), or ask your administrator."
}

// isLimit reports whether err is a page-limit refusal.
func isLimit(err error) bool { return errors.Is(err, model.ErrLimitExceeded) }

// hasOption reports whether value is one of the options.
func hasOption(opts []option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// errorText words a refusal for a flash message: a validation error lists
// its fields, anything else is the service's sentence.
func errorText(err error) string {
	var ve *model.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		return sentence(err.Error())
	}
	parts := make([]string, 0, len(ve.Fields))
	for k, v := range ve.Fields {
		parts = append(parts, fieldName(k)+": "+v)
	}
	slices.Sort(parts)
	return sentence(strings.Join(parts, "; "))
}
