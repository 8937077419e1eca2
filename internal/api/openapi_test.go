package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"faxgate/internal/api"
)

// recordingMux is a real ServeMux that also remembers every pattern
// registered on it.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *recordingMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// newTestAPI is the API of the real application (every service wired).
func newTestAPI(t *testing.T) *api.API {
	t.Helper()
	return newEnv(t, "").app.API()
}

// documented returns "METHOD /path" for every operation of the document.
func documented(doc *api.Document) []string {
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// TestDocumentMatchesRouter proves the OpenAPI document and the ServeMux
// describe the same endpoints: every pattern registered is documented with
// the same method and path, every documented operation is registered, and
// the mux routes a concrete request for each documented operation to
// exactly that operation's pattern.
func TestDocumentMatchesRouter(t *testing.T) {
	a := newTestAPI(t)
	mux := &recordingMux{ServeMux: http.NewServeMux()}
	a.Register(mux)

	var registered []string
	for _, p := range mux.patterns {
		if p != api.FallbackPattern {
			registered = append(registered, p)
		}
	}
	sort.Strings(registered)
	docOps := documented(a.Document())
	if !slices.Equal(registered, docOps) {
		t.Fatalf("mux and document differ\nmux: %q\ndoc: %q", registered, docOps)
	}
	if len(docOps) < 20 {
		t.Fatalf("only %d operations documented", len(docOps))
	}
	for _, op := range docOps {
		method, path, _ := strings.Cut(op, " ")
		req := httptest.NewRequest(method, wildcard.ReplaceAllString(path, "x1"), nil)
		if _, pattern := mux.Handler(req); pattern != op {
			t.Errorf("%s %s is routed to %q, want %q", method, req.URL.Path, pattern, op)
		}
	}
	// The fallback answers JSON for what is not an endpoint.
	for _, tc := range []struct {
		method, path string
		status       int
	}{{"GET", "/api/v1/nope", 404}, {"PUT", "/api/v1/me", 405}, {"GET", "/api/v2/me", 404}} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Header().Get("Content-Type"))
		}
		if tc.status == 405 && rec.Header().Get("Allow") != "GET, PATCH" {
			t.Errorf("Allow = %q", rec.Header().Get("Allow"))
		}
	}
}

// TestDocumentValid checks the document's structure as served, as generic
// JSON: OpenAPI 3.0.x, every $ref resolves, path parameters are declared
// exactly, operation ids are unique, every operation has a success and
// error responses, the security schemes exist, and every DTO has a schema.
func TestDocumentValid(t *testing.T) {
	a := newTestAPI(t)
	mux := http.NewServeMux()
	a.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 200 {
		t.Fatalf("GET openapi.json: %d", rec.Code)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("openapi = %q", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["version"] == "" {
		t.Errorf("info %v", info)
	}
	checkRefs(t, doc, doc, "#")
	checkOperations(t, doc)
	checkComponents(t, doc)
}

func checkRefs(t *testing.T, root, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if resolve(root, ref) == nil {
				t.Errorf("%s: $ref %q does not resolve", at, ref)
			}
		}
		for k, c := range v {
			checkRefs(t, root, c, at+"/"+k)
		}
	case []any:
		for i, c := range v {
			checkRefs(t, root, c, at+"/"+strconv.Itoa(i))
		}
	}
}

func resolve(root any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true}

