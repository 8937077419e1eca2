//go:build !cgo

package t30

// Without cgo this package cannot exist: it is spandsp. The undefined name
// below makes the build fail with a message that says what to do.
var _ = build_with_CGO_ENABLED_1_and_libspandsp_dev_libtiff_dev_installed
