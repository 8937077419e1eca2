package model

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Domain errors. Services return them (possibly wrapped); the HTTP layer maps
// them to status codes in one place.
var (
	ErrNotFound        = errors.New("not found")                // 404; also for other tenants' objects
	ErrForbidden       = errors.New("not allowed")              // 403
	ErrUnauthenticated = errors.New("authentication required")  // 401
	ErrBadCredentials  = errors.New("wrong login or password")  // 401
	ErrConflict        = errors.New("already exists")           // 409
	ErrDisabled        = errors.New("account disabled")         // 401/403
	ErrSuspended       = errors.New("tenant suspended")         // 403
	ErrMFARequired     = errors.New("two-factor code required") // 401
	ErrTooLarge        = errors.New("request too large")        // 413
	ErrLimitExceeded   = errors.New("fax limit exceeded")       // 429
	// ErrGone: the object exists but its content was removed for good
	// (a received fax purged by retention): 410.
	ErrGone = errors.New("no longer available") // 410
)

// ValidationError lists invalid fields with a human-readable reason each
// (HTTP 422 with the field details).
type ValidationError struct {
	Fields map[string]string
}

// Invalid returns a ValidationError for one field.
func Invalid(field, reason string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: reason}}
}

// Add records a field error and returns v for chaining.
func (v *ValidationError) Add(field, reason string) *ValidationError {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = reason
	}
	return v
}

// OrNil returns nil when no field failed, so callers can write
// `if err := v.OrNil(); err != nil`.
func (v *ValidationError) OrNil() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + v.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// ConflictError says which unique field clashed (HTTP 409).
type ConflictError struct {
	Field string
}

func (e *ConflictError) Error() string { return fmt.Sprintf("%s is already in use", e.Field) }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ThrottledError says a login was refused because of too many failures
// (HTTP 429 with Retry-After).
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed attempts; try again in %s", roundUp(e.RetryAfter))
}

func roundUp(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int((d+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("%d minutes", int((d+time.Minute-1)/time.Minute))
}
