package vault

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/digest-newsletter/digest/digest"
)

// allocs returns the bytes f allocates.
func allocs(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestYAMLBomb feeds Parse frontmatter whose nesting makes a YAML parser
// take time and memory growing with its square (100 KB of "[" took 3.9 GB):
// each is refused before parsing, quickly, naming the file and the line.
func TestYAMLBomb(t *testing.T) {
	tests := []struct {
		name, front, want string
	}{
		{"flow list 100 KB", "x: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000), "b.md:2: frontmatter of 97 KB is over the 32 KB limit, not read"},
		{"flow list 30 KB", "title: T\nx: " + strings.Repeat("[", 15000) + strings.Repeat("]", 15000), "b.md:3:20: " + msgTooDeep},
		{"flow map", "x: " + strings.Repeat("{a: ", 5000) + "b" + strings.Repeat("}", 5000), "b.md:2:" + fmt.Sprint(4*MaxDepth+4) + ": " + msgTooDeep},
		{"block list", "x:\n  " + strings.Repeat("- ", 10000) + "a", "b.md:3:" + fmt.Sprint(2*MaxDepth+3) + ": " + msgTooDeep},
		{"complex keys", strings.Repeat("? ", 10000) + "a", "b.md:2:" + fmt.Sprint(2*MaxDepth+1) + ": " + msgTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("---\n" + tt.front + "\n---\nbody #AI\n")
			var err error
			start := time.Now()
			n := allocs(func() { _, err = Parse("b.md", data, testMtime) })
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if n > 64<<20 {
				t.Errorf("allocated %d MB", n>>20)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	// Within the bounds, real nesting is read.
	c, err := Parse("ok.md", []byte("---\ntags: [[AI, [x]]]\nauthor: [[[[Someone]]]]\n---\n"), testMtime)
	if err != nil || strings.Join(c.Tags, ",") != "AI,x" || strings.Join(c.Authors, ",") != "Someone" {
		t.Errorf("got %v, %v", c, err)
	}
}

// TestQuietDropsReported checks that every field Parse cannot read as
// written says so, at its line, and what was used instead.
func TestQuietDropsReported(t *testing.T) {
	now := time.Date(2026, 6, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, front string
		want        []string
		created     string
	}{
		{"tags map", "title: T\ntags:\n  AI: true\n", []string{"f.md:3: tags is a map, ignored"}, "mtime"},
		{"tags set", "tags: !!set {AI, x}\n", []string{"f.md:2: tags is a set (!!set), ignored"}, "mtime"},
		{"author map", "author: {name: X}\n", []string{"f.md:2: author is a map, ignored"}, "mtime"},
		{"no such day", "title: T\n\ndate: 2025-02-30\n", []string{`f.md:4: date "2025-02-30" does not parse, using the file time`}, "mtime"},
		{"words", "created: May 18 2025\n", []string{`f.md:2: created "May 18 2025" does not parse, using the file time`}, "mtime"},
		{"float", "timestamp: 1e20\n", []string{`f.md:2: timestamp "1e20" does not parse, using the file time`}, "mtime"},
		{"next key", "created: junk\ndate: 2025-05-01\n", []string{`f.md:2: created "junk" does not parse, using date`}, "date"},
		{"far future", "created: 9999-12-31\n", []string{"f.md:2: created 9999-12-31 lies in the future, using the file time"}, "mtime"},
		{"tomorrow", "created: 2026-06-30\n", nil, "created"},
		{"fine", "created: 2026-06-01\ntags: [AI]\n", nil, "created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse("f.md", []byte("---\n"+tt.front+"---\nbody\n"), testMtime, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.Problems {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if c.DateKey != tt.created {
				t.Errorf("date from %s, want %s", c.DateKey, tt.created)
			}
			if tt.created == "mtime" && !c.Created.Equal(testMtime) {
				t.Errorf("created %v, want the file time", c.Created)
			}
		})
	}
}

// TestWalkLargeFile reads a note larger than MaxFileSize in part, and says so.
func TestWalkLargeFile(t *testing.T) {
	big := "---\ntags: [AI]\n---\n" + strings.Repeat("x", MaxFileSize) + " #late"
	fsys := fstest.MapFS{"big.md": {Data: []byte(big), ModTime: testMtime}}
	var got []Result
	err := Walk(context.Background(), fsys, Options{Want: []string{"AI", "late"}}, func(r Result) { got = append(got, r) })
	if err != nil || len(got) != 1 {
		t.Fatal(err, got)
	}
	r := got[0]
	if r.Clip == nil || strings.Join(r.Clip.Tags, ",") != "AI" {
		t.Errorf("got %+v, want the clip tagged AI only", r)
	}
	var pe *digest.ParseError
	if !errors.As(r.Warning, &pe) || r.Warning.Error() != fmt.Sprintf("big.md: %d bytes, over the 4 MB limit: only the first 4 MB read", len(big)) {
		t.Errorf("warning %v", r.Warning)
	}
}

// FuzzFrontmatterBounds checks that no frontmatter costs more than a bounded
// share of time and memory, and that a refusal names the file and a line in
// it.
func FuzzFrontmatterBounds(f *testing.F) {
	for _, s := range []string{
		"x: " + strings.Repeat("[", 40) + strings.Repeat("]", 40),
		"x: " + strings.Repeat("[", 16) + strings.Repeat("]", 16),
		"x: " + strings.Repeat("{a: ", 20) + "b" + strings.Repeat("}", 20),
		"x:\n  " + strings.Repeat("- ", 20) + "a",
		strings.Repeat("? ", 20),
		"x: [" + strings.Repeat(strings.Repeat("[", 15)+strings.Repeat("]", 15)+",", 50) + "]",
		"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b, *b]\ntags: *a",
		"title: \"[[[[[[[[[[[[[[[[[[[[[[[[\"\ntags: '{{{{{{{{{{{{{{{{{{{{{{'",
		"x: " + strings.Repeat("a", 40000),
	} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, front string, repeat int) {
		// Repeating the input reaches the sizes where the cost shows.
		front = strings.Repeat(front, min(max(repeat, 1), (MaxFrontmatter+2048)/max(len(front), 1)+1))
		data := []byte("---\n" + front + "\n---\nbody\n")
		var err error
		start := time.Now()
		n := allocs(func() { _, err = Parse("f.md", data, testMtime) })
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%d bytes took %v", len(front), d)
		}
		if n > 128<<20 {
			t.Errorf("%d bytes allocated %d MB", len(front), n>>20)
		}
		var pe *digest.ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Path != "f.md" || pe.Line < 1 || pe.Line > strings.Count(string(data), "\n")) {
			t.Errorf("got %v, want an error naming f.md and a line of it", err)
		}
	})
}

