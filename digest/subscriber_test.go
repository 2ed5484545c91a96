package digest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// readSubscribers reads all of input as a subscribers file called subs.csv.
func readSubscribers(t testing.TB, input string) ([]Subscriber, []string) {
	t.Helper()
	r, err := NewSubscriberReader(strings.NewReader(input), "subs.csv")
	if err != nil {
		t.Fatalf("NewSubscriberReader: %v", err)
	}
	var subs []Subscriber
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		subs = append(subs, s)
	}
	var problems []string
	for _, p := range r.Problems() {
		problems = append(problems, p.Error())
	}
	if got, want := r.Skipped(), len(problems); got != want {
		t.Errorf("Skipped() = %d, want %d (the number of problems)", got, want)
	}
	return subs, problems
}

func TestSubscriberReader(t *testing.T) {
	active := StatusActive
	tests := []struct {
		name     string
		input    string
		want     []Subscriber
		problems []string
	}{
		{
			name:  "plain",
			input: "email,name\na@example.com,Ann\nb@example.com,Bob\n",
			want: []Subscriber{
				{Email: "a@example.com", Name: "Ann", Status: active, Line: 2},
				{Email: "b@example.com", Name: "Bob", Status: active, Line: 3},
			},
		},
		{
			name:  "BOM",
			input: "\uFEFFemail,name\na@example.com,Ann\n",
			want:  []Subscriber{{Email: "a@example.com", Name: "Ann", Status: active, Line: 2}},
		},
		{
			name:  "CRLF and no final newline",
			input: "email,name\r\na@example.com,Ann\r\nb@example.com,Bob",
			want: []Subscriber{
				{Email: "a@example.com", Name: "Ann", Status: active, Line: 2},
				{Email: "b@example.com", Name: "Bob", Status: active, Line: 3},
			},
		},
		{
			name:  "header case, spaces, order and unknown columns",
			input: "Joined, NAME ,Notes,EMAIL\n2024-01-01,Ann,\"likes, commas\", A@Example.COM \n",
			want:  []Subscriber{{Email: "A@example.com", Name: "Ann", Status: active, Line: 2}},
		},
		{
			name:  "quoted comma and quote",
			input: "email,name\na@example.com,\"Doe, \"\"Jane\"\"\"\n",
			want:  []Subscriber{{Email: "a@example.com", Name: `Doe, "Jane"`, Status: active, Line: 2}},
		},
		{
			name:  "quoted newlines keep line numbers physical",
			input: "email,name\r\na@example.com,\"Ann\r\nof\r\nGreen Gables\"\r\nnot-an-address,Bob\r\nc@example.com,Cy\r\n",
			want: []Subscriber{
				{Email: "a@example.com", Name: "Ann of Green Gables", Status: active, Line: 2},
				{Email: "c@example.com", Name: "Cy", Status: active, Line: 6},
			},
			problems: []string{`subs.csv:5: invalid address "not-an-address": missing @`},
		},
		{
			name: "invalid addresses",
			input: "email\n" +
				"ok@example.com\n" +
				"Bob <bob@example.com>\n" +
				"root@localhost\n" +
				"a@[192.0.2.1]\n" +
				"a@-example.com\n" +
				"a b@example.com\n" +
				"a..b@example.com\n" +
				"a@example.123\n" +
				"@example.com\n" +
				"a@\n" +
				"\"a\"@example.com\n",
			want: []Subscriber{{Email: "ok@example.com", Status: active, Line: 2}},
			problems: []string{
				`subs.csv:3: invalid address "Bob <bob@example.com>": want a bare address like name@example.com`,
				`subs.csv:4: invalid address "root@localhost": domain "localhost" has no dot`,
				`subs.csv:5: invalid address "a@[192.0.2.1]": address literals are not accepted`,
				`subs.csv:6: invalid address "a@-example.com": domain "-example.com" is not a host name`,
				`subs.csv:7: invalid address "a b@example.com": contains white space or an invisible character`,
				`subs.csv:8: invalid address "a..b@example.com": misplaced dot before @`,
				`subs.csv:9: invalid address "a@example.123": domain "example.123" ends in a number`,
				`subs.csv:10: invalid address "@example.com": nothing before @`,
				`subs.csv:11: invalid address "a@": missing domain after @`,
				`subs.csv:12: malformed CSV: extraneous or missing " in quoted-field`,
			},
		},
		{
			name:  "duplicates are case-insensitive on the whole address",
			input: "email,name\nAnn@Example.com,first\nb@example.com,\"multi\nline\"\nann@EXAMPLE.COM,second\nANN@example.com,third\n",
			want: []Subscriber{
				{Email: "Ann@example.com", Name: "first", Status: active, Line: 2},
				{Email: "b@example.com", Name: "multi line", Status: active, Line: 3},
			},
			problems: []string{
				"subs.csv:5: duplicate address ann@example.com (first on line 2)",
				"subs.csv:6: duplicate address ANN@example.com (first on line 2)",
			},
		},
		{
			name:  "tags",
			input: "email,tags\na@example.com,AI\nb@example.com,\"AI; 未来趋势\"\nc@example.com,#AI #ml\nd@example.com,\"AI,ml，x、y\"\ne@example.com,\nf@example.com,ai;AI; ;\n",
			want: []Subscriber{
				{Email: "a@example.com", Tags: []string{"AI"}, Status: active, Line: 2},
				{Email: "b@example.com", Tags: []string{"AI", "未来趋势"}, Status: active, Line: 3},
				{Email: "c@example.com", Tags: []string{"AI", "ml"}, Status: active, Line: 4},
				{Email: "d@example.com", Tags: []string{"AI", "ml", "x", "y"}, Status: active, Line: 5},
				{Email: "e@example.com", Status: active, Line: 6},
				{Email: "f@example.com", Tags: []string{"ai"}, Status: active, Line: 7},
			},
		},
		{
			name:  "status",
			input: "email,status\na@example.com,active\nb@example.com,Unsubscribed\nc@example.com,\nd@example.com,bogus\ne@example.com,blocklisted\nf@example.com, enabled \n",
			want: []Subscriber{
				{Email: "a@example.com", Status: StatusActive, Line: 2},
				{Email: "b@example.com", Status: StatusUnsubscribed, Line: 3},
				{Email: "c@example.com", Status: StatusActive, Line: 4},
				{Email: "e@example.com", Status: StatusUnsubscribed, Line: 6},
				{Email: "f@example.com", Status: StatusActive, Line: 7},
			},
			problems: []string{`subs.csv:5: d@example.com: unknown status "bogus", want active or unsubscribed`},
		},
		{
			name: "listmonk export",
			input: "uuid,email,name,attributes,status,created_at,updated_at\n" +
				`6fd2a8b0-1,ann@example.com,Ann,"{""city"": ""Oslo"", ""tags"": [""AI"", ""未来趋势""]}",enabled,2024-01-01 10:00:00,2024-01-01 10:00:00` + "\n" +
				`6fd2a8b0-2,bob@example.com,Bob,{},blocklisted,2024-01-01 10:00:00,2024-01-01 10:00:00` + "\n" +
				`6fd2a8b0-3,cy@example.com,Cy,"{""tags"": ""AI; ml""}",enabled,2024-01-01 10:00:00,2024-01-01 10:00:00` + "\n" +
				`6fd2a8b0-4,dee@example.com,Dee,"{""tags"": 3}",enabled,2024-01-01 10:00:00,2024-01-01 10:00:00` + "\n" +
				`6fd2a8b0-5,eve@example.com,Eve,"{not json",enabled,2024-01-01 10:00:00,2024-01-01 10:00:00` + "\n",
			want: []Subscriber{
				{Email: "ann@example.com", Name: "Ann", Tags: []string{"AI", "未来趋势"}, Status: StatusActive, Line: 2},
				{Email: "bob@example.com", Name: "Bob", Status: StatusUnsubscribed, Line: 3},
				{Email: "cy@example.com", Name: "Cy", Tags: []string{"AI", "ml"}, Status: StatusActive, Line: 4},
			},
			problems: []string{
				"subs.csv:5: dee@example.com: attributes: tags is neither a list of strings nor a string",
				"subs.csv:6: eve@example.com: attributes: invalid JSON: invalid character 'n' looking for beginning of object key string",
			},
		},
		{
			name:  "blank and short rows",
			input: "email,name,tags\n,,\n\na@example.com\n,Ann,\nb@example.com,Bob,AI\n",
			want: []Subscriber{
				{Email: "a@example.com", Status: active, Line: 4},
				{Email: "b@example.com", Name: "Bob", Tags: []string{"AI"}, Status: active, Line: 6},
			},
			problems: []string{"subs.csv:5: missing email address"},
		},
		{
			name:     "malformed CSV is skipped and the read goes on",
			input:    "email,name\na@example.com,Ann \"the\" Bold\nb@example.com,Bob\n",
			want:     []Subscriber{{Email: "b@example.com", Name: "Bob", Status: active, Line: 3}},
			problems: []string{`subs.csv:2: malformed CSV: bare " in non-quoted-field`},
		},
		{
			name:  "header only",
			input: "email,name,tags\n",
		},
		{
			name:  "header only, no newline",
			input: "\uFEFFemail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := readSubscribers(t, tt.input)
			if !slices.EqualFunc(got, tt.want, subscriberEqual) {
				t.Errorf("subscribers:\ngot  %+v\nwant %+v", got, tt.want)
			}
			if !slices.Equal(problems, tt.problems) {
				t.Errorf("problems:\ngot  %q\nwant %q", problems, tt.problems)
			}
		})
	}
}

