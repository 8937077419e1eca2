// Package api serves faxgate's REST API v1 (DESIGN.md §7) and its OpenAPI
// 3.0 document. One route table (routes.go) is the single source of truth:
// Register puts exactly those routes on the ServeMux and Document describes
// exactly those routes, so the two cannot drift apart.
//
// Handlers are thin: decode the JSON DTO, call the domain service with the
// actor from the request context, encode the DTO. Domain errors become
// HTTP errors in one place (httpx.WriteError).
package api
