package text

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// leftoverSyntax is Markdown, Obsidian and HTML syntax that must not
// survive into plain text.
var leftoverSyntax = []string{"**", "[[", "]]", "==", "![", "<", "> [!", "](", "%%", "$$"}

// checkClean reports leftover syntax and broken characters in got.
func checkClean(t *testing.T, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Errorf("got %q, want valid UTF-8", got)
	}
	for _, bad := range leftoverSyntax {
		if strings.Contains(got, bad) {
			t.Errorf("got %q, want no %q in it", got, bad)
		}
	}
}

var plainTextTests = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"emphasis and code", "**bold**, _italic_, *em* and `code`", "bold, italic, em and code"},
	{"link", "See [the docs](https://example.com/docs \"Docs\") first.", "See the docs first."},
	{"reference link", "See [the docs][d].\n\n[d]: https://example.com", "See the docs."},
	{"wikilinks", "[[Note|Alias]], [[Other]], [[Page#Section]] and [[#Local heading]]", "Alias, Other, Page and Local heading"},
	{"wikilink alias in table", "| a |\n|---|\n| [[Target\\|shown]] |", "a\nshown"},
	{"embed", "Before ![[pic.png]] after ![[Note#Part]].", "Before after ."},
	{"image", "![alt text](https://example.com/a.png) Caption text", "Caption text"},
	{"linked image", "[![badge](https://img.example/b.svg)](https://example.com) text", "text"},
	{"tracking pixel", "![](https://relay-dsp.ad-m.asia/dmp/sync/bizmatrix?pid=c3ed)\n\n本文です。", "本文です。"},
	{"highlight", "This is ==very important== text.", "This is very important text."},
	{"lone equals", "a = b and x == y", "a = b and x == y"},
	{"callout", "> [!note] Title here\n> Body of the callout.", "Title here\n\nBody of the callout."},
	{"folded callout", "> [!tip]- Folded\n> Hidden body.", "Folded\n\nHidden body."},
	{"empty callout", "> [!info]", ""},
	{"callout without title", "> [!warning]\n> Careful.", "Careful."},
	{"blockquote", "> Quoted *text*\n> continues.", "Quoted text continues."},
	{"html block", "<div class=\"x\"><p>Hello <b>world</b> &amp; friends</p></div>", "Hello world & friends"},
	{"html comment and script", "<!-- note -->\n<script>alert(1)</script>\n\nText", "Text"},
	{"html attribute holding >", "<div title=\"1 > 0\">hello</div>", "hello"},
	{"html attribute holding a tag", "<p><a href=\"#\" data-x='<b>bold</b>'>link</a> text</p>", "link text"},
	{"html template dropped", "<div><p>a</p><template><p>hidden</p></template><p>b</p></div>", "a b"},
	{"html style and comment", "<div><style>p > a { color: red }</style>x<!-- a > b -->y</div>", "xy"},
	{"html unterminated tag", "<div>text <span title=\"x", "text"},
	{"inline html", "a <span>b</span><br>c <script>alert(1)</script>d", "a b c d"},
	{"entities", "Caf&eacute; &#x2F; &quot;q&quot; &amp; &#12354;", "Café / \"q\" & あ"},
	{"escapes", `snake\_case, \*not em\*, \[not link\] and C:\\`, `snake_case, *not em*, [not link] and C:\`},
	{"footnote", "Claim.[^1]\n\n[^1]: The source.", "Claim."},
	{"footnote without definition", "Claim.[^note] More.", "Claim. More."},
	{"comment", "Visible %%hidden%% text", "Visible text"},
	{"comment block", "%%\nhidden\n\nstill hidden\n%%\nShown", "Shown"},
	{"math block", "Before\n\n$$\nx^2 + y^2\n$$\n\nAfter", "Before\n\nAfter"},
	{"one-line math block", "$$E = mc^2$$\n\nAfter", "After"},
	{"inline math", "A smooth function $f(x)$ near $a$.", "A smooth function f(x) near a."},
	{"dollars that are prices", "It costs $5 and $10 a month.", "It costs $5 and $10 a month."},
	{"soft break in Chinese", "第一行的文字\n第二行的文字", "第一行的文字第二行的文字"},
	{"soft break in Japanese", "これは一行目です。\nこれは二行目です。", "これは一行目です。これは二行目です。"},
	{"soft break in English", "first line\nsecond line", "first line second line"},
	{"hard break", "first  \nsecond\\\nthird", "first second third"},
	{"CRLF", "line one\r\nline two\r\n\r\nnext", "line one line two\n\nnext"},
	{"lone stars", "2 * 3 * 4 and a*b", "2 * 3 * 4 and a*b"},
	{"nested emphasis", "***both*** and **_mixed_**", "both and mixed"},
	{"CJK emphasis next to brackets", "この**「重点」**です。**80-90%**。", "この「重点」です。80-90%。"},
	{"heading", "# Title\n\nParagraph.", "Title\n\nParagraph."},
	{"setext heading", "Title\n=====\n\nParagraph.", "Title\n\nParagraph."},
	{"list", "- one\n- two\n  - nested", "one\n\ntwo\n\nnested"},
	{"task list", "- [ ] todo\n- [x] done", "todo\n\ndone"},
	{"strikethrough", "~~old~~ new", "old new"},
	{"table", "| a | b |\n|---|---|\n| **1** | [2](u) |", "a\tb\n1\t2"},
	{"code block", "```go\nx := 1\n\ny := 2\n```", "x := 1\n\ny := 2"},
	{"rule", "a\n\n---\n\nb\n\n***", "a\n\nb"},
	{"autolink", "<https://example.com/a>", "https://example.com/a"},
	{"escaped link title", "a [directory service](https:&#x2F;&#x2F;en.wikipedia.org&#x2F;wiki&#x2F;Directory%5Fservice &quot;Directory service&quot;) b",
		"a directory service b"},
	{"escaped autolink", "go to &lt;https:&#x2F;&#x2F;bgp.tools&#x2F;x&gt;", "go to https://bgp.tools/x"},
	{"escaped blockquote", "&gt; &quot;A quote.&quot;", "\"A quote.\""},
	{"link split by blank lines", "[\n\n![](https://a.example/i.png)\n\n](https://a.example/page)\n\nText", "Text"},
	{"control characters and zero-width space", "a\x00b\u200bc\x7f", "abc"},
	{"invalid UTF-8", "ok \xff\xfe bytes", "ok bytes"},
}

func TestPlainText(t *testing.T) {
	for _, tt := range plainTextTests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlainText([]byte(tt.in))
			if got != tt.want {
				t.Errorf("PlainText(%q)\ngot  %q\nwant %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("got %q, want valid UTF-8", got)
			}
		})
	}
}

func TestPlainTextLeavesNoSyntax(t *testing.T) {
	in := `# Heading with [[Link|alias]]

> [!quote] Said **someone**
> ==Highlighted== and ![[embedded.png]] with [[Target]].

Text with <b>HTML</b>, ![image](i.png), [link](u), %%comment%%, footnote[^1]
and $$ math? no, only text.

- [[Item]] ==one==
- **two** <i>three</i>

| [[a]] | ==b== |
|---|---|
| ![](x.png) | **c** |

[^1]: Note.
`
	got := PlainText([]byte(in))
	for _, bad := range []string{"**", "[[", "]]", "==", "![", "<", "> [!", "](", "%%"} {
		if strings.Contains(got, bad) {
			t.Errorf("PlainText left %q in %q", bad, got)
		}
	}
}

// corpusDir is the shared corpus of real clippings.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

type corpusFile struct {
	name string
	body []byte
}

// corpusBodies returns the body of every note of the corpus, read by
// naively skipping the frontmatter between the first two "---" lines.
func corpusBodies(tb testing.TB) []corpusFile {
	tb.Helper()
	var files []corpusFile
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(path) == ".tsv" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, path)
		files = append(files, corpusFile{rel, naiveBody(data)})
		return nil
	})
	if os.IsNotExist(err) {
		tb.Skipf("no corpus at %s", corpusDir)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Skipf("no corpus files in %s", corpusDir)
	}
	return files
}

// naiveBody returns what follows the frontmatter of a note, if any.
func naiveBody(note []byte) []byte {
	note = bytes.ReplaceAll(note, []byte("\r\n"), []byte("\n"))
	t := bytes.TrimLeft(note, "\n")
	if !bytes.HasPrefix(t, []byte("---\n")) {
		return note
	}
	end := bytes.Index(t[4:], []byte("\n---\n"))
	if end < 0 {
		return note
	}
	return t[4+end+5:]
}

func FuzzPlainText(f *testing.F) {
	for _, tt := range plainTextTests {
		f.Add([]byte(tt.in))
	}
	if _, err := os.Stat(corpusDir); err == nil {
		for _, c := range corpusBodies(f) {
			f.Add(c.body[:min(len(c.body), 8<<10)]) // small seeds keep the fuzzer fast
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := PlainText(in)
		if !utf8.ValidString(got) {
			t.Fatalf("PlainText(%q) = %q, not valid UTF-8", in, got)
		}
		p := FirstParagraph(in)
		if !utf8.ValidString(p) || strings.Contains(p, "\n") {
			t.Fatalf("FirstParagraph(%q) = %q, want one line of valid UTF-8", in, p)
		}
		if e := Excerpt("", in, 80); !utf8.ValidString(e) || DisplayWidth(e) > CutLimit(80) {
			t.Fatalf("Excerpt(%q) = %q (width %d), want valid UTF-8 at most %d wide", in, e, DisplayWidth(e), CutLimit(80))
		}
	})
}

func BenchmarkPlainText(b *testing.B) {
	benchmarkCorpus(b, func(body []byte) { PlainText(body) })
}

// benchmarkCorpus times f over the body of every note of the corpus.
func benchmarkCorpus(b *testing.B, f func(body []byte)) {
	files := corpusBodies(b)
	n := 0
	for _, c := range files {
		n += len(c.body)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range files {
			f(c.body)
		}
	}
}
