package digest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Bounds of one row of the subscribers file: a quoted field may span
// lines, but a quote left open (a stray ") must not swallow the rest of
// the list.
const (
	maxRowBytes = 1 << 20 // a row, all its lines together
	maxRowLines = 64      // physical lines of one row
)

// rowError is a row that is not well-formed CSV; the rows after it are
// read on.
type rowError struct {
	line   int
	reason string
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// physLine is one physical line of the file, its line end included.
type physLine struct {
	text    string
	num     int  // 1-based
	tooLong bool // cut at maxRowBytes; the rest of it was discarded
}

// rowReader reads the records of a CSV file (RFC 4180, as encoding/csv reads
// them) so that a malformed one costs that record only: encoding/csv alone,
// meeting a stray quote, reads the whole rest of the file into one field.
// Lines are split here, a record whose quotes stay open is bounded, and a
// record that does not parse is reported at its first line while the read
// resumes at the line after it.
type rowReader struct {
	br     *bufio.Reader
	num    int        // lines read from br
	back   []physLine // lines read ahead and given back, in order
	fields []string   // reused for records without quotes

	// Records with quotes go through encoding/csv, fed one record at a
	// time through feed.
	feed recordFeed
	csv  *csv.Reader
}

func newRowReader(br *bufio.Reader) *rowReader {
	r := &rowReader{br: br}
	r.csv = csv.NewReader(&r.feed)
	r.csv.FieldsPerRecord = -1 // short rows read as empty trailing fields
	r.csv.ReuseRecord = true
	return r
}

// next returns the next record, which is valid until the following call,
// and the line it starts on. Blank lines are skipped. A malformed record is
// a *rowError; io.EOF ends the file; any other error is the file's.
func (r *rowReader) next() ([]string, int, error) {
	var first physLine
	for {
		l, err := r.line()
		if err != nil {
			return nil, 0, err
		}
		if strings.TrimRight(l.text, "\r\n") != "" || l.tooLong {
			first = l
			break
		}
	}
	if first.tooLong {
		return nil, first.num, &rowError{first.num, fmt.Sprintf("row longer than %d bytes", maxRowBytes)}
	}
	if !strings.Contains(first.text, `"`) {
		// Most rows: no quoting, so a plain split says what csv would.
		r.fields = r.fields[:0]
		for f := range strings.SplitSeq(strings.TrimSuffix(strings.TrimSuffix(first.text, "\n"), "\r"), ",") {
			r.fields = append(r.fields, f)
		}
		return r.fields, first.num, nil
	}

	// A quoted field may span lines: take lines while a quote is open.
	rec, lines := first.text, []physLine{first}
	for strings.Count(rec, `"`)%2 == 1 && len(lines) < maxRowLines && len(rec) < maxRowBytes {
		l, err := r.line()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, l)
		if l.tooLong {
			break
		}
		rec += l.text
	}
	if strings.Count(rec, `"`)%2 == 1 || lines[len(lines)-1].tooLong {
		// The quote never closes: the first line alone is the bad row.
		r.unread(lines[1:])
		lines, rec = lines[:1], first.text
	}
	fields, err := r.parse(rec)
	if err != nil {
		r.unread(lines[1:])
		return nil, first.num, &rowError{first.num, err.Error()}
	}
	return fields, first.num, nil
}

// parse reads one record with encoding/csv.
func (r *rowReader) parse(rec string) ([]string, error) {
	r.feed.s = rec
	fields, err := r.csv.Read()
	// Whatever csv left of the record after an error is not the next
	// record's: read it to the end of the feed.
	for {
		if _, err := r.csv.Read(); err == io.EOF {
			break
		}
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return nil, pe.Err
	}
	if err == io.EOF {
		return nil, nil // blank; cannot happen for a line with a quote
	}
	return fields, err
}

// line returns the next physical line.
func (r *rowReader) line() (physLine, error) {
	if len(r.back) > 0 {
		l := r.back[0]
		r.back = r.back[1:]
		return l, nil
	}
	b, err := r.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(b) > 0) {
		r.num++
		return physLine{text: string(b), num: r.num}, nil
	}
	if err != bufio.ErrBufferFull {
		return physLine{}, err
	}
	// A long line: gather it up to the bound, and drop the rest.
	var sb strings.Builder
	sb.Write(b)
	tooLong := false
	for err == bufio.ErrBufferFull {
		b, err = r.br.ReadSlice('\n')
		if sb.Len()+len(b) > maxRowBytes {
			tooLong = true
		} else {
			sb.Write(b)
		}
	}
	if err != nil && err != io.EOF {
		return physLine{}, err
	}
	r.num++
	return physLine{text: sb.String(), num: r.num, tooLong: tooLong}, nil
}

// unread gives lines back, to be read again before the rest of the file.
func (r *rowReader) unread(lines []physLine) {
	if len(lines) > 0 {
		r.back = append(append([]physLine(nil), lines...), r.back...)
	}
}

// recordFeed is the input of the csv reader: one record at a time.
type recordFeed struct{ s string }

func (f *recordFeed) Read(p []byte) (int, error) {
	if f.s == "" {
		return 0, io.EOF
	}
	n := copy(p, f.s)
	f.s = f.s[n:]
	return n, nil
}
