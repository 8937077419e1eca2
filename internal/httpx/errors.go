package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"faxgate/internal/model"
)

// BadRequestError is a malformed request: bad JSON, a wrong type, an unknown
// field, a bad query parameter (HTTP 400). Field names the offending field
// when known.
type BadRequestError struct {
	Message string
	Field   string
}

func (e *BadRequestError) Error() string { return e.Message }

// BadRequest returns a *BadRequestError with a formatted message.
func BadRequest(format string, args ...any) error {
	return &BadRequestError{Message: fmt.Sprintf(format, args...)}
}

// ErrUnsupportedMediaType is returned for a request body of the wrong
// Content-Type (HTTP 415).
var ErrUnsupportedMediaType = errors.New("unsupported content type; send application/json")

// ErrMethodNotAllowed is a request with a method the path does not serve
// (HTTP 405; the caller sets Allow).
var ErrMethodNotAllowed = errors.New("method not allowed")

// ErrCrossOrigin is the refusal of a cross-origin state-changing request
// (HTTP 403).
var ErrCrossOrigin = errors.New("cross-origin request refused")

// Problem is the HTTP view of an error: status, stable machine-readable
// code, a message safe to show to the client, optional field details, and
// Retry-After for 429s.
type Problem struct {
	Status     int
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration
}

// Internal reports whether the problem is a server fault whose details must
// stay in the logs.
func (p Problem) Internal() bool { return p.Status >= 500 }

// Classify maps an error to its HTTP Problem. It is the one place where
// domain errors become status codes; WriteError and the portal both use it.
func Classify(err error) Problem {
	if p, ok := classifyTyped(err); ok {
		return p
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			// Services wrap sentinels with a message meant for the user
			// (fmt.Errorf("%w: ...")); a bare sentinel gets our wording.
			msg := err.Error()
			if err == s.err && s.message != "" {
				msg = s.message
			}
			return Problem{Status: s.status, Code: s.code, Message: msg}
		}
	}
	return Problem{Status: http.StatusInternalServerError, Code: "internal",
		Message: "internal server error; the details are in the server log"}
}

func classifyTyped(err error) (Problem, bool) {
	var (
		ve  *model.ValidationError
		ce  *model.ConflictError
		te  *model.ThrottledError
		me  *http.MaxBytesError
		bre *BadRequestError
	)
	switch {
	case errors.As(err, &ve):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_input",
			Message: "some fields are invalid", Fields: ve.Fields}, true
	case errors.As(err, &ce):
		return Problem{Status: http.StatusConflict, Code: "conflict", Message: ce.Error(),
			Fields: map[string]string{ce.Field: "already in use"}}, true
	case errors.As(err, &te):
		return Problem{Status: http.StatusTooManyRequests, Code: "throttled", Message: te.Error(),
			RetryAfter: te.RetryAfter}, true
	case errors.As(err, &me):
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("request body larger than %d bytes", me.Limit)}, true
	case errors.As(err, &bre):
		p := Problem{Status: http.StatusBadRequest, Code: "bad_request", Message: bre.Message}
		if bre.Field != "" {
			p.Fields = map[string]string{bre.Field: bre.Message}
		}
		return p, true
	}
	return Problem{}, false
}

var sentinels = []struct {
	err     error
	status  int
	code    string
	message string // wording for the bare sentinel; "" = its own text
}{
	{model.ErrNotFound, http.StatusNotFound, "not_found", ""},
	{model.ErrForbidden, http.StatusForbidden, "forbidden", "you are not allowed to do this"},
	{model.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated",
		"authentication required: send an API key (Authorization: Bearer) or Basic credentials"},
	{model.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials", ""},
	{model.ErrMFARequired, http.StatusUnauthorized, "mfa_required", ""},
	{model.ErrDisabled, http.StatusForbidden, "account_disabled", "this account is disabled; ask your administrator"},
	{model.ErrSuspended, http.StatusForbidden, "tenant_suspended", "this tenant is suspended; ask your provider"},
	{model.ErrConflict, http.StatusConflict, "conflict", ""},
	{model.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large", ""},
	{model.ErrLimitExceeded, http.StatusTooManyRequests, "limit_exceeded", ""},
	{model.ErrGone, http.StatusGone, "gone", ""},
	{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
	{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "method_not_allowed", ""},
	{ErrCrossOrigin, http.StatusForbidden, "cross_origin",
		"cross-origin request refused: state-changing requests must come from this site"},
}

// errorBody is the JSON error envelope of the public contract.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Challenge is the WWW-Authenticate value sent with every 401 of the API.
const Challenge = `Bearer realm="faxgate", Basic realm="faxgate", charset="UTF-8"`

// WriteError writes err as {"error":{"code","message","fields"?}} with the
// status Classify gives it. Server faults are logged with the request id and
// answered with a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	p := Classify(err)
	logProblem(r, err, p)
	SetProblemHeaders(w, p)
	WriteJSON(w, p.Status, errorBody{Error: errorDetail{Code: p.Code, Message: p.Message, Fields: p.Fields}})
}

// SetProblemHeaders sets the headers a problem implies: WWW-Authenticate on
// 401, Retry-After (whole seconds, rounded up) on 429.
func SetProblemHeaders(w http.ResponseWriter, p Problem) {
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", Challenge)
	case http.StatusTooManyRequests:
		if p.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
		}
	}
}

func logProblem(r *http.Request, err error, p Problem) {
	if !p.Internal() {
		return
	}
	log := LoggerFrom(r.Context())
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		log.Info("request canceled by client", "err", err)
		return
	}
	log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
}

// LoggerFrom returns the request logger (with request_id) installed by the
// middleware, or slog.Default outside of it.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if i := infoFrom(ctx); i != nil && i.log != nil {
		return i.log
	}
	return slog.Default()
}