// TestMarkdownBomb feeds Parse bodies that goldmark takes time growing with
// the square of their size to parse (64 KB of ">" took 1.3 s, of "[a](" 2.8
// s): the body is left unread and the line named; the frontmatter is read.
// No real clipping comes near the bounds.
func TestMarkdownBomb(t *testing.T) {
	var indented strings.Builder
	for i := range 200 {
		indented.WriteString(strings.Repeat("  ", i) + "- a\n")
	}
	tests := []struct{ name, body, want string }{
		{"block quotes", "#AI\n\n    code\n" + strings.Repeat(">", 1<<18), "b.md:7: Markdown nests more than 64 levels deep, body not read"},
		{"ordered lists", "#AI `x`\n" + strings.Repeat("1. ", 1<<16), "b.md:5: Markdown nests more than 64 levels deep, body not read"},
		{"indented lists", "#AI `x`\n" + indented.String(), "b.md:69: Markdown nests more than 64 levels deep, body not read"},
		{"open links", "#AI `x` " + strings.Repeat("[a](", 1<<16), "b.md:4: Markdown leaves too many links open, body not read"},
		{"open images", "#AI `x` " + strings.Repeat("![a](b", 1<<16) + ")", "b.md:4: Markdown leaves too many links open, body not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("---\ntags: [x]\n---\n" + tt.body)
			start := time.Now()
			c, err := parse("b.md", data, testMtime, time.Time{}, []string{"AI"})
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Problems) != 1 || c.Problems[0].Error() != tt.want {
				t.Errorf("problems %v, want %s", c.Problems, tt.want)
			}
			if c.Body != nil || strings.Join(c.Tags, ",") != "x" {
				t.Errorf("body of %d bytes, tags %q; want none, x", len(c.Body), c.Tags)
			}
		})
	}
	for name, data := range corpusFiles(t, corpusDir(t)) {
		_, _, body, _, _ := SplitFrontmatter(data)
		if line, why := bodyTooCostly(body); why != "" {
			t.Errorf("%s:%d: %s", name, line, why)
		}
	}
}
