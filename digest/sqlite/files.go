package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The files of the vault are remembered as a compact, encoded index
// (file_index, in chunks of about 256 KB) rather than a row per file: a
// build reads and writes all of them at once, and for a vault of 100,000
// notes some 40 blobs are read in milliseconds where 100,000 rows take most
// of a second. Each record keeps when the file was first seen (so late syncs
// are noticed), and its size, time and matched tag (so unchanged files need
// not be read again).
func init() {
	schema = append(schema, `CREATE TABLE IF NOT EXISTS file_index (
		id      INTEGER PRIMARY KEY, -- chunk number, from 1
		version INTEGER NOT NULL,
		count   INTEGER NOT NULL,
		data    BLOB NOT NULL
	)`)
}

// chunkSize is about how many bytes of records a chunk of the index holds;
// every chunk stands alone (its own string numbers).
const chunkSize = 256 << 10

// fileIndexVersion is the encoding of file_index.data.
const fileIndexVersion = 1

// FileRecord is what the state remembers of one file of the vault.
type FileRecord struct {
	Path      string
	Size      int64
	ModTime   time.Time
	FirstSeen time.Time
	Tag       string    // the configured tag it matched when last read, "" for none
	Clipped   time.Time // when the matching clipping was clipped (zero when Tag is "")
	Sig       string    // the tags configuration Tag was computed under
}

// Unchanged reports whether the file still has the size and time recorded.
func (r FileRecord) Unchanged(size int64, mod time.Time) bool {
	return r.Size == size && r.ModTime.UnixNano() == mod.UnixNano()
}

// Same reports whether r and o record the same thing.
func (r FileRecord) Same(o FileRecord) bool {
	return r.Path == o.Path && r.Size == o.Size && r.Tag == o.Tag && r.Sig == o.Sig &&
		nanos(r.ModTime) == nanos(o.ModTime) && nanos(r.FirstSeen) == nanos(o.FirstSeen) &&
		nanos(r.Clipped) == nanos(o.Clipped)
}

// FileIndex collects file records, encoded as they are added, to be saved in
// one piece with SaveFileIndex. The zero value is an empty index.
type FileIndex struct {
	done  []chunk // full chunks
	data  []byte  // the chunk being filled
	n     int     // records in data
	strs  map[string]uint64
	total int
}

type chunk struct {
	data []byte
	n    int
}

// Add appends a record. Paths are expected to be unique.
//
// Each record is: path (length, bytes), size, mtime, first seen, tag,
// clipped, signature; numbers as varints, times as Unix nanoseconds
// (math.MinInt64 for the zero time), and the tag and signature as the
// number of an earlier string, or the next number followed by the string.
func (x *FileIndex) Add(r FileRecord) {
	if x.strs == nil || len(x.data) >= chunkSize {
		if x.n > 0 {
			x.done = append(x.done, chunk{x.data, x.n})
		}
		x.data, x.n = make([]byte, 0, chunkSize+4<<10), 0
		x.strs = map[string]uint64{} // tags and signatures written in this chunk, by number
	}
	b := x.data
	b = binary.AppendUvarint(b, uint64(len(r.Path)))
	b = append(b, r.Path...)
	b = binary.AppendVarint(b, r.Size)
	b = binary.AppendVarint(b, nanos(r.ModTime))
	b = binary.AppendVarint(b, nanos(r.FirstSeen))
	b = x.appendString(b, r.Tag)
	b = binary.AppendVarint(b, nanos(r.Clipped))
	b = x.appendString(b, r.Sig)
	x.data = b
	x.n++
	x.total++
}

