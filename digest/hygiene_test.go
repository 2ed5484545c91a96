package digest_test

import (
	"bytes"
	"github.com/goccy/go-yaml"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/renderer/html"
	nethtml "golang.org/x/net/html"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/templates"
)

// TestHostileItem renders a clipping written to attack its readers as
// index.md, and reads that back as a Markdown viewer that allows HTML
// would: no markup of the clipping's comes alive, no bidi control or NUL
// is left, and a 2 MB title is cut.
func TestHostileItem(t *testing.T) {
	c := &digest.Clip{
		Path:        "evil.md",
		Title:       "Invoice\u202Egpj.exe\x00 " + strings.Repeat("long ", 400000),
		Source:      "https://evil.example/?a=>)<img src=x onerror=alert(1)>[x](javascript:alert(2))",
		Authors:     []string{"Mallory\u2066\u202E <script>", "[x](javascript:alert(3))"},
		Description: "Read me\u202E now. <b onmouseover=alert(4)>bold</b> [y](javascript:alert(5)) ![z](x onerror=alert(6))",
		Created:     time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC),
		Body:        []byte("text"),
	}
	it := digest.NewItem(c, "AI", 200, nil)
	if w := len(it.Title); w > 4*digest.MaxTitleWidth {
		t.Errorf("title of %d bytes", w)
	}
	is := &digest.Issue{ID: "2026-W46", Number: 1, Title: "Issue", Items: []digest.Item{it},
		Published: c.Created, Cutoff: c.Created}
	r, err := digest.NewRenderer(templates.Default)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := r.IssueMarkdown(&md, feedSite, is); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(md.String(), "\u202E\u2066\x00") {
		t.Errorf("index.md holds control characters:\n%q", md.String())
	}
	// The YAML frontmatter is the generator's, not Markdown: it must parse.
	front, body, ok := strings.Cut(strings.TrimPrefix(md.String(), "---\n"), "\n---\n")
	if !ok {
		t.Fatalf("index.md has no frontmatter:\n%s", md.String())
	}
	var fm map[string]any
	if err := yaml.Unmarshal([]byte(front), &fm); err != nil || fm["title"] != "Issue" {
		t.Errorf("frontmatter %v, %v:\n%s", fm, err, front)
	}
	var page bytes.Buffer
	if err := goldmark.New(goldmark.WithRendererOptions(html.WithUnsafe())).Convert([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	// Only the template's own elements, no handler, no script URL.
	z := nethtml.NewTokenizer(bytes.NewReader(page.Bytes()))
	for tt := z.Next(); tt != nethtml.ErrorToken; tt = z.Next() {
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if !strings.Contains(" h1 h2 h3 p a ", " "+tok.Data+" ") {
			t.Errorf("index.md renders a <%s> live", tok.Data)
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("index.md renders <%s %s=%q> live", tok.Data, a.Key, a.Val)
			}
		}
	}
	if !strings.Contains(page.String(), `href="https://evil.example/?a=%3E%29%3Cimg%20src=x%20onerror=alert%281%29%3E%5Bx%5D%28javascript:alert%282%29%29"`) {
		t.Errorf("the link is not the source, encoded:\n%s", page.String())
	}
}