func checkOperations(t *testing.T, doc map[string]any) {
	t.Helper()
	paths, _ := doc["paths"].(map[string]any)
	ids := map[string]string{}
	schemes, _ := resolve(doc, "#/components/securitySchemes").(map[string]any)
	for path, item := range paths {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		want := map[string]bool{}
		for _, m := range wildcard.FindAllString(path, -1) {
			want[strings.Trim(m, "{}")] = true
		}
		for method, op := range item.(map[string]any) {
			where := strings.ToUpper(method) + " " + path
			if !httpMethods[method] {
				t.Errorf("%s: not an HTTP method", where)
				continue
			}
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if prev, dup := ids[id]; id == "" || dup {
				t.Errorf("%s: operationId %q empty or also used by %s", where, id, prev)
			}
			ids[id] = where
			checkParams(t, where, o, want)
			checkResponses(t, where, o)
			for _, req := range asSlice(o["security"]) {
				for name := range req.(map[string]any) {
					if schemes[name] == nil {
						t.Errorf("%s: unknown security scheme %q", where, name)
					}
				}
			}
		}
	}
	for _, req := range asSlice(doc["security"]) {
		for name := range req.(map[string]any) {
			if schemes[name] == nil {
				t.Errorf("global security: unknown scheme %q", name)
			}
		}
	}
	for _, s := range []string{"bearer", "basic"} {
		if sc, _ := schemes[s].(map[string]any); sc["type"] != "http" || sc["scheme"] != s {
			t.Errorf("security scheme %s = %v", s, schemes[s])
		}
	}
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func checkParams(t *testing.T, where string, o map[string]any, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, p := range asSlice(o["parameters"]) {
		pm := p.(map[string]any)
		name, _ := pm["name"].(string)
		switch pm["in"] {
		case "path":
			if pm["required"] != true {
				t.Errorf("%s: path parameter %s not required", where, name)
			}
			got[name] = true
		case "query":
		default:
			t.Errorf("%s: parameter %s in %v", where, name, pm["in"])
		}
		if pm["schema"] == nil {
			t.Errorf("%s: parameter %s has no schema", where, name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: path parameters declared %v, in path %v", where, got, want)
	}
}

func checkResponses(t *testing.T, where string, o map[string]any) {
	t.Helper()
	resp, _ := o["responses"].(map[string]any)
	ok2xx, has500 := false, false
	for code, r := range resp {
		n, err := strconv.Atoi(code)
		if err != nil || n < 200 || n > 599 {
			t.Errorf("%s: response code %q", where, code)
		}
		ok2xx = ok2xx || n < 300
		has500 = has500 || n == 500
		rm := r.(map[string]any)
		if rm["$ref"] == nil && rm["description"] == nil {
			t.Errorf("%s %s: response without description", where, code)
		}
	}
	if !ok2xx || !has500 {
		t.Errorf("%s: responses %v lack a 2xx or the 500", where, keys(resp))
	}
	if o["security"] == nil { // authenticated operation
		if resp["401"] == nil {
			t.Errorf("%s: authenticated operation without 401", where)
		}
	}
}

func keys(m map[string]any) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func checkComponents(t *testing.T, doc map[string]any) {
	t.Helper()
	schemas, _ := resolve(doc, "#/components/schemas").(map[string]any)
	for _, name := range []string{"Error", "User", "UserCreate", "UserPatch", "UserList", "PasswordChange",
		"PasswordReset", "Tenant", "TenantInput", "TenantList", "APIKey", "APIKeyCreate", "APIKeyCreated",
		"APIKeyList", "Branding", "BrandingInput", "Activity", "ActivityList"} {
		s, _ := schemas[name].(map[string]any)
		if s["type"] != "object" {
			t.Errorf("schema %s missing or not an object: %v", name, schemas[name])
		}
	}
	// Secrets never appear in response schemas; the write-only password does in requests.
	// One narrow exception: a webhook endpoint's signing secret. Receivers
	// need the secret itself to verify signatures (a password or API key is
	// only checked by the server, so an API key answer calls it "key"), so
	// it is shown exactly once, read-only, in the answer that creates or
	// rotates it (for a DID's own webhook: the routing change that set its
	// first URL), and nowhere else (GET and list answers have no such
	// property). Requests may carry an own secret only as writeOnly.
	writeOnce := map[string]bool{"WebhookEndpointCreated": true, "DIDRouted": true}
	writeOnlyIn := map[string]bool{"WebhookEndpointInput": true, "WebhookSecretRotation": true}
	for name, s := range schemas {
		props, _ := s.(map[string]any)["properties"].(map[string]any)
		for p, ps := range props {
			flags, _ := ps.(map[string]any)
			switch {
			case p == "secret" && writeOnce[name] && flags["readOnly"] == true:
			case p == "secret" && writeOnlyIn[name] && flags["writeOnly"] == true:
			case strings.Contains(p, "hash") || strings.Contains(p, "secret"):
				t.Errorf("schema %s exposes %s", name, p)
			}
		}
	}
	for _, name := range []string{"WebhookEndpoint", "WebhookEndpointList", "WebhookDelivery"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
	if pw, _ := resolve(doc, "#/components/schemas/UserCreate/properties/password").(map[string]any); pw["writeOnly"] != true {
		t.Errorf("UserCreate.password not writeOnly: %v", pw)
	}
	user, _ := schemas["User"].(map[string]any)
	for _, f := range []string{"tenant_id", "role", "email", "api_username", "first_name", "last_name", "phone", "status"} {
		if resolve(user, "#/properties/"+f) == nil {
			t.Errorf("User lacks field %s", f)
		}
	}
}

// TestDocumentExternalValidator also checks the document with the
// independent openapi-spec-validator (Python) when it is installed.
func TestDocumentExternalValidator(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import openapi_spec_validator").Run() != nil {
		t.Skip("python3 with openapi-spec-validator is not installed")
	}
	b, err := json.Marshal(newTestAPI(t).Document())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
print("valid")`, p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid") {
		t.Fatalf("openapi-spec-validator: %v\n%s", err, out)
	}
}

// TestDocumentFaxResponses: an idempotent replay of POST /faxes answers
// 200 with the fax (besides 201), and the download routes document 410 for
// files removed by retention.
func TestDocumentFaxResponses(t *testing.T) {
	b, err := json.Marshal(newTestAPI(t).Document())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, method, status string }{
		{"/api/v1/faxes", "post", "201"},
		{"/api/v1/faxes", "post", "200"},
		{"/api/v1/faxes/{id}/file", "get", "410"},
		{"/api/v1/faxes/{id}/report", "get", "410"},
		{"/api/v1/faxes/{id}/report", "get", "409"},
	} {
		paths, _ := doc["paths"].(map[string]any)
		item, _ := paths[c.path].(map[string]any)
		op, _ := item[c.method].(map[string]any)
		responses, _ := op["responses"].(map[string]any)
		if responses[c.status] == nil {
			t.Errorf("%s %s does not document %s", c.method, c.path, c.status)
		}
	}
	ok := resolve(doc, "#/paths/~1api~1v1~1faxes/post/responses/200/content/application~1json/schema/$ref")
	if ok != "#/components/schemas/Fax" {
		t.Errorf("the replay's 200 has schema %v, want the Fax", ok)
	}
}
