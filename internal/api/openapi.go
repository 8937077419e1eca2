package api

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Document is an OpenAPI 3.0.3 document, reduced to what faxgate uses.
type Document struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Servers    []Server              `json:"servers"`
	Tags       []Tag                 `json:"tags"`
	Security   []map[string][]string `json:"security"`
	Paths      map[string]PathItem   `json:"paths"`
	Components Components            `json:"components"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

// Server is a base URL of the API.
type Server struct {
	URL string `json:"url"`
}

// Tag groups operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// PathItem maps lower-case HTTP methods to operations.
type PathItem map[string]*Operation

// Operation is one method on one path.
type Operation struct {
	OperationID string                 `json:"operationId"`
	Summary     string                 `json:"summary"`
	Description string                 `json:"description,omitempty"`
	Tags        []string               `json:"tags"`
	Parameters  []Parameter            `json:"parameters,omitempty"`
	RequestBody *RequestBody           `json:"requestBody,omitempty"`
	Responses   map[string]Response    `json:"responses"`
	Security    *[]map[string][]string `json:"security,omitempty"` // non-nil empty = public
	XRoles      []string               `json:"x-roles,omitempty"`
}

// Parameter is a path or query parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Required    bool    `json:"required"`
	Description string  `json:"description,omitempty"`
	Schema      *Schema `json:"schema"`
}

// RequestBody describes an operation's body.
type RequestBody struct {
	Required bool                 `json:"required"`
	Content  map[string]MediaType `json:"content"`
}

// Response is an inline response or a $ref to components.responses.
type Response struct {
	Ref         string               `json:"$ref,omitempty"`
	Description string               `json:"description,omitempty"`
	Headers     map[string]Header    `json:"headers,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// Header is a response header.
type Header struct {
	Description string  `json:"description,omitempty"`
	Schema      *Schema `json:"schema"`
}

