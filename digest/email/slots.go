package email

import (
	"bytes"
	"errors"
	"strings"
	"sync"
)

// Stand-ins of per-recipient values, after the marker.
const (
	slotGreeting = 'G'
	slotEmail    = 'E'
	slotUnsub    = 'U'
	slotPrefs    = 'P'
)

// slotted is a text with holes for the per-recipient values: lits[0],
// value of slots[0], lits[1], … lits[len(slots)].
type slotted struct {
	lits  []string
	slots []byte

	once     sync.Once
	qp       [][]byte // lits quoted-printable encoded, see encoded
	boundary bool     // some literal holds boundaryPrefix
}

func (t *slotted) prepare() {
	t.once.Do(func() {
		t.qp = make([][]byte, len(t.lits))
		for i, l := range t.lits {
			t.qp[i] = appendQP(nil, l, i == len(t.lits)-1)
			t.boundary = t.boundary || strings.Contains(l, boundaryPrefix)
		}
	})
}

// encoded returns the literals quoted-printable encoded, each as a run of
// its own (see appendQP), encoding them on first use.
func (t *slotted) encoded() [][]byte {
	t.prepare()
	return t.qp
}

// size is the length of the encoded literals: the part's size as sent,
// but for the per-recipient values.
func (t *slotted) size() int {
	n := 0
	for _, b := range t.encoded() {
		n += len(b)
	}
	return n
}

// splitSlots cuts s at each stand-in. The unsubscribe link must be there.
func splitSlots(s, marker string) (*slotted, error) {
	t := &slotted{}
	for {
		i := strings.Index(s, marker)
		if i < 0 || i+len(marker) >= len(s) {
			break
		}
		k := s[i+len(marker)]
		if k != slotGreeting && k != slotEmail && k != slotUnsub && k != slotPrefs {
			return nil, errors.New("a per-recipient value was changed")
		}
		t.lits = append(t.lits, s[:i])
		t.slots = append(t.slots, k)
		s = s[i+len(marker)+1:]
	}
	if strings.Contains(s, marker) {
		return nil, errors.New("a per-recipient value was changed")
	}
	t.lits = append(t.lits, s)
	if !bytes.Contains(t.slots, []byte{slotUnsub}) {
		return nil, errors.New("no unsubscribe link: the template must show .UnsubscribeURL")
	}
	return t, nil
}

// filled is a slotted with its holes filled: a part's content,
// written out afresh each time the message is, never copied whole.
type filled struct {
	t    *slotted
	vals [slots]string // by slot: greeting, email, unsubscribe URL, preferences URL
}

// slots is how many per-recipient values there are.
const slots = 4

func slotIndex(k byte) int {
	switch k {
	case slotGreeting:
		return 0
	case slotEmail:
		return 1
	case slotPrefs:
		return 3
	}
	return 2
}

// contains reports whether s is in one of the literals or values. (One
// straddling both is not looked for: s is a MIME boundary no one can guess,
// and this check is only a second line of defence.)
func (f filled) contains(s string) bool {
	f.t.prepare()
	for _, l := range f.t.lits {
		if !f.t.boundary {
			break // the common case, spared a scan of the whole body
		}
		if strings.Contains(l, s) {
			return true
		}
	}
	for _, v := range f.vals {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// String is the part's content with the values in their holes.
func (f filled) String() string {
	var b strings.Builder
	for i, k := range f.t.slots {
		b.WriteString(f.t.lits[i])
		b.WriteString(f.vals[slotIndex(k)])
	}
	b.WriteString(f.t.lits[len(f.t.lits)-1])
	return b.String()
}

// literalPart is a part's content with no per-recipient holes.
func literalPart(s string) filled {
	return filled{t: &slotted{lits: []string{s}}}
}
