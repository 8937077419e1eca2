package api

import (
	"net/http"
	"slices"
	"strings"

	"faxgate/internal/model"
)

// Route is one endpoint of the API: how it is served (Method, Path, handle,
// Public, Roles, MaxBody) and how it is documented (the rest). The route
// table is the single source of both the ServeMux registration and the
// OpenAPI document.
type Route struct {
	Method      string
	Path        string // ServeMux path with {wildcards}, also the OpenAPI path
	ID          string // OpenAPI operationId
	Tag         string
	Summary     string
	Description string
	Public      bool         // served without authentication
	Roles       []model.Role // roles allowed; nil = every authenticated user
	Body        any          // JSON request DTO (zero value), nil = none
	BodyTypes   []string     // other accepted request content types (uploads)
	Form        any          // multipart/form-data request DTO (zero value); Binary fields are file parts
	Resp        any          // JSON response DTO (zero value), nil = none
	RespTypes   []string     // other response content types (downloads)
	Status      int          // success status; 0 = 200
	AltStatus   []int        // further success statuses with the same body (200 for an idempotent replay of a 201)
	Query       []Param
	MaxBody     int64 // body limit when it differs from httpx.DefaultMaxBody
	Errors      []int // error statuses beyond the derived ones
	handle      handlerFunc
}

// handlerFunc serves a route with the authenticated actor (zero for public
// routes); a returned error is written by httpx.WriteError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, actor model.Actor) error

// Param is a documented query parameter.
type Param struct {
	Name   string
	Type   string // string (default), integer
	Format string // date-time, ...
	Enum   []string
	Desc   string
}

func (p Param) schemaType() string {
	if p.Type == "" {
		return "string"
	}
	return p.Type
}

// Pattern is the ServeMux pattern "METHOD /path".
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

func (rt Route) status() int {
	if rt.Status == 0 {
		return http.StatusOK
	}
	return rt.Status
}

// errorStatuses derives the error responses an endpoint can give from its
// shape, plus the route's own extras.
func (rt Route) errorStatuses() []int {
	s := []int{http.StatusInternalServerError}
	if !rt.Public {
		s = append(s, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
	}
	if strings.Contains(rt.Path, "{") || rt.hasQuery("tenant_id") {
		s = append(s, http.StatusNotFound)
	}
	if rt.Body != nil || len(rt.BodyTypes) > 0 || rt.Form != nil {
		s = append(s, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	}
	if len(rt.Query) > 0 {
		s = append(s, http.StatusBadRequest, http.StatusUnprocessableEntity)
	}
	s = append(s, rt.Errors...)
	slices.Sort(s)
	return slices.Compact(s)
}

func (rt Route) hasQuery(name string) bool {
	return slices.ContainsFunc(rt.Query, func(p Param) bool { return p.Name == name })
}
