package vault

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest"
	"golang.org/x/text/unicode/norm"
)

func TestInlineTags(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"simple", "text #AI more", []string{"AI"}},
		{"line start", "#AI\n#未来趋势", []string{"AI", "未来趋势"}},
		{"after CJK space", "中文\u3000#标签", []string{"标签"}},
		{"no space before", "中文#标签 a#b", nil},
		{"heading", "# Heading\n## Sub #tag", []string{"tag"}},
		{"heading without space is a tag", "#heading", []string{"heading"}},
		{"digits only", "#123 #2024 #1984/12", nil},
		{"digits and letters", "#y1984 #2024年 #1-2", []string{"y1984", "2024年", "1-2"}},
		{"nested", "#AI/LLM #a/b/c", []string{"AI/LLM", "a/b/c"}},
		{"trailing slash", "#AI/ #/x", []string{"AI"}},
		{"stops at punctuation", "#AI. #ML, #go's (#x) #中文，#日本語。", []string{"AI", "ML", "go", "中文"}},
		{"dash underscore", "#ai-industry #snake_case", []string{"ai-industry", "snake_case"}},
		{"dedup case-insensitive", "#AI #ai #Ai", []string{"AI"}},
		{"NFD", "#Cafe\u0301", []string{"Caf\u00e9"}},
		{"code span", "`#notag` and ``#no ` tag`` #yes", []string{"yes"}},
		{"unclosed code span", "` #a", []string{"a"}},
		{"fenced code", "```\n#notag\n```\n#yes", []string{"yes"}},
		{"fenced tilde", "~~~python\n#notag\n~~~\n#yes", []string{"yes"}},
		{"longer closing fence", "````\n```\n#notag\n`````\n#yes", []string{"yes"}},
		{"fence in list", "- item\n  ```sh\n  # comment #notag\n  ```\n#yes", []string{"yes"}},
		{"fence in quote", "> ```\n> #notag\n> ```\n> #yes", []string{"yes"}},
		{"unclosed fence", "```\n#notag", nil},
		{"indented code", "text\n\n    #notag\n\t#notag\n\n#yes", []string{"yes"}},
		{"indented list content", "- item\n\n    #yes", []string{"yes"}},
		{"indented code in a quote", "> text\n>\n>     #notag\n\n#yes", []string{"yes"}},
		{"indented code in a list", "-     #notag\n\n#yes", []string{"yes"}},
		{"code span across lines", "`a\n#notag` #yes", []string{"yes"}},
		{"URL fragment", "https://example.com/page#section see", nil},
		{"link destination", "[text](https://x.com/a #notag) [t](<#x>) [a](b(c) #no) #yes", []string{"yes"}},
		{"link text", "[#x](y)", nil},
		{"autolink", "<https://x.com/ #notag> #yes", []string{"yes"}},
		{"html", "<span title=\"a #notag\">#x</span> #yes", []string{"yes"}},
		{"wikilink", "[[Note#Heading]] [[Note #notag]] #yes", []string{"yes"}},
		{"html comment", "<!-- #notag --> #yes <!--\n#notag\n--> #also", []string{"yes", "also"}},
		{"percent comment", "%% #notag %% #yes %%\n#notag\n%% #also", []string{"yes", "also"}},
		{"escaped", "\\#notag #yes", []string{"yes"}},
		{"entity", "&#39; &#x27;", nil},
		{"empty", "", nil},
		{"only hash", "#", nil},
		{"crlf", "#a\r\n#b\r\n", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InlineTags([]byte(tt.body)); !slices.Equal(got, tt.want) {
				t.Errorf("InlineTags(%q): got %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

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

func FuzzInlineTags(f *testing.F) {
	for _, s := range []string{"#a", "`#a` #b", "```\n#a\n```\n#b", "<!--\n#a\n-->#b", "[x](#a) #b/c", "#\u212A #K\u0301"} {
		f.Add([]byte(s))
	}
	corpusSeeds(f, true)
	f.Fuzz(func(t *testing.T, body []byte) {
		tags := InlineTags(body)
		data := append([]byte("x\n"), body...) // a note with this body and no frontmatter
		for i, tag := range tags {
			if tag == "" || !hasNonDigit(tag) || !norm.NFC.IsNormalString(tag) || strings.ContainsFunc(tag, unicode.IsSpace) || tag[0] == '/' {
				t.Errorf("bad tag %q", tag)
			}
			for _, u := range tags[:i] {
				if strings.EqualFold(u, tag) {
					t.Errorf("tags %q and %q both returned", u, tag)
				}
			}
			if !mayMatch(data, []string{tag}) {
				t.Errorf("mayMatch(%q) = false for a note with that inline tag", tag)
			}
		}
	})
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

// TestTagsShortcut checks that Parse, which parses a body only when a tag
// may be hidden in code, finds the tags it would find parsing every body.
func TestTagsShortcut(t *testing.T) {
	bodies := []string{
		"---\ntags: [AI]\n---\n    #AI in code\n#AI",
		"---\ntags: [AI]\n---\n`#AI` and `#x`\n",
		"---\ntags: [AI]\n---\n`<!--` #AI #x\n",
		"---\ntags: [AI]\n---\n#x\n\n```\n#AI\n",
		"---\ntags: [AI]\n---\n```\n#x\n\n#y\n```\n#AI",
		"---\ntags: [AI]\n---\n#x `code\n\n#y`\r\n\r\n#AI",
		"---\ntags: [AI]\n---\n<!-- #x\n\n--> #y #AI",
	}
	for _, data := range corpusFiles(t, corpusDir(t)) {
		bodies = append(bodies, string(data))
	}
	for _, data := range bodies {
		c, err := Parse("a.md", []byte(data), testMtime)
		if err != nil {
			continue
		}
		front, _, body, _, ok := SplitFrontmatter([]byte(data))
		f := new(fields)
		if ok {
			if f, err = readYAML(front, false); err != nil {
				continue
			}
		}
		var want []string
		for _, item := range f[keyTags].items() {
			for _, tag := range digest.SplitTags(item) {
				if hasNonDigit(tag) && !slices.ContainsFunc(want, func(u string) bool { return strings.EqualFold(u, tag) }) {
					want = append(want, tag)
				}
			}
		}
		for _, tag := range InlineTags(body) {
			if !slices.ContainsFunc(want, func(u string) bool { return strings.EqualFold(u, tag) }) {
				want = append(want, tag)
			}
		}
		if !slices.Equal(c.Tags, want) {
			t.Errorf("%.40q: tags %q, want %q", data, c.Tags, want)
		}
	}
}
