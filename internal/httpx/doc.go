// Package httpx holds faxgate's HTTP plumbing shared by the portal (ui) and
// the REST API (api): request-scoped context values (actor, session,
// branding, request id, client IP), JSON encoding and decoding, the single
// mapping from domain errors to HTTP status codes, session cookies, and the
// middleware stack (request id, access log, panic recovery, Prometheus
// metrics, body size limit, CSRF protection, authentication and branding).
//
// It uses net/http only and knows the domain services through the small
// interfaces Authenticator and BrandingResolver, which *auth.Service and
// *tenancy.Service satisfy.
package httpx
