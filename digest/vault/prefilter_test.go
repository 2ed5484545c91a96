package vault

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestMayMatch(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
		may  bool
	}{
		{"frontmatter tag", "---\ntags: [AI]\n---\n", []string{"AI"}, true},
		{"other case", "---\ntags: [ai]\n---\n", []string{"AI"}, true},
		{"inline tag", "text #ai/llm", []string{"AI"}, true},
		{"inline tag at a line start", "text\n#AI", []string{"AI"}, true},
		{"inline tag after CJK space", "中\u3000#AI", []string{"AI"}, true},
		{"hash inside a word", "x#AI https://a.com/#AI", []string{"AI"}, false},
		{"longer inline tag", "#AI开发 #AI-Agents #xAI #AI_x", []string{"AI"}, false},
		{"longer frontmatter tag", "---\ntags: [AI工具, ai-industry, 0to1AI]\n---\n", []string{"AI"}, false},
		{"AI outside tags", "---\ntitle: AI\ndescription: AI said\ntags: [x]\n---\n", []string{"AI"}, false},
		{"second want", "#未来趋势", []string{"AI", "未来趋势"}, true},
		{"no tag", "---\ntags: [clippings]\n---\nAI everywhere, AI.", []string{"AI", "未来趋势"}, false},
		{"word in body is not a tag", "Trends: 未来趋势", []string{"未来趋势"}, false},
		{"tag far from the word", "#x AI", []string{"AI"}, false},
		{"no frontmatter, no hash", "AI", []string{"AI"}, false},
		{"backslash in frontmatter", "---\ntags: \"\\u0041I\"\n---\n", []string{"AI"}, true},
		{"kelvin sign", "#\u212Ai", []string{"KI"}, true},
		{"long s", "#\u017Fs", []string{"SS"}, true},
		{"compatibility ideograph", "#\uF9A8", []string{"\u4EE4"}, true},
		{"accented want", "nothing", []string{"é"}, true}, // cannot rule out
		{"empty want", "#AI", []string{""}, false},
		{"no wants", "#AI", nil, false},
		{"empty file", "", []string{"AI"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mayMatch([]byte(tt.data), tt.want); got != tt.may {
				t.Errorf("mayMatch(%q, %q): got %v, want %v", tt.data, tt.want, got, tt.may)
			}
			c, err := Parse("n.md", []byte(tt.data), testMtime)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.MatchTag(tt.want); ok && !tt.may {
				t.Errorf("the clip matches %q but the test says mayMatch may be false", tt.want)
			}
		})
	}
}

// TestMayMatchAlts checks mayMatch's premise over every rune: whenever NFC
// turns a rune into text holding a character mayMatch searches for (or one
// that folds to it), that rune is among the character's alternatives.
func TestMayMatchAlts(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		n := norm.NFC.String(s)
		if n == s {
			continue
		}
		for _, o := range n {
			for f := o; ; {
				if alts := mayMatchAlts(f); alts != nil && !slices.Contains(alts, r) {
					t.Errorf("NFC(%U) holds %U, which folds to %U, but %U is not among its alternatives %U", r, o, f, r, alts)
				}
				if f = unicode.SimpleFold(f); f == o {
					break
				}
			}
		}
	}
	// And the characters mayMatch relies on never come out of composition.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if mayMatchAlts(r) == nil {
			continue
		}
		if d := norm.NFD.String(string(r)); d != string(r) && norm.NFC.String(d) == string(r) {
			t.Errorf("%U is composed by NFC from %+q", r, d)
		}
	}
}

// TestMayMatchGenerated checks mayMatch against Parse on frontmatters
// assembled at random from the shapes that decide where tags can hide.
func TestMayMatchGenerated(t *testing.T) {
	keys := []string{"tags", "Tags", "TAGS", "\"tags\"", "'tags'", "tag\u017F", "tags ", "title", "description", "x", "\"a: b\"", "-x", "\"ta\\x67s\""}
	values := []string{"", "AI", "[AI]", "[x, ai/llm]", "\"AI\"", "'AI'", "\"x\nb: AI\"", "'x\nb: AI'", "[x,\nAI]", "|\n  AI", ">\n  x\n  AI",
		"&a AI", "*a", "!!str AI", "AI # c", "\"AI\" # c", "{a: AI}", "x\n  AI", "\"AI", "'it''s AI'",
		"\"\\x41I\"", "\"a \\\"\nb: AI\"", "\"C:\\x\"", "\"a \\\n  AI\""}
	items := []string{"AI", "\"AI\"", "'AI'", "\"x\nb: AI\"", "@h #AI", "a，AI", "", "- AI", "[AI]", "\"\\u0041I\"", "\"\\~AI\""}
	indents := []string{"", " ", "  ", "    "}
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	checked := 0
	for range 20000 {
		var b strings.Builder
		b.WriteString("---\n")
		for range 1 + r.IntN(4) {
			switch r.IntN(10) {
			case 0:
				b.WriteString(pick(indents) + "# AI\n")
			case 1:
				b.WriteString(pick(indents) + pick(values) + "\n")
			default:
				b.WriteString(pick(indents[:2]) + pick(keys) + pick([]string{": ", ":", " : "}) + pick(values) + "\n")
				if r.IntN(2) == 0 {
					ind := pick(indents)
					for range 1 + r.IntN(3) {
						b.WriteString(ind + "- " + pick(items) + "\n")
					}
				}
			}
		}
		b.WriteString("---\nbody\n")
		data := []byte(b.String())
		c, err := Parse("n.md", data, testMtime)
		if err != nil {
			continue
		}
		for _, want := range [][]string{{"AI"}, {"ai/llm"}, {"x"}} {
			if _, ok := c.MatchTag(want); ok {
				checked++
				if !mayMatch(data, want) {
					t.Errorf("mayMatch(%q) = false for tags %q of\n%s", want, c.Tags, data)
				}
			}
		}
	}
	t.Logf("%d matches checked", checked)
}

func BenchmarkMayMatch(b *testing.B) {
	files := corpusFiles(b, corpusDir(b))
	want := []string{"AI", "未来趋势"}
	var size int
	for _, data := range files {
		size += len(data)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, data := range files {
			mayMatch(data, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(files)), "ns/file")
}
