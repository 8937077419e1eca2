// Package model holds faxgate's plain domain types, enums, identifiers,
// tenant scopes and domain errors. It depends on nothing but the standard
// library, so every other package can share its vocabulary.
package model