// MediaType holds the schema of one content type.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Schema is a JSON schema (OpenAPI 3.0 dialect) or a $ref.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Nullable             bool               `json:"nullable,omitempty"`
	ReadOnly             bool               `json:"readOnly,omitempty"`
	WriteOnly            bool               `json:"writeOnly,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
}

// Components holds the reusable schemas, responses and security schemes.
type Components struct {
	Schemas         map[string]*Schema        `json:"schemas"`
	Responses       map[string]Response       `json:"responses"`
	SecuritySchemes map[string]SecurityScheme `json:"securitySchemes"`
}

// SecurityScheme is an HTTP authentication scheme.
type SecurityScheme struct {
	Type        string `json:"type"`
	Scheme      string `json:"scheme"`
	Description string `json:"description,omitempty"`
}

// errorResponses names the reusable error responses by status.
var errorResponses = map[int]struct{ name, desc string }{
	http.StatusBadRequest:            {"BadRequest", "Malformed request: bad JSON, unknown field, bad parameter."},
	http.StatusUnauthorized:          {"Unauthorized", "Missing or wrong credentials (see WWW-Authenticate)."},
	http.StatusForbidden:             {"Forbidden", "Not allowed for this role, account disabled or tenant suspended, or a cross-origin request."},
	http.StatusNotFound:              {"NotFound", "No such object, or it belongs to another tenant."},
	http.StatusConflict:              {"Conflict", "A unique field (named in fields) is already in use."},
	http.StatusGone:                  {"Gone", "The object exists but its file was removed for good (retention)."},
	http.StatusRequestEntityTooLarge: {"TooLarge", "Request body too large."},
	http.StatusUnsupportedMediaType:  {"UnsupportedMediaType", "Wrong Content-Type for the request body."},
	http.StatusUnprocessableEntity:   {"Invalid", "Invalid input; fields maps each bad field to the reason."},
	http.StatusTooManyRequests:       {"Throttled", "Too many failed logins (see Retry-After) or a limit reached."},
	http.StatusInternalServerError:   {"Internal", "Server fault; details are in the server log under the X-Request-Id."},
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// buildDocument turns the route table into the OpenAPI document.
func buildDocument(routes []Route, version string) (*Document, error) {
	g := &schemaGen{schemas: map[string]*Schema{}, types: map[string]reflect.Type{}}
	g.schemas["Error"] = errorSchema()
	doc := &Document{
		OpenAPI:  "3.0.3",
		Info:     Info{Title: "faxgate REST API", Version: version, Description: apiDescription},
		Servers:  []Server{{URL: "/"}},
		Security: []map[string][]string{{"bearer": {}}, {"basic": {}}},
		Paths:    map[string]PathItem{},
		Components: Components{
			Schemas:   g.schemas,
			Responses: map[string]Response{},
			SecuritySchemes: map[string]SecurityScheme{
				"bearer": {Type: "http", Scheme: "bearer", Description: "An API key created at POST /api/v1/api-keys (fgk_...)."},
				"basic":  {Type: "http", Scheme: "basic", Description: "The user's api_username (or email) and password."},
			},
		},
	}
	tags := map[string]bool{}
	for _, rt := range routes {
		op, err := g.operation(rt)
		if err != nil {
			return nil, fmt.Errorf("api: %s: %w", rt.Pattern(), err)
		}
		item := doc.Paths[rt.Path]
		if item == nil {
			item = PathItem{}
			doc.Paths[rt.Path] = item
		}
		m := strings.ToLower(rt.Method)
		if item[m] != nil {
			return nil, fmt.Errorf("api: duplicate route %s", rt.Pattern())
		}
		item[m] = op
		tags[rt.Tag] = true
	}
	for status, e := range errorResponses {
		doc.Components.Responses[e.name] = errorResponse(status, e.desc)
	}
	for t := range tags {
		doc.Tags = append(doc.Tags, Tag{Name: t})
	}
	sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Name < doc.Tags[j].Name })
	return doc, nil
}

const apiDescription = "REST API v1 of faxgate. JSON bodies; errors are " +
	"{\"error\":{\"code\":\"...\",\"message\":\"...\",\"fields\":{...}}}; lists are " +
	"{\"items\":[...],\"next_cursor\":\"...\"} (pass next_cursor as ?cursor= for the next page, \"\" means no more). " +
	"An object that belongs to another tenant answers 404. Times are RFC 3339 in UTC. " +
	"Authenticate with Authorization: Bearer <api key> or HTTP Basic (api username or email, password); " +
	"the portal's session cookie works too, for same-origin requests."

func errorSchema() *Schema {
	return &Schema{
		Type:     "object",
		Required: []string{"error"},
		Properties: map[string]*Schema{"error": {
			Type:     "object",
			Required: []string{"code", "message"},
			Properties: map[string]*Schema{
				"code":    {Type: "string", Description: "Stable machine-readable code, e.g. not_found, invalid_input."},
				"message": {Type: "string", Description: "Human-readable explanation."},
				"fields": {Type: "object", Description: "Per-field reasons (422, 409, some 400).",
					AdditionalProperties: &Schema{Type: "string"}},
			},
		}},
	}
}

func errorResponse(status int, desc string) Response {
	r := Response{Description: desc, Content: map[string]MediaType{
		"application/json": {Schema: &Schema{Ref: "#/components/schemas/Error"}}}}
	switch status {
	case http.StatusUnauthorized:
		r.Headers = map[string]Header{"WWW-Authenticate": {Schema: &Schema{Type: "string"}}}
	case http.StatusTooManyRequests:
		r.Headers = map[string]Header{"Retry-After": {Description: "Seconds to wait.", Schema: &Schema{Type: "integer"}}}
	}
	return r
}

func (g *schemaGen) operation(rt Route) (*Operation, error) {
	op := &Operation{
		OperationID: rt.ID,
		Summary:     rt.Summary,
		Description: rt.Description,
		Tags:        []string{rt.Tag},
		Responses:   map[string]Response{},
	}
	if rt.Public {
		op.Security = &[]map[string][]string{}
	}
	for _, role := range rt.Roles {
		op.XRoles = append(op.XRoles, string(role))
	}
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		op.Parameters = append(op.Parameters, Parameter{Name: m[1], In: "path", Required: true,
			Schema: &Schema{Type: "string"}})
	}
	for _, q := range rt.Query {
		op.Parameters = append(op.Parameters, Parameter{Name: q.Name, In: "query", Description: q.Desc,
			Schema: &Schema{Type: q.schemaType(), Format: q.Format, Enum: q.Enum}})
	}
	if err := g.requestBody(rt, op); err != nil {
		return nil, err
	}
	if err := g.successResponse(rt, op); err != nil {
		return nil, err
	}
	for _, status := range rt.errorStatuses() {
		e, ok := errorResponses[status]
		if !ok {
			return nil, fmt.Errorf("no error response for status %d", status)
		}
		op.Responses[strconv.Itoa(status)] = Response{Ref: "#/components/responses/" + e.name}
	}
	return op, nil
}

func (g *schemaGen) requestBody(rt Route, op *Operation) error {
	if rt.Body == nil && len(rt.BodyTypes) == 0 && rt.Form == nil {
		return nil
	}
	rb := &RequestBody{Required: true, Content: map[string]MediaType{}}
	if rt.Body != nil {
		s, err := g.schemaFor(reflect.TypeOf(rt.Body))
		if err != nil {
			return err
		}
		rb.Content["application/json"] = MediaType{Schema: s}
	}
	if rt.Form != nil {
		s, err := g.schemaFor(reflect.TypeOf(rt.Form))
		if err != nil {
			return err
		}
		rb.Content["multipart/form-data"] = MediaType{Schema: s}
	}
	for _, ct := range rt.BodyTypes {
		rb.Content[ct] = MediaType{Schema: binarySchema(ct)}
	}
	op.RequestBody = rb
	return nil
}

// binarySchema describes a raw file body, or a multipart form with one file.
func binarySchema(ct string) *Schema {
	if ct == "multipart/form-data" {
		return &Schema{Type: "object", Required: []string{"logo"}, Properties: map[string]*Schema{
			"logo": {Type: "string", Format: "binary"}}}
	}
	return &Schema{Type: "string", Format: "binary"}
}

func (g *schemaGen) successResponse(rt Route, op *Operation) error {
	status := rt.status()
	resp := Response{Description: http.StatusText(status)}
	if rt.Resp != nil {
		s, err := g.schemaFor(reflect.TypeOf(rt.Resp))
		if err != nil {
			return err
		}
		resp.Content = map[string]MediaType{"application/json": {Schema: s}}
	}
	for _, ct := range rt.RespTypes {
		if resp.Content == nil {
			resp.Content = map[string]MediaType{}
		}
		resp.Content[ct] = MediaType{Schema: &Schema{Type: "string", Format: "binary"}}
	}
	op.Responses[strconv.Itoa(status)] = resp
	for _, alt := range rt.AltStatus {
		r := resp
		r.Description = http.StatusText(alt)
		op.Responses[strconv.Itoa(alt)] = r
	}
	return nil
}

// schemaGen derives JSON schemas from DTO types by reflection: every named
// struct becomes a components.schemas entry referenced by $ref.
type schemaGen struct {
	schemas map[string]*Schema
	types   map[string]reflect.Type
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	binaryType = reflect.TypeFor[Binary]()
)

func (g *schemaGen) schemaFor(t reflect.Type) (*Schema, error) {
	switch {
	case t == timeType:
		return &Schema{Type: "string", Format: "date-time"}, nil
	case t == binaryType:
		return &Schema{Type: "string", Format: "binary"}, nil
	case t.Kind() == reflect.Pointer:
		s, err := g.schemaFor(t.Elem())
		if err != nil {
			return nil, err
		}
		if s.Ref != "" {
			return s, nil // OpenAPI 3.0 ignores siblings of $ref
		}
		s.Nullable = true
		return s, nil
	case t.Kind() == reflect.Struct:
		return g.structRef(t)
	case t.Kind() == reflect.Slice:
		items, err := g.schemaFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "array", Items: items}, nil
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		v, err := g.schemaFor(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "object", AdditionalProperties: v}, nil
	}
	return scalarSchema(t)
}

func scalarSchema(t reflect.Type) (*Schema, error) {
	switch t.Kind() {
	case reflect.String:
		return &Schema{Type: "string"}, nil
	case reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int32:
		return &Schema{Type: "integer", Format: "int32"}, nil
	case reflect.Int64:
		return &Schema{Type: "integer", Format: "int64"}, nil
	case reflect.Float64:
		return &Schema{Type: "number", Format: "double"}, nil
	}
	return nil, fmt.Errorf("no schema for type %s", t)
}

func (g *schemaGen) structRef(t reflect.Type) (*Schema, error) {
	name := t.Name()
	if name == "" {
		return nil, fmt.Errorf("anonymous struct %s: use a named DTO type", t)
	}
	ref := &Schema{Ref: "#/components/schemas/" + name}
	if prev, ok := g.types[name]; ok {
		if prev != t {
			return nil, fmt.Errorf("two DTO types named %s", name)
		}
		return ref, nil
	}
	g.types[name] = t
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	g.schemas[name] = s
	if err := g.fields(s, t); err != nil {
		return nil, fmt.Errorf("%s.%w", name, err)
	}
	return ref, nil
}

// fields adds the fields of struct t to s. An embedded struct without a
// json tag contributes its fields, flattened, as encoding/json does.
func (g *schemaGen) fields(s *Schema, t reflect.Type) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			if err := g.fields(s, f.Type); err != nil {
				return err
			}
			continue
		}
		if err := g.field(s, f); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// field adds one struct field. Tags: json (name, omitempty), doc
// (description), enum (comma-separated values), api (required, readonly,
// writeonly, min=N, max=N).
func (g *schemaGen) field(s *Schema, f reflect.StructField) error {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if !f.IsExported() || name == "-" {
		return nil
	}
	if name == "" {
		return fmt.Errorf("missing json tag")
	}
	fs, err := g.schemaFor(f.Type)
	if err != nil {
		return err
	}
	if fs.Ref != "" {
		// OpenAPI 3.0 ignores the siblings of a $ref: only "required"
		// (which belongs to the parent) makes sense on such a field.
		switch f.Tag.Get("api") {
		case "":
		case "required":
			s.Required = append(s.Required, name)
		default:
			return fmt.Errorf("api options other than required on a $ref field")
		}
		if f.Tag.Get("enum") != "" || f.Tag.Get("doc") != "" {
			return fmt.Errorf("enum or doc on a $ref field: document the type instead")
		}
		s.Properties[name] = fs
		return nil
	}
	fs.Description = f.Tag.Get("doc")
	if e := f.Tag.Get("enum"); e != "" {
		fs.Enum = strings.Split(e, ",")
	}
	if err := applyAPITag(s, fs, name, f.Tag.Get("api")); err != nil {
		return err
	}
	s.Properties[name] = fs
	return nil
}

func applyAPITag(parent, fs *Schema, name, tag string) error {
	for opt := range strings.SplitSeq(tag, ",") {
		key, val, _ := strings.Cut(opt, "=")
		switch key {
		case "":
		case "required":
			parent.Required = append(parent.Required, name)
		case "readonly":
			fs.ReadOnly = true
		case "writeonly":
			fs.WriteOnly = true
		case "min", "max":
			n, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return fmt.Errorf("api tag %q: %w", opt, err)
			}
			if key == "min" {
				fs.Minimum = &n
			} else {
				fs.Maximum = &n
			}
		default:
			return fmt.Errorf("unknown api tag option %q", opt)
		}
	}
	return nil
}
