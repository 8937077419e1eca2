// Package blob stores files (uploaded documents, rendered fax pages,
// received faxes, cached previews) by key, behind an interface so that a
// shared store can replace the local folder when several nodes run.
//
// Keys are slash-separated paths such as "t/<tenant>/doc/<id>/pages.tif".
// Every segment is made of ASCII letters, digits, '.', '_' and '-', and
// must not start with a dot: no "..", no absolute paths, no backslashes,
// no empty segments, nothing that a file system could read as anything
// but a plain relative path. Callers build keys from ids, never from
// user-supplied names.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store keeps blobs by key.
type Store interface {
	// Put stores everything r yields under key, atomically: readers see the
	// old blob or the whole new one, never a part; on error nothing
	// changes. It returns the number of bytes stored.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open opens a blob for reading; model.ErrNotFound when absent.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes a blob; model.ErrNotFound when absent.
	Stat(ctx context.Context, key string) (Info, error)
	// LocalPath returns a file path holding the blob, for code that needs
	// one (spandsp opens files itself). The file must be treated as
	// read-only and used only until release is called.
	LocalPath(ctx context.Context, key string) (path string, release func(), err error)
	// Delete removes a blob; deleting an absent blob is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every blob whose key is prefix or starts with
	// prefix + "/" (the prefix names a folder, segment by segment: "t/a"
	// does not touch "t/ab"). An absent folder is not an error.
	DeletePrefix(ctx context.Context, prefix string) error
}

// Info describes a stored blob.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// MaxKeyLen bounds key length (well below PATH_MAX with any root).
const MaxKeyLen = 512

// ErrInvalidKey is wrapped by every error about a malformed key.
var ErrInvalidKey = errors.New("blob: invalid key")

// ValidKey reports why key is not a valid blob key, or nil.
func ValidKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	if strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w %q: absolute path", ErrInvalidKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := validSegment(seg); err != nil {
			return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, err)
		}
	}
	return nil
}

// validSegment checks one path segment against the key alphabet.
func validSegment(seg string) error {
	if seg == "" {
		return errors.New("empty segment")
	}
	if seg[0] == '.' {
		return errors.New("segment starts with a dot")
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("character %q not allowed", c)
		}
	}
	return nil
}

// Join builds a key from segments with "/", for readability at call sites.
// The result still has to pass ValidKey when used.
func Join(segments ...string) string { return strings.Join(segments, "/") }
