package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"faxgate/internal/blob"
	"faxgate/internal/model"
)

func newFS(t *testing.T) *blob.FS {
	t.Helper()
	f, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"t/ten_abc/doc/doc_x/pages.tif", true},
		{"a", true},
		{"A-b_c.1/x.y.z", true},
		{"", false},
		{"/etc/passwd", false},
		{"../x", false},
		{"a/../b", false},
		{"a/..", false},
		{"a/./b", false},
		{"./a", false},
		{".hidden", false},
		{"a/.tmp-123", false},
		{"a//b", false},
		{"a/", false},
		{`a\b`, false},
		{`..\..\x`, false},
		{"a b", false},
		{"a\x00b", false},
		{"a/é", false},
		{"C:/x", false},
		{strings.Repeat("a", blob.MaxKeyLen), true},
		{strings.Repeat("a", blob.MaxKeyLen+1), false},
	}
	for _, tc := range tests {
		err := blob.ValidKey(tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil && !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("ValidKey(%q) error %v does not wrap ErrInvalidKey", tc.key, err)
		}
	}
}

// TestBadKeysNeverTouchDisk: every method refuses an invalid key before
// reaching the file system, so nothing outside the root is read, written
// or removed.
func TestBadKeysNeverTouchDisk(t *testing.T) {
	parent := t.TempDir()
	f, err := blob.NewFS(filepath.Join(parent, "root"))
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(parent, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, key := range []string{"../victim", "/" + victim, `..\victim`, "", "a//b"} {
		if _, err := f.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := f.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := f.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := f.LocalPath(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("LocalPath(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := f.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := f.DeletePrefix(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("DeletePrefix(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
		t.Errorf("file outside the root changed: %q, %v", b, err)
	}
}

func TestPutOpenStat(t *testing.T) {
	f := newFS(t)
	ctx := t.Context()
	data := bytes.Repeat([]byte("fax"), 100000)
	n, err := f.Put(ctx, "t/a/doc/d1/src/01", bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %d, %v; want %d", n, err, len(data))
	}
	if got := read(t, f, "t/a/doc/d1/src/01"); !bytes.Equal(got, data) {
		t.Errorf("Open read %d bytes, want the %d written", len(got), len(data))
	}
	info, err := f.Stat(ctx, "t/a/doc/d1/src/01")
	if err != nil || info.Size != int64(len(data)) || info.Key != "t/a/doc/d1/src/01" || info.ModTime.IsZero() {
		t.Errorf("Stat = %+v, %v", info, err)
	}
	p := filepath.Join(f.Root(), "t", "a", "doc", "d1", "src", "01")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("blob file mode %v, want 0600", perm)
	}
	lp, release, err := f.LocalPath(ctx, "t/a/doc/d1/src/01")
	if err != nil || lp != p {
		t.Errorf("LocalPath = %q, %v; want %q", lp, err, p)
	} else {
		release()
	}
	// Empty blobs are blobs.
	if n, err := f.Put(ctx, "empty", strings.NewReader("")); err != nil || n != 0 {
		t.Errorf("Put(empty) = %d, %v", n, err)
	}
	if got := read(t, f, "empty"); len(got) != 0 {
		t.Errorf("empty blob read back %d bytes", len(got))
	}
}

func TestNotFound(t *testing.T) {
	f := newFS(t)
	ctx := t.Context()
	if _, err := f.Put(ctx, "a/b", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"missing", "a/missing", "a/b/c", "a"} {
		if _, err := f.Open(ctx, key); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
		}
		if _, err := f.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
		}
		if _, _, err := f.LocalPath(ctx, key); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("LocalPath(%q) = %v, want ErrNotFound", key, err)
		}
	}
	if err := f.Delete(ctx, "missing"); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	if err := f.DeletePrefix(ctx, "missing/folder"); err != nil {
		t.Errorf("DeletePrefix(missing) = %v, want nil", err)
	}
}

// failingReader yields some bytes, then fails.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'N'
	}
	r.n -= k
	return k, nil
}

// TestPutAtomic: a failed or cancelled Put leaves the old blob intact and no
// temporary file behind.
func TestPutAtomic(t *testing.T) {
	f := newFS(t)
	ctx := t.Context()
	if _, err := f.Put(ctx, "k/pages.tif", strings.NewReader("old content")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Put(ctx, "k/pages.tif", &failingReader{n: 1 << 20}); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Put(cancelled, "k/pages.tif", strings.NewReader("new")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put(cancelled ctx) = %v, want context.Canceled", err)
	}
	if got := read(t, f, "k/pages.tif"); string(got) != "old content" {
		t.Errorf("after failed Puts the blob is %q, want the old content", got)
	}
	entries, err := os.ReadDir(filepath.Join(f.Root(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only pages.tif (temp files left behind)", names)
	}
}

// TestPutConcurrentReaders: while one writer replaces a blob again and
// again, every reader sees one complete version, never a mix or a prefix.
func TestPutConcurrentReaders(t *testing.T) {
	f := newFS(t)
	ctx := t.Context()
	const size = 256 << 10
	version := func(b byte) []byte { return bytes.Repeat([]byte{b}, size) }
	if _, err := f.Put(ctx, "v", bytes.NewReader(version('a'))); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := f.Put(ctx, "v", bytes.NewReader(version(byte('a'+i%26)))); err != nil {
				t.Errorf("Put: %v", err)
				return
			}
		}
	})
	for range 200 {
		got := read(t, f, "v")
		if len(got) != size || bytes.Count(got, got[:1]) != size {
			t.Fatalf("reader saw a torn blob: %d bytes, first %q", len(got), got[:1])
		}
	}
	close(stop)
	wg.Wait()
}

func TestDelete(t *testing.T) {
	f := newFS(t)
	ctx := t.Context()
	keys := []string{"t/a/doc/d1/src/01", "t/a/doc/d1/r1/pages.tif", "t/a/doc/d10/src/01", "t/a/doc/d2/src/01"}
	for _, k := range keys {
		if _, err := f.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Delete(ctx, "t/a/doc/d2/src/01"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat(ctx, "t/a/doc/d2/src/01"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted blob: Stat = %v", err)
	}
	// The prefix is a folder: d1 goes, d10 (same string prefix) stays.
	if err := f.DeletePrefix(ctx, "t/a/doc/d1"); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys[:2] {
		if _, err := f.Stat(ctx, k); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("after DeletePrefix, %s: Stat = %v, want ErrNotFound", k, err)
		}
	}
	if _, err := os.Stat(filepath.Join(f.Root(), "t", "a", "doc", "d1")); !os.IsNotExist(err) {
		t.Errorf("document folder still exists: %v", err)
	}
	if got := read(t, f, "t/a/doc/d10/src/01"); string(got) != "t/a/doc/d10/src/01" {
		t.Errorf("DeletePrefix(d1) touched d10: %q", got)
	}
}

func TestNewFS(t *testing.T) {
	if _, err := blob.NewFS(""); err == nil {
		t.Error("NewFS(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewFS(filepath.Join(file, "sub")); err == nil {
		t.Error("NewFS under a file succeeded")
	}
}

func read(t *testing.T, f *blob.FS, key string) []byte {
	t.Helper()
	rc, err := f.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b
}
