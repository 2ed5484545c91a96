package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
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

var errBadIndex = errors.New("file index: corrupt")

// decodeFileIndex reads an encoded chunk of the index, calling add for each
// record. The paths share one string, so that a chunk costs one allocation
// for all of them.
func decodeFileIndex(data []byte, add func(FileRecord)) error {
	s := string(data)
	var strs []string
	pos := 0
	uv := func() uint64 {
		v, n := binary.Uvarint(data[pos:])
		if n <= 0 {
			panic(errBadIndex)
		}
		pos += n
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(data[pos:])
		if n <= 0 {
			panic(errBadIndex)
		}
		pos += n
		return v
	}
	str := func() string {
		i := uv()
		switch {
		case i < uint64(len(strs)):
			return strs[i]
		case i == uint64(len(strs)):
			l := uv()
			if l > uint64(len(data)-pos) {
				panic(errBadIndex)
			}
			t := s[pos : pos+int(l)]
			pos += int(l)
			strs = append(strs, t)
			return t
		}
		panic(errBadIndex)
	}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r != errBadIndex {
					panic(r)
				}
				err = errBadIndex
			}
		}()
		for pos < len(data) {
			var r FileRecord
			l := uv()
			if l > uint64(len(data)-pos) {
				return errBadIndex
			}
			r.Path = s[pos : pos+int(l)]
			pos += int(l)
			r.Size = sv()
			r.ModTime = fromNanos(sv())
			r.FirstSeen = fromNanos(sv())
			r.Tag = str()
			r.Clipped = fromNanos(sv())
			r.Sig = str()
			add(r)
		}
		return nil
	}()
	return err
}

// Known is the file index as read from the state, looked up by path. It
// is not a map keyed by the paths: hashing 100,000 long paths into one cost
// more than reading the index.
type Known struct {
	recs []FileRecord
	pos  map[uint64]int32 // hash of a path: its first record in recs
	next []int32          // the next record whose path has the same hash, or -1
	seed maphash.Seed
}

func newKnown(n int) *Known {
	return &Known{recs: make([]FileRecord, 0, n), pos: make(map[uint64]int32, n), next: make([]int32, 0, n), seed: maphash.MakeSeed()}
}

func (k *Known) add(r FileRecord) {
	h := maphash.String(k.seed, r.Path)
	i := int32(len(k.recs))
	k.recs = append(k.recs, r)
	prev, ok := k.pos[h]
	if !ok {
		prev = -1
	}
	k.next = append(k.next, prev)
	k.pos[h] = i
}

// Get returns the record of path.
func (k *Known) Get(path string) (FileRecord, bool) {
	if k == nil {
		return FileRecord{}, false
	}
	i, ok := k.pos[maphash.String(k.seed, path)]
	for ok && i >= 0 {
		if k.recs[i].Path == path {
			return k.recs[i], true
		}
		i = k.next[i]
	}
	return FileRecord{}, false
}

// Len is the number of records.
func (k *Known) Len() int {
	if k == nil {
		return 0
	}
	return len(k.recs)
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
	for _, r := range k.recs {
		m[r.Path] = r
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
		if err := decodeFileIndex(data, k.add); err != nil {
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
