package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"faxgate/internal/model"
)

// DefaultMaxBody is the largest request body accepted unless a route opts in
// to more (LimitBody): 1 MiB, plenty for any JSON document of the API.
const DefaultMaxBody int64 = 1 << 20

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		// Only unencodable types get here: a programming error.
		http.Error(w, `{"error":{"code":"internal","message":"response encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// DecodeJSON decodes the request body, a single JSON value, into dst. It
// refuses bodies larger than maxBytes (model.ErrTooLarge, 413; 0 means
// DefaultMaxBody), content types other than JSON (415), malformed JSON,
// wrong types, unknown fields and trailing data (*BadRequestError, 400,
// naming the field when it can).
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBody
	}
	body := http.MaxBytesReader(w, r.Body, maxBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err == nil {
			return BadRequest("request body must hold a single JSON value")
		}
		return decodeError(err)
	}
	return nil
}

func checkJSONType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return fmt.Errorf("%w %q: send application/json", ErrUnsupportedMediaType, ct)
	}
	return nil
}

func decodeError(err error) error {
	var (
		me *http.MaxBytesError
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &me):
		return fmt.Errorf("%w: body larger than %d bytes", model.ErrTooLarge, me.Limit)
	case errors.Is(err, io.EOF):
		return BadRequest("request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("request body is truncated JSON")
	case errors.As(err, &se):
		return BadRequest("malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		return &BadRequestError{Field: field,
			Message: fmt.Sprintf("field %q must be of type %s", field, te.Type)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := strings.Trim(name, `"`)
		return &BadRequestError{Field: field, Message: fmt.Sprintf("unknown field %q", field)}
	}
	return BadRequest("malformed JSON: %v", err)
}
