package campaign

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"faxgate/internal/model"
)

// CSV reading limits.
const (
	sniffBytes = 64 << 10 // bytes looked at to detect the encoding and delimiter
	// MaxRecordBytes bounds one CSV record (all its fields and embedded
	// newlines): a longer one, such as an unterminated quote swallowing
	// the rest of the file, stops the import with an error instead of
	// growing memory.
	MaxRecordBytes = 1 << 20
)

// Encodings the reader reports and accepts in CSVOptions.Encoding.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	EncodingLatin1  = "windows-1252" // Latin-1 is read as its superset Windows-1252
)

// CSVOptions says how to read a CSV file; zero values detect.
type CSVOptions struct {
	Delimiter rune   // ',', ';', '\t' or '|'; 0 = detect from the header line
	Encoding  string // EncodingUTF8, EncodingLatin1 ("latin1", "iso-8859-1" accepted); "" = detect
}

// ErrRecordTooLong is returned (wrapped) when a CSV record exceeds
// MaxRecordBytes.
var ErrRecordTooLong = errors.New("a CSV record is longer than 1 MiB (unterminated quote?)")

// csvFile reads records of a CSV stream with bounded memory.
type csvFile struct {
	cr        *csv.Reader
	limit     *limitReader
	count     *countReader
	encoding  string
	delimiter rune
	fixUTF8   bool // UTF-8 stream: fields that are not valid UTF-8 are read as Windows-1252
}

// openCSV detects the encoding (BOM, valid UTF-8, else Windows-1252) and
// the delimiter, and returns a reader positioned on the first record.
func openCSV(r io.Reader, o CSVOptions) (*csvFile, error) {
	f := &csvFile{count: &countReader{r: r}}
	br := bufio.NewReaderSize(f.count, sniffBytes)
	sample, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(sample, bom))) == 0 {
		return nil, model.Invalid("file", "the file is empty")
	}
	if bytes.HasPrefix(sample, []byte{0xFF, 0xFE}) || bytes.HasPrefix(sample, []byte{0xFE, 0xFF}) {
		return nil, model.Invalid("file", "UTF-16 files are not supported: save the file as CSV UTF-8")
	}
	var src io.Reader = br
	f.encoding, err = pickEncoding(sample, o.Encoding)
	if err != nil {
		return nil, err
	}
	switch f.encoding {
	case EncodingUTF8BOM:
		_, _ = br.Discard(len(bom))
		sample = sample[len(bom):]
		f.fixUTF8 = true
	case EncodingUTF8:
		f.fixUTF8 = true
	case EncodingLatin1:
		src = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	}
	if f.delimiter = o.Delimiter; f.delimiter == 0 {
		f.delimiter = sniffDelimiter(sample)
	} else if !strings.ContainsRune(",;\t|", f.delimiter) {
		return nil, model.Invalid("delimiter", "must be comma, semicolon, tab or pipe")
	}
	f.limit = &limitReader{r: src, max: MaxRecordBytes}
	f.cr = csv.NewReader(f.limit)
	f.cr.Comma = f.delimiter
	f.cr.LazyQuotes = true
	f.cr.ReuseRecord = true
	f.cr.FieldsPerRecord = -1
	return f, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func pickEncoding(sample []byte, want string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(want)) {
	case "":
	case "utf-8", "utf8":
		if bytes.HasPrefix(sample, bom) {
			return EncodingUTF8BOM, nil
		}
		return EncodingUTF8, nil
	case "latin1", "latin-1", "iso-8859-1", "windows-1252", "cp1252":
		return EncodingLatin1, nil
	default:
		return "", model.Invalid("encoding", "must be utf-8 or latin1")
	}
	if bytes.HasPrefix(sample, bom) {
		return EncodingUTF8BOM, nil
	}
	if utf8.Valid(sample) {
		return EncodingUTF8, nil
	}
	// A full sample may end inside a multi-byte character: drop that tail.
	for k := 1; k < utf8.UTFMax && len(sample) == sniffBytes; k++ {
		if utf8.Valid(sample[:len(sample)-k]) {
			return EncodingUTF8, nil
		}
	}
	return EncodingLatin1, nil
}

// sniffDelimiter picks the candidate found most often in the first line
// (outside quotes); comma when none appears.
func sniffDelimiter(sample []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, b := range sample {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n' || b == '\r':
			return bestDelimiter(counts)
		case b == ',' || b == ';' || b == '\t' || b == '|':
			counts[b]++
		}
	}
	return bestDelimiter(counts)
}

func bestDelimiter(counts map[byte]int) rune {
	best, n := byte(','), 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// next returns the next record and its line number (1-based); io.EOF at
// the end. A *csv.ParseError concerns one record: the caller may go on.
func (f *csvFile) next() ([]string, int, error) {
	f.limit.reset()
	rec, err := f.cr.Read()
	if errors.Is(err, ErrRecordTooLong) {
		line, _ := f.cr.FieldPos(0)
		return nil, line, fmt.Errorf("after line %d: %w", line, ErrRecordTooLong)
	}
	if err != nil {
		// csv.Reader may hand back a partial record with the error: drop it.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, err
		}
		return nil, 0, err
	}
	line, _ := f.cr.FieldPos(0)
	if f.fixUTF8 {
		for i, v := range rec {
			if !utf8.ValidString(v) {
				rec[i], _ = charmap.Windows1252.NewDecoder().String(v)
			}
		}
	}
	return rec, line, nil
}

// bytesRead is how much of the input has been consumed (for progress).
func (f *csvFile) bytesRead() int64 { return f.count.n }

// limitReader fails with ErrRecordTooLong once more than max bytes were
// read since the last reset (the CSV reader's read-ahead adds at most its
// buffer size to the bound).
type limitReader struct {
	r   io.Reader
	n   int
	max int
}

func (l *limitReader) reset() { l.n = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, ErrRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// countReader counts the bytes read from the input.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// blank reports whether every field of a record is empty.
func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// normHeader reduces a header cell to lower-case letters and digits
// ("Fax Number" -> "faxnumber", "E-mail" -> "email").
func normHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
