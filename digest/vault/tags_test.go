package vault

import (
	"slices"
	"strings"
	"testing"
	"unicode"

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
			var perr *digest.ParseError
			if f, perr = readYAML(front, false); perr != nil {
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
