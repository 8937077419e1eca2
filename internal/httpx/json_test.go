package httpx_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"faxgate/internal/httpx"
	"faxgate/internal/model"
)

type decodeTarget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		ctype  string
		max    int64
		status int // 0 = success
		field  string
	}{
		{"ok", `{"name":"a","count":2}`, "application/json", 0, 0, ""},
		{"ok no content type", `{"name":"a"}`, "", 0, 0, ""},
		{"ok charset", `{"name":"a"}`, "application/json; charset=utf-8", 0, 0, ""},
		{"unknown field", `{"name":"a","role":"admin"}`, "", 0, 400, "role"},
		{"wrong type", `{"count":"x"}`, "", 0, 400, "count"},
		{"syntax", `{"name":`, "", 0, 400, ""},
		{"garbage", `{"name" 1}`, "", 0, 400, ""},
		{"empty", ``, "", 0, 400, ""},
		{"trailing value", `{"name":"a"} {"name":"b"}`, "", 0, 400, ""},
		{"trailing garbage", `{"name":"a"} x`, "", 0, 400, ""},
		{"too large", `{"name":"` + strings.Repeat("a", 100) + `"}`, "", 50, 413, ""},
		{"form", `name=a`, "application/x-www-form-urlencoded", 0, 415, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			var dst decodeTarget
			err := httpx.DecodeJSON(httptest.NewRecorder(), r, &dst, tt.max)
			if tt.status == 0 {
				if err != nil || dst.Name != "a" {
					t.Fatalf("err %v, dst %+v", err, dst)
				}
				return
			}
			p := httpx.Classify(err)
			if p.Status != tt.status {
				t.Fatalf("status %d (%v), want %d", p.Status, err, tt.status)
			}
			var bre *httpx.BadRequestError
			if tt.field != "" && (!errors.As(err, &bre) || bre.Field != tt.field || p.Fields[tt.field] == "") {
				t.Errorf("error %v does not name field %q", err, tt.field)
			}
			if tt.status == 413 && !errors.Is(err, model.ErrTooLarge) {
				t.Errorf("413 error %v is not model.ErrTooLarge", err)
			}
		})
	}
}

func TestSessionCookie(t *testing.T) {
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	for _, tt := range []struct {
		url    string
		secure bool
	}{{"https://example.com/", true}, {"http://example.com/", false}} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tt.url, nil)
		httpx.SetSessionCookie(rec, r, "tok", exp)
		httpx.ClearSessionCookie(rec, r)
		cs := rec.Result().Cookies()
		if len(cs) != 2 {
			t.Fatalf("%d cookies", len(cs))
		}
		set, clear := cs[0], cs[1]
		if set.Name != httpx.SessionCookie || set.Value != "tok" || !set.HttpOnly || set.Secure != tt.secure ||
			set.SameSite != http.SameSiteLaxMode || set.Path != "/" || !set.Expires.Equal(exp) {
			t.Errorf("%s: set cookie %+v", tt.url, set)
		}
		if clear.Name != httpx.SessionCookie || clear.Value != "" || clear.MaxAge >= 0 || !clear.HttpOnly {
			t.Errorf("%s: clear cookie %+v", tt.url, clear)
		}
		r.AddCookie(set)
		if got := httpx.SessionToken(r); got != "tok" {
			t.Errorf("SessionToken = %q", got)
		}
	}
}
