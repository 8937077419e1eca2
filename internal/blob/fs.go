package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"faxgate/internal/model"
)

// Permissions of what FS creates: blobs hold customers' documents, so
// only the owner (and the group, for folders, as with the database) gets
// in.
const (
	dirPerm  = 0o750
	filePerm = 0o600
)

// tempPrefix starts the names of files being written. Keys cannot contain
// a segment starting with a dot, so temp files never clash with blobs.
const tempPrefix = ".tmp-"

// FS is a Store in a local folder: key "a/b/c" is the file <root>/a/b/c.
type FS struct {
	root string
}

var _ Store = (*FS)(nil)

// NewFS returns a store rooted at root (usually <data>/blobs), creating
// the folder if needed.
func NewFS(root string) (*FS, error) {
	if root == "" {
		return nil, errors.New("blob: empty root folder")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: create root: %w", err)
	}
	return &FS{root: abs}, nil
}

// Root returns the absolute root folder.
func (f *FS) Root() string { return f.root }

// path maps a validated key to its file path.
func (f *FS) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(f.root, filepath.FromSlash(key)), nil
}

// Put writes r to a temporary file in the key's folder, syncs it, renames
// it over the key and syncs the folder, so that after Put returns the blob
// survives a crash and before that the old blob (or none) is seen.
func (f *FS) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	p, err := f.path(key)
	if err != nil {
		return 0, err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	n, err := writeSynced(ctx, tmp, r)
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return n, nil
}

// writeSynced copies r into tmp (checking ctx between chunks), flushes it
// to disk and closes it.
func writeSynced(ctx context.Context, tmp *os.File, r io.Reader) (int64, error) {
	n, err := io.Copy(tmp, ctxReader{ctx, r})
	if err == nil {
		err = tmp.Chmod(filePerm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Open opens the blob's file. The returned value is an *os.File, so
// callers that need io.ReadSeeker or io.ReaderAt may type-assert.
func (f *FS) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if err != nil {
		return nil, notFound(key, err)
	}
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = file.Close()
		return nil, fmt.Errorf("blob: %s: %w", key, model.ErrNotFound) // a folder is no blob
	}
	return file, nil
}

// Stat returns the blob's size and modification time.
func (f *FS) Stat(ctx context.Context, key string) (Info, error) {
	p, err := f.path(key)
	if err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return Info{}, notFound(key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("blob: %s: %w", key, model.ErrNotFound)
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}, nil
}

// LocalPath returns the blob's own file; release does nothing. Since Put
// replaces files by rename, a reader that opened the path keeps reading
// the version it opened.
func (f *FS) LocalPath(ctx context.Context, key string) (string, func(), error) {
	if _, err := f.Stat(ctx, key); err != nil {
		return "", nil, err
	}
	p, _ := f.path(key)
	return p, func() {}, nil
}

// Delete removes the blob's file.
func (f *FS) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// DeletePrefix removes the folder (or file) named by prefix with
// everything in it. The prefix must be a valid key: "" (everything) is
// refused on purpose.
func (f *FS) DeletePrefix(ctx context.Context, prefix string) error {
	p, err := f.path(prefix)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("blob: delete %s/: %w", prefix, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s/: %w", prefix, err)
	}
	return nil
}

// notFound maps a missing file to model.ErrNotFound.
func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("blob: %s: %w", key, model.ErrNotFound)
	}
	// A path component that is a file ("a/b" exists, "a/b/c" asked).
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENOTDIR) {
		return fmt.Errorf("blob: %s: %w", key, model.ErrNotFound)
	}
	return fmt.Errorf("blob: %s: %w", key, err)
}