func subscriberEqual(a, b Subscriber) bool {
	return a.Email == b.Email && a.Name == b.Name && a.Status == b.Status &&
		a.Line == b.Line && slices.Equal(a.Tags, b.Tags)
}

func TestNewSubscriberReaderErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"empty file", "", "subs.csv: empty file, want a header row with an email column"},
		{"BOM only", "\uFEFF", "subs.csv: empty file, want a header row with an email column"},
		{"blank lines only", "\n\r\n\n", "subs.csv: empty file, want a header row with an email column"},
		{"no email column", "name,mail\nAnn,a@example.com\n", "subs.csv:1: header has no email column (columns: name, mail)"},
		{"header after blank lines", "\n\nname\n", "subs.csv:3: header has no email column (columns: name)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewSubscriberReader(strings.NewReader(tt.input), "subs.csv")
			if err == nil {
				t.Fatalf("got reader %v, want error %q", r, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got error %q, want %q", got, tt.want)
			}
			if !errors.Is(err, ErrNoEmailColumn) {
				t.Errorf("errors.Is(%v, ErrNoEmailColumn) = false, want true", err)
			}
		})
	}

	t.Run("malformed header", func(t *testing.T) {
		_, err := NewSubscriberReader(strings.NewReader("email,\"name\n"), "subs.csv")
		if got, want := fmt.Sprint(err), `subs.csv:1: header: extraneous or missing " in quoted-field`; got != want {
			t.Errorf("got error %q, want %q", got, want)
		}
	})
}

func TestSubscriberReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	in := io.MultiReader(strings.NewReader("email\na@example.com\n"), iotest.ErrReader(boom))
	r, err := NewSubscriberReader(in, "subs.csv")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := r.Next(); err != nil || s.Email != "a@example.com" {
		t.Fatalf("got %v, %v, want a@example.com, nil", s.Email, err)
	}
	for range 2 { // the error sticks
		_, err = r.Next()
		if !errors.Is(err, boom) || err.Error() != "subs.csv: disk on fire" {
			t.Errorf("got error %v, want subs.csv: disk on fire", err)
		}
	}
}

func TestSubscriberReaderOnProblem(t *testing.T) {
	var input strings.Builder
	input.WriteString("email\n")
	for i := range maxKeptSubscriberProblems + 10 {
		fmt.Fprintf(&input, "bad%d\n", i)
	}
	input.WriteString("good@example.com\n")
	r, err := NewSubscriberReader(strings.NewReader(input.String()), "subs.csv")
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	r.OnProblem = func(e *SubscriberError) { seen = append(seen, e.Line) }
	s, err := r.Next()
	if err != nil || s.Email != "good@example.com" {
		t.Fatalf("got %v, %v, want good@example.com, nil", s.Email, err)
	}
	if got, want := r.Skipped(), maxKeptSubscriberProblems+10; got != want {
		t.Errorf("got Skipped() %d, want %d", got, want)
	}
	if got, want := len(r.Problems()), maxKeptSubscriberProblems; got != want {
		t.Errorf("got %d problems kept, want %d", got, want)
	}
	if got, want := len(seen), maxKeptSubscriberProblems+10; got != want {
		t.Fatalf("OnProblem called %d times, want %d", got, want)
	}
	if seen[0] != 2 || seen[len(seen)-1] != maxKeptSubscriberProblems+11 {
		t.Errorf("OnProblem lines %d…%d, want 2…%d", seen[0], seen[len(seen)-1], maxKeptSubscriberProblems+11)
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string // want "" means invalid
	}{
		{"a@example.com", "a@example.com"},
		{"  Ann.Lee+news@Example.COM\t", "Ann.Lee+news@example.com"},
		{"o'brien@sub.example.co.uk", "o'brien@sub.example.co.uk"},
		{"用户@例子.中国", "用户@xn--fsqu00a.xn--fiqs8s"}, // IDN domains as punycode
		{"zz@例え.jp", "zz@xn--r8jz45g.jp"},
		{"a@Bücher.DE", "a@xn--bcher-kva.de"},
		{"zz@xn--r8jz45g.jp", "zz@xn--r8jz45g.jp"},
		{"müller@example.de", "müller@example.de"}, // needs SMTPUTF8, which the relay decides
		{"a@\u0301x.example", ""},                  // a label may not begin with a combining mark
		{"x@EXAMPLE.Com", "x@example.com"},
		{"a@b.c", "a@b.c"},
		{"a@xn--fsqu00a.xn--fiqs8s", "a@xn--fsqu00a.xn--fiqs8s"},
		{"", ""},
		{"a", ""},
		{"a@b", ""},
		{"a@b.", ""},
		{"a@.b.c", ""},
		{"a@b..c", ""},
		{"a.@b.c", ""},
		{".a@b.c", ""},
		{"a@b@c.d", ""},
		{"a@b_c.d", ""},
		{"a@b-.c", ""},
		{"<a@b.c>", ""},
		{"Ann <a@b.c>", ""},
		{"a@b.c (Ann)", ""},
		{`"a b"@b.c`, ""},
		{"a\u00a0@b.c", ""},
		{"a\u200b@b.c", ""},
		{"a@b.c\n", "a@b.c"},
		{"a\x00@b.c", ""},
		{"\xff@b.c", ""},
		{strings.Repeat("a", 65) + "@b.c", ""},
		{strings.Repeat("a", 64) + "@b.c", strings.Repeat("a", 64) + "@b.c"},
		{"a@" + strings.Repeat("b", 64) + ".c", ""},
		{"a@" + strings.Repeat("b.", 130) + "c", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizeEmail(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSubscriberWants(t *testing.T) {
	tests := []struct {
		tags []string
		tag  string
		want bool
	}{
		{nil, "AI", true},
		{nil, "", true},
		{[]string{"AI"}, "AI", true},
		{[]string{"AI"}, "ai", true},
		{[]string{"ai"}, "#AI", true},
		{[]string{"AI"}, "AI/LLM", true},
		{[]string{"AI"}, "ai/llm/agents", true},
		{[]string{"AI/LLM"}, "AI", false},
		{[]string{"AI/LLM"}, "AI/LLM/x", true},
		{[]string{"AI"}, "AI-Agents", false},
		{[]string{"AI"}, "AI开发", false},
		{[]string{"AI"}, "ai-industry", false},
		{[]string{"AI"}, "AIX/AI", false},
		{[]string{"AI"}, "", false},
		{[]string{"ML", "未来趋势"}, "未来趋势", true},
		{[]string{"ML", "未来趋势"}, "未来趋势/2030", true},
		{[]string{"café"}, "cafe\u0301", true},       // NFC
		{[]string{"café"}, "CAFE\u0301/paris", true}, // NFC, case and nesting
		{[]string{"k"}, "\u212a/x", true},            // Kelvin sign folds to k
		{[]string{"\u212a"}, "k", true},              // and back
		{[]string{"straße"}, "STRASSE", false},       // simple folding only
		{[]string{"AI"}, " AI ", true},
	}
	for _, tt := range tests {
		s := Subscriber{Tags: tt.tags}
		if got := s.Wants(tt.tag); got != tt.want {
			t.Errorf("Subscriber{Tags: %q}.Wants(%q) = %v, want %v", tt.tags, tt.tag, got, tt.want)
		}
	}
}

// subscriberRows is an io.Reader generating a subscribers file of n rows on
// the fly, each with a long ignored column, so that keeping the rows would
// show in the heap.
type subscriberRows struct {
	n, i int
	buf  []byte
	off  int
}

const subscriberRowNotes = "notes that nobody reads but that make each row long enough that keeping rows would be plain in the heap figures; notes that nobody reads but that make each row long"

func newSubscriberRows(n int) *subscriberRows {
	r := &subscriberRows{n: n}
	r.buf = append(r.buf, "email,name,tags,status,notes\r\n"...)
	return r
}

func (r *subscriberRows) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.i == r.n {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		r.buf = fmt.Appendf(r.buf, "User%d@Example%d.com,\"User, %d\",AI;ML,active,%s\r\n", r.i, r.i%97, r.i, subscriberRowNotes)
		r.i++
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

func TestSubscriberReaderStreams(t *testing.T) {
	const rows = 200_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	r, err := NewSubscriberReader(newSubscriberRows(rows), "gen.csv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if s.Line != n+2 {
			t.Fatalf("row %d: got line %d, want %d", n, s.Line, n+2)
		}
		n++
	}

	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(r) // its duplicate set counts

	if n != rows || r.Skipped() != 0 {
		t.Fatalf("got %d subscribers and %d skipped, want %d and 0", n, r.Skipped(), rows)
	}
	// Keeping the rows would take well over 200 bytes each; the set of
	// hashes takes about 20.
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if perRow := heap / rows; perRow > 64 {
		t.Errorf("heap grew by %d bytes, %d per row, want at most 64 per row", heap, perRow)
	}
	if perRow := (after.Mallocs - before.Mallocs) / rows; perRow > 60 {
		t.Errorf("%d allocations per row, want at most 60", perRow)
	}
	t.Logf("heap +%d KiB (%d B/row), %d allocs/row, %d B allocated/row",
		heap>>10, heap/rows, (after.Mallocs-before.Mallocs)/rows, (after.TotalAlloc-before.TotalAlloc)/rows)
}

// TestSubscriberReaderStrayQuote reads a list with a quote that never
// closes, as in issue 11: the row costs itself only, and every row after it
// is read.
func TestSubscriberReaderStrayQuote(t *testing.T) {
	for _, tc := range []struct {
		name, bad string
		want      string // the problem
	}{
		{"never closed", `u0010@example.com,"O'Brien, the ""boss,,active`, `extraneous or missing " in quoted-field`},
		{"closed by a later row's quote", `u0010@example.com,"O'Brien`, `extraneous or missing " in quoted-field`},
		{"bare quote", `u0010@example.com,O"Brien,active`, `bare " in non-quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in strings.Builder
			in.WriteString("email,name,status\n")
			for i := range 1000 {
				switch {
				case i == 10:
					in.WriteString(tc.bad + "\n")
				case i == 300: // a later quote, to close the stray one with
					fmt.Fprintf(&in, "u%04d@example.com,\"Doe, Jane\",active\n", i)
				default:
					fmt.Fprintf(&in, "u%04d@example.com,Reader %d,active\n", i, i)
				}
			}
			got, problems := readSubscribers(t, in.String())
			if len(got) != 999 {
				t.Errorf("got %d subscribers, want 999", len(got))
			}
			if want := "subs.csv:12: malformed CSV: " + tc.want; fmt.Sprint(problems) != "["+want+"]" {
				t.Errorf("problems %q, want [%q]", problems, want)
			}
			for _, s := range got {
				if s.Email == "u0010@example.com" {
					t.Errorf("the malformed row was read: %+v", s)
				}
				if s.Email == "u0300@example.com" && (s.Name != "Doe, Jane" || s.Line != 302) {
					t.Errorf("row after it: %+v", s)
				}
			}
		})
	}
}

// A quoted field may span lines, but not without bound; nor may a line.
func TestSubscriberReaderBounds(t *testing.T) {
	in := "email,name\n" +
		"a@example.com,\"" + strings.Repeat("\n", maxRowLines+5) + "\"\n" +
		"b@example.com," + strings.Repeat("x", maxRowBytes+10) + "\n" +
		"c@example.com,\"two\nlines\"\n"
	got, problems := readSubscribers(t, in)
	if len(got) != 1 || got[0].Email != "c@example.com" || got[0].Name != "two lines" {
		t.Errorf("got %+v", got)
	}
	// Line 2 opens a quote closed too far below, on a line that then
	// opens one of its own.
	want := []string{
		`subs.csv:2: malformed CSV: extraneous or missing " in quoted-field`,
		fmt.Sprintf(`subs.csv:%d: malformed CSV: extraneous or missing " in quoted-field`, maxRowLines+7),
		fmt.Sprintf("subs.csv:%d: malformed CSV: row longer than %d bytes", maxRowLines+8, maxRowBytes),
	}
	if fmt.Sprint(problems) != fmt.Sprint(want) {
		t.Errorf("problems %q, want %q", problems, want)
	}
}

func FuzzSubscriberReader(f *testing.F) {
	// The corpus's clippings are hostile CSV: quotes, commas, CJK, CRLF.
	corpus := filepath.Join("..", "..", "shared", "corpus")
	filepath.WalkDir(corpus, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".md") {
			if b, err := os.ReadFile(path); err == nil && len(b) < 64<<10 {
				f.Add("email,name,tags,status\n" + string(b))
				f.Add("email,name\na@example.com,\"" + string(b[:min(len(b), 400)]) + "\nb@example.com,B\n")
			}
		}
		return nil
	})
	for _, s := range []string{
		"email,name,status\nu0010@example.com,\"O'Brien, the \"\"boss,,active\nu0011@example.com,x,active\n",
		"email,name,tags,status\na@example.com,Ann,AI,active\n",
		"\uFEFFEmail,Name\r\nA@Example.COM,\"x,\r\ny\"\r\na@example.com,dup\r\n",
		"email,tags\nbad,\n\"a@b.c\",\"AI; 未来趋势\"\n,,\n",
		"uuid,email,name,attributes,status\n1,a@b.co,A,\"{\"\"tags\"\":[\"\"AI\"\"]}\",blocklisted\n",
		"email\na@b.co\"\nb@c.co\n",
		"email,status\na@b.co,bogus\n",
		"",
		"name\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		r, err := NewSubscriberReader(strings.NewReader(input), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		seen := map[string]bool{}
		last := 1
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if s.Line <= last {
				t.Errorf("line %d after line %d", s.Line, last)
			}
			last = s.Line
			if got, err := NormalizeEmail(s.Email); err != nil || got != s.Email {
				t.Errorf("NormalizeEmail(%q) = %q, %v, want it unchanged", s.Email, got, err)
			}
			key := strings.ToLower(s.Email)
			if seen[key] {
				t.Errorf("%q returned twice", s.Email)
			}
			seen[key] = true
			if s.Status != StatusActive && s.Status != StatusUnsubscribed {
				t.Errorf("status %q", s.Status)
			}
			for _, tag := range s.Tags {
				if tag == "" || !s.Wants(tag) {
					t.Errorf("tags %q: %q empty or not wanted", s.Tags, tag)
				}
			}
		}
		prev := 0
		for _, p := range r.Problems() {
			if p.Line < 1 || p.Line < prev || !strings.HasPrefix(p.Error(), "fuzz.csv:") {
				t.Errorf("problem %q after line %d", p, prev)
			}
			prev = p.Line
		}
		if r.Skipped() != len(r.Problems()) && len(r.Problems()) < maxKeptSubscriberProblems {
			t.Errorf("Skipped() = %d, %d problems", r.Skipped(), len(r.Problems()))
		}
	})
}

func BenchmarkSubscriberReader(b *testing.B) {
	var rows bytes.Buffer
	io.Copy(&rows, newSubscriberRows(1000))
	b.SetBytes(int64(rows.Len() / 1000))
	b.ReportAllocs()
	r, err := NewSubscriberReader(newSubscriberRows(1<<62), "gen.csv")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSubscriberReaderListed(t *testing.T) {
	r, err := NewSubscriberReader(strings.NewReader("email,status\nAnn@Example.com,unsubscribed\nbob@example.com,active\n"), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	for _, tt := range []struct {
		email string
		want  bool
	}{{"ann@example.com", true}, {"BOB@example.com", true}, {"cy@example.com", false}, {"not an address", false}} {
		if got := r.Listed(tt.email); got != tt.want {
			t.Errorf("Listed(%q) = %v, want %v", tt.email, got, tt.want)
		}
	}
}