func (x *FileIndex) appendString(b []byte, s string) []byte {
	if i, ok := x.strs[s]; ok {
		return binary.AppendUvarint(b, i)
	}
	i := uint64(len(x.strs))
	x.strs[s] = i
	b = binary.AppendUvarint(b, i)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Len is the number of records added.
func (x *FileIndex) Len() int { return x.total }

func (x *FileIndex) chunks() []chunk {
	if x.n == 0 {
		return x.done
	}
	return append(x.done[:len(x.done):len(x.done)], chunk{x.data, x.n})
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

func fromNanos(ns int64) time.Time {
	if ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Known is the file index as read from the state, in the order it was
// written: the walk order of the build that wrote it, in which a scan finds
// each of its files with one comparison (it is a digest.SeenFiles), with
// no map of 100,000 paths to build and look up.
type Known struct {
	text []string // the paths of each chunk, end to end
	recs []knownRec
	strs []string // the tags and signatures of all chunks
	num  map[string]uint32
}

// knownRec is a record of Known as numbers only, so that the garbage
// collector has nothing to scan in 100,000 of them.
type knownRec struct {
	size, mod, first, clipped int64  // times in Unix nanoseconds, as encoded
	text, off, len            uint32 // the path: Known.text[text][off:off+len]
	tag, sig                  uint32 // in Known.strs
}

func newKnown(n int) *Known { return &Known{recs: make([]knownRec, 0, n)} }

// Len is the number of records.
func (k *Known) Len() int {
	if k == nil {
		return 0
	}
	return len(k.recs)
}

// Path is the path of the i-th record.
func (k *Known) Path(i int) string {
	r := &k.recs[i]
	return k.text[r.text][r.off : r.off+r.len]
}

// Record is the i-th record.
func (k *Known) Record(i int) FileRecord {
	r := &k.recs[i]
	return FileRecord{
		Path:      k.text[r.text][r.off : r.off+r.len],
		Size:      r.size,
		ModTime:   fromNanos(r.mod),
		FirstSeen: fromNanos(r.first),
		Tag:       k.strs[r.tag],
		Clipped:   fromNanos(r.clipped),
		Sig:       k.strs[r.sig],
	}
}

var errBadIndex = errors.New("file index: corrupt")

// decode appends the records of an encoded chunk of the index (see
// FileIndex.Add). The paths of a chunk are copied end to end into one
// string, so that they cost one allocation and no more memory than they
// need.
func (k *Known) decode(data []byte) error {
	if k.num == nil {
		k.num = map[string]uint32{}
	}
	d := decoder{data: data}
	var text strings.Builder
	text.Grow(len(data))
	chunk := uint32(len(k.text))
	var local []uint32 // the chunk's numbers of strings: their places in k.strs
	str := func() uint32 {
		switch i := d.uvarint(); {
		case d.err != nil:
		case i < uint64(len(local)):
			return local[i]
		case i == uint64(len(local)):
			b := d.bytes(d.uvarint())
			n, ok := k.num[string(b)]
			if !ok {
				n = uint32(len(k.strs))
				k.strs = append(k.strs, string(b))
				k.num[string(b)] = n
			}
			local = append(local, n)
			return n
		default:
			d.err = errBadIndex
		}
		return 0
	}
	for d.pos < len(data) && d.err == nil {
		r := knownRec{text: chunk}
		path := d.bytes(d.uvarint())
		r.off, r.len = uint32(text.Len()), uint32(len(path))
		text.Write(path)
		r.size = d.varint()
		r.mod = d.varint()
		r.first = d.varint()
		r.tag = str()
		r.clipped = d.varint()
		r.sig = str()
		k.recs = append(k.recs, r)
	}
	if d.err != nil {
		return d.err
	}
	k.text = append(k.text, text.String())
	return nil
}

// decoder reads the numbers and strings of an encoded chunk; the first
// error stops it.
type decoder struct {
	data []byte
	pos  int
	err  error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.pos:])
	if n <= 0 {
		d.err = errBadIndex
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data[d.pos:])
	if n <= 0 {
		d.err = errBadIndex
		return 0
	}
	d.pos += n
	return v
}

// bytes reads l bytes.
func (d *decoder) bytes(l uint64) []byte {
	if d.err == nil && l > uint64(len(d.data)-d.pos) {
		d.err = errBadIndex
	}
	if d.err != nil {
		return nil
	}
	d.pos += int(l)
	return d.data[d.pos-int(l) : d.pos]
}

// KnownFiles reads the file index (empty before the first build).
func (s *Store) KnownFiles(ctx context.Context) (*Known, error) {
	k, found, err := s.readIndex(ctx)
	if err != nil || found {
		return k, err
	}
	return newKnown(0), nil
}

// Files returns every file record, keyed by path.
func (s *Store) Files(ctx context.Context) (map[string]FileRecord, error) {
	k, err := s.KnownFiles(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]FileRecord, k.Len())
	for i := range k.Len() {
		m[k.Path(i)] = k.Record(i)
	}
	return m, nil
}

// readIndex reads and decodes file_index; found is false when there is none.
func (s *Store) readIndex(ctx context.Context) (k *Known, found bool, err error) {
	var chunks, total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(count), 0) FROM file_index`).Scan(&chunks, &total); err != nil || chunks == 0 {
		return nil, false, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT version, data FROM file_index ORDER BY id`)
	if err != nil {
		return nil, true, err
	}
	defer rows.Close()
	k = newKnown(total)
	for rows.Next() {
		var version int
		var data sql.RawBytes // not copied again: it is decoded before the next call
		if err := rows.Scan(&version, &data); err != nil {
			return nil, true, err
		}
		if version != fileIndexVersion {
			return nil, true, fmt.Errorf("file index: unknown version %d", version)
		}
		if err := k.decode(data); err != nil {
			return nil, true, err
		}
	}
	return k, true, rows.Err()
}

// SaveFileIndex replaces every file record with those of x, in one
// transaction.
func (s *Store) SaveFileIndex(ctx context.Context, x *FileIndex) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return saveIndex(ctx, tx, x) })
}

func saveIndex(ctx context.Context, tx *sql.Tx, x *FileIndex) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM file_index`); err != nil {
		return err
	}
	chunks := x.chunks()
	if len(chunks) == 0 {
		chunks = []chunk{{data: []byte{}}} // an empty index, not none
	}
	for i, c := range chunks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO file_index (id, version, count, data) VALUES (?, ?, ?, ?)`,
			i+1, fileIndexVersion, c.n, c.data); err != nil {
			return err
		}
	}
	return nil
}
