package httpx_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		fields map[string]string
	}{
		{"not found", model.ErrNotFound, 404, "not_found", nil},
		{"wrapped not found", fmt.Errorf("user usr_x: %w", model.ErrNotFound), 404, "not_found", nil},
		{"forbidden", model.ErrForbidden, 403, "forbidden", nil},
		{"unauthenticated", model.ErrUnauthenticated, 401, "unauthenticated", nil},
		{"bad credentials", model.ErrBadCredentials, 401, "bad_credentials", nil},
		{"mfa", model.ErrMFARequired, 401, "mfa_required", nil},
		{"disabled", model.ErrDisabled, 403, "account_disabled", nil},
		{"suspended", model.ErrSuspended, 403, "tenant_suspended", nil},
		{"conflict", &model.ConflictError{Field: "email"}, 409, "conflict", map[string]string{"email": "already in use"}},
		{"bare conflict", model.ErrConflict, 409, "conflict", nil},
		{"validation", model.Invalid("name", "too long"), 422, "invalid_input", map[string]string{"name": "too long"}},
		{"too large", model.ErrTooLarge, 413, "too_large", nil},
		{"max bytes", &http.MaxBytesError{Limit: 10}, 413, "too_large", nil},
		{"throttled", &model.ThrottledError{RetryAfter: time.Minute}, 429, "throttled", nil},
		{"limit", model.ErrLimitExceeded, 429, "limit_exceeded", nil},
		{"bad request", &httpx.BadRequestError{Message: "x", Field: "f"}, 400, "bad_request", map[string]string{"f": "x"}},
		{"media type", httpx.ErrUnsupportedMediaType, 415, "unsupported_media_type", nil},
		{"cross origin", httpx.ErrCrossOrigin, 403, "cross_origin", nil},
		{"method", httpx.ErrMethodNotAllowed, 405, "method_not_allowed", nil},
		{"other", errors.New("db exploded at 10.0.0.7"), 500, "internal", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := httpx.Classify(tt.err)
			if p.Status != tt.status || p.Code != tt.code {
				t.Fatalf("Classify = %d %s, want %d %s", p.Status, p.Code, tt.status, tt.code)
			}
			if diff := cmp.Diff(tt.fields, p.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if p.Message == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		status  int
		headers map[string]string
		body    string
	}{
		{"validation", model.Invalid("email", "not an email address"), 422, nil,
			`{"error":{"code":"invalid_input","message":"some fields are invalid","fields":{"email":"not an email address"}}}`},
		{"throttled rounds up", &model.ThrottledError{RetryAfter: 1500 * time.Millisecond}, 429,
			map[string]string{"Retry-After": "2"}, ""},
		{"401 challenge", model.ErrBadCredentials, 401,
			map[string]string{"WWW-Authenticate": httpx.Challenge},
			`{"error":{"code":"bad_credentials","message":"wrong login or password"}}`},
		{"internal hides details", errors.New("secret dsn postgres://u:pw@h"), 500, nil,
			`{"error":{"code":"internal","message":"internal server error; the details are in the server log"}}`},
		{"wrapped message shown", fmt.Errorf("%w: a tenant cannot create admins", model.ErrForbidden), 403, nil,
			`{"error":{"code":"forbidden","message":"not allowed: a tenant cannot create admins"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httpx.WriteError(rec, httptest.NewRequest("GET", "/api/v1/x", nil), tt.err)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for k, v := range tt.headers {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			var env struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code == "" {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if tt.body != "" && rec.Body.String() != tt.body+"\n" {
				t.Errorf("body\n%s\nwant\n%s", rec.Body, tt.body)
			}
		})
	}
}
