package digest

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AI", "AI"},
		{" #AI ", "AI"},
		{"##AI", "#AI"},
		{"# AI", "AI"},
		{"Cafe\u0301", "Caf\u00e9"},
		{"", ""},
		{"#", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTag(tt.in); got != tt.want {
			t.Errorf("NormalizeTag(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitTagItem(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"AI", []string{"AI"}},
		{"#AI", []string{"AI"}},
		{"@python_xxt #AI #创新 #个体价值 #未来趋势", []string{"AI", "创新", "个体价值", "未来趋势"}},
		{"@BadUncleX #ClaudeCode #自动化 #AI #工具调用", []string{"ClaudeCode", "自动化", "AI", "工具调用"}},
		{"管理，AI，模型能力，目标层级，决策", []string{"管理", "AI", "模型能力", "目标层级", "决策"}},
		{"端云协同、自进化数据、扩展动作空间", []string{"端云协同", "自进化数据", "扩展动作空间"}},
		{"a, b,c", []string{"a", "b", "c"}},
		{"a\tb\u3000c", []string{"a", "b", "c"}},
		{"Spren/Mistspren", []string{"Spren/Mistspren"}},
		{"@only @handles", nil},
		{"# ## #", []string{"#"}},
		{"", nil},
		{"Cafe\u0301", []string{"Caf\u00e9"}},
	}
	for _, tt := range tests {
		if got := SplitTagItem(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitTagItem(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

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

func TestTagMatches(t *testing.T) {
	tests := []struct {
		have, want string
		ok         bool
	}{
		{"AI", "AI", true},
		{"ai", "AI", true},
		{"Ai", "#ai", true},
		{"AI/LLM", "AI", true},
		{"ai/llm/agents", "AI/LLM", true},
		{"AI/LLM", "AI/LL", false},
		{"AI", "AI/LLM", false},
		{"AI-Agents", "AI", false},
		{"AI开发", "AI", false},
		{"AI工具", "AI", false},
		{"ai-industry", "AI", false},
		{"0to1AI", "AI", false},
		{"AIGC", "AI", false},
		{"未来趋势", "未来趋势", true},
		{"未来趋势/2026", "未来趋势", true},
		{"未来", "未来趋势", false},
		{"Caf\u00e9", "Cafe\u0301", true},
		{"CAFÉ", "café", true},
		{"\u212Aelvin", "kelvin", true}, // KELVIN SIGN folds to k
		{"straße", "STRASSE", false},    // simple folding only, as Obsidian's lower-casing
		{"", "AI", false},
		{"AI", "", false},
	}
	for _, tt := range tests {
		if got := TagMatches(tt.have, tt.want); got != tt.ok {
			t.Errorf("TagMatches(%q, %q): got %v, want %v", tt.have, tt.want, got, tt.ok)
		}
	}
}

func TestMatchTag(t *testing.T) {
	c := &Clip{Tags: []string{"clippings", "未来趋势", "ai/llm"}}
	tests := []struct {
		want []string
		tag  string
		ok   bool
	}{
		{[]string{"AI", "未来趋势"}, "AI", true},
		{[]string{"未来趋势", "AI"}, "未来趋势", true},
		{[]string{"Go"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		if tag, ok := c.MatchTag(tt.want); tag != tt.tag || ok != tt.ok {
			t.Errorf("MatchTag(%q): got %q, %v, want %q, %v", tt.want, tag, ok, tt.tag, tt.ok)
		}
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
			if got := MayMatch([]byte(tt.data), tt.want); got != tt.may {
				t.Errorf("MayMatch(%q, %q): got %v, want %v", tt.data, tt.want, got, tt.may)
			}
			c, err := ParseClip("n.md", []byte(tt.data), clipTestMtime)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.MatchTag(tt.want); ok && !tt.may {
				t.Errorf("the clip matches %q but the test says MayMatch may be false", tt.want)
			}
		})
	}
}

// TestMayMatchAlts checks MayMatch's premise over every rune: whenever NFC
// turns a rune into text holding a character MayMatch searches for (or one
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
				if alts := tagMayMatchAlts(f); alts != nil && !slices.Contains(alts, r) {
					t.Errorf("NFC(%U) holds %U, which folds to %U, but %U is not among its alternatives %U", r, o, f, r, alts)
				}
				if f = unicode.SimpleFold(f); f == o {
					break
				}
			}
		}
	}
	// And the characters MayMatch relies on never come out of composition.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if tagMayMatchAlts(r) == nil {
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
	clipCorpusSeeds(f, true)
	f.Fuzz(func(t *testing.T, body []byte) {
		tags := InlineTags(body)
		data := append([]byte("x\n"), body...) // a note with this body and no frontmatter
		for i, tag := range tags {
			if tag == "" || !tagHasNonDigit(tag) || !norm.NFC.IsNormalString(tag) || strings.ContainsFunc(tag, unicode.IsSpace) || tag[0] == '/' {
				t.Errorf("bad tag %q", tag)
			}
			for _, u := range tags[:i] {
				if strings.EqualFold(u, tag) {
					t.Errorf("tags %q and %q both returned", u, tag)
				}
			}
			if !MayMatch(data, []string{tag}) {
				t.Errorf("MayMatch(%q) = false for a note with that inline tag", tag)
			}
		}
	})
}

// TestMayMatchGenerated checks MayMatch against ParseClip on frontmatters
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
		c, err := ParseClip("n.md", data, clipTestMtime)
		if err != nil {
			continue
		}
		for _, want := range [][]string{{"AI"}, {"ai/llm"}, {"x"}} {
			if _, ok := c.MatchTag(want); ok {
				checked++
				if !MayMatch(data, want) {
					t.Errorf("MayMatch(%q) = false for tags %q of\n%s", want, c.Tags, data)
				}
			}
		}
	}
	t.Logf("%d matches checked", checked)
}
