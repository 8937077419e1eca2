package faxtiff

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"golang.org/x/image/tiff/lzw"
)

// inflate undoes the general-purpose compressions a scanner or an office
// suite may use for bilevel TIFFs (libtiff, and so spandsp, reads them all).
// It never produces more than want bytes, so a small strip cannot expand
// into a large allocation.
func inflate(compression int, data []byte, want int) ([]byte, error) {
	switch compression {
	case 1:
		return data, nil
	case 32773:
		return unpackBits(data, want)
	case 5:
		return readUpTo(lzw.NewReader(bytes.NewReader(data), lzw.MSB, 8), want)
	case 8, 32946:
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		return readUpTo(zr, want)
	}
	return nil, fmt.Errorf("compression %d is not supported", compression)
}

// readUpTo reads at most want bytes; a stream that ends early returns what
// it had, and the caller reports the shortfall.
func readUpTo(rc io.ReadCloser, want int) ([]byte, error) {
	defer rc.Close()
	b := make([]byte, want)
	n, err := io.ReadFull(rc, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:n], nil
}

// unpackBits decodes Apple PackBits (TIFF Compression 32773).
func unpackBits(src []byte, want int) ([]byte, error) {
	dst := make([]byte, 0, want)
	for len(src) > 0 && len(dst) < want {
		n := int(int8(src[0]))
		src = src[1:]
		switch {
		case n >= 0: // n+1 literal bytes
			if n+1 > len(src) {
				return nil, errors.New("packbits: literal run passes the end of the strip")
			}
			dst = append(dst, src[:min(n+1, want-len(dst))]...)
			src = src[n+1:]
		case n != -128: // 1-n copies of the next byte
			if len(src) == 0 {
				return nil, errors.New("packbits: repeat run passes the end of the strip")
			}
			for range min(1-n, want-len(dst)) {
				dst = append(dst, src[0])
			}
			src = src[1:]
		}
	}
	return dst, nil
}
