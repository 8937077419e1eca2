// Package app is faxgate's composition root: it builds the store, the job
// queue, the domain services, the HTTP handler (portal, REST API, health,
// metrics) and runs them until the context ends, then shuts down gracefully.
// It holds no business logic.
package app
