package text

import (
	"strings"
	"testing"
	"unicode"
)

func TestExcerptEndsSentence(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Done.", true},
		{"Really?", true},
		{"Wow!", true},
		{"完成了。", true},
		{"真的吗？", true},
		{"そうだ！", true},
		{"他说：“好的。”", true},
		{"「はい。」", true},
		{"(See above.)", true},
		{"He met Mr.", false},
		{"e.g.", false},
		{"Robert R.", false},
		{"no end", false},
		{"列表如下：", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := endsSentence(tt.in); got != tt.want {
			t.Errorf("endsSentence(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFirstParagraph(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", ""},
		{"only a heading", "# Title", ""},
		{"skips heading, image and rule",
			"# Title\n\n![cover](https://x.example/c.png)\n\n---\n\nThe first real paragraph of the article is this one.",
			"The first real paragraph of the article is this one."},
		{"skips tracking pixel and staleness notice",
			"![](https://relay-dsp.ad-m.asia/dmp/sync/bizmatrix?pid=c3ed207b574cf11376&d=x18o8hduaj&uid=)\n\nこの記事は最終更新日から5年以上が経過しています。\n\n## 概要\n\n前回はROS2のパラメーターを操作するROSノードの記載について解説しました。",
			"前回はROS2のパラメーターを操作するROSノードの記載について解説しました。"},
		{"skips code and table",
			"```sh\necho hello world, this is a long code line that is not prose.\n```\n\n| a | b |\n|---|---|\n| this is a table cell with enough text to be prose. | x |\n\nAfter the code comes the prose we want.",
			"After the code comes the prose we want."},
		{"skips Omnivore header",
			"# Example Domain\n#Omnivore\n\n[Read on Omnivore](https://omnivore.app/me/example)\n[Read Original](https://example.com)\n\nThis domain is for use in illustrative examples in documents.",
			"This domain is for use in illustrative examples in documents."},
		{"skips link-only and URL-only lines",
			"[Home](https://a.example) | [About](https://a.example/about) | [Contact us today](https://a.example/c)\n\nhttps://x.com/a/status/1 https://x.com/b/status/2\n\n#clippings #AI\n\nThe article starts here and keeps going.",
			"The article starts here and keeps going."},
		{"skips X byline",
			"**BadUncle** @BadUncleX [2025-06-11](https://x.com/BadUncleX/status/1932694405154279567)\n\n如何最大化Claude Code自动化程度\n\nVibe Coding的光谱里的主要元素是自动化程度, 对于Claude Code来说就是是否需要你点击确认执行。",
			"Vibe Coding的光谱里的主要元素是自动化程度, 对于Claude Code来说就是是否需要你点击确认执行。"},
		{"skips WeChat byline",
			"Original 见神 [程苓峰](https://mp.weixin.qq.com/s/) *2025年11月10日 17:27*\n\n这几天小鹏的机器人在国内外刷屏，很多人怀疑那个走猫步的机器里藏了个真人。",
			"这几天小鹏的机器人在国内外刷屏，很多人怀疑那个走猫步的机器里藏了个真人。"},
		{"skips short labels and greetings",
			"From Wikipedia, the free encyclopedia\n\nこんにちは！\n\n**撰文 菡萏**\n\nActive Directory (AD) is a directory service developed by Microsoft.",
			"Active Directory (AD) is a directory service developed by Microsoft."},
		{"skips callouts and epigraphs",
			"> [!note] Summary\n> A callout that comes before the text.\n\n> “No home. No allies. We will need more.”\n\n**Glys** is a [mistspren](https://coppermind.net/wiki/Mistspren) on [[Roshar - The Coppermind|Roshar]].",
			"Glys is a mistspren on Roshar."},
		{"callout when nothing else",
			"> [!note] Clippings digest\n> Weekly digest of saved clips — newest sections on top.\n\n## Saturday",
			"Weekly digest of saved clips — newest sections on top."},
		{"empty callout skipped", "> [!info]\n\n> [!tip] Title only", ""},
		{"long list item sentence",
			"## この記事の内容\n\n- UbuntuのshellからOSの情報と、CPU, GPUのハードウェア情報を確認するコマンドの解説をします。\n\n## 概要\n\n- OSのバージョン\n\n-a オプションを付けると出せる情報が全部でます。",
			"UbuntuのshellからOSの情報と、CPU, GPUのハードウェア情報を確認するコマンドの解説をします。"},
		{"short list item waits for a paragraph",
			"- Author: [[Kyle]]\n- Full Title: Skill Issue: Harness Engineering for Coding Agents\n\nWe've spent the past year watching coding agents fail.",
			"We've spent the past year watching coding agents fail."},
		{"list item when nothing else", "- Formaliser une stratégie et une charte IA pour rendre l’administration redevable", "Formaliser une stratégie et une charte IA pour rendre l’administration redevable"},
		{"Obsidian syntax cleaned",
			"Text with ==highlight==, [[Note|a link]], ![[embed.png]] and **bold** and <b>tags</b> and a footnote.[^1]\n\n[^1]: Source.",
			"Text with highlight, a link, and bold and tags and a footnote."},
		{"Chinese soft breaks joined", "第一行的文字内容比较长，\n第二行继续写下去。", "第一行的文字内容比较长，第二行继续写下去。"},
		{"math and comments skipped", "$$\nx^2\n$$\n\n%%\nprivate note that is long enough to be prose.\n%%\n\nThe visible paragraph of the note.", "The visible paragraph of the note."},
		{"only bare URLs", "\nhttps://x.com/a/status/1\nhttps://x.com/b/status/2\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FirstParagraph([]byte(tt.body))
			if got != tt.want {
				t.Errorf("FirstParagraph(%q)\ngot  %q\nwant %q", tt.body, got, tt.want)
			}
			checkClean(t, got)
		})
	}
}

func TestFirstParagraphLongBody(t *testing.T) {
	// The first paragraph past the head FirstParagraph reads first.
	head := strings.Repeat("## Heading\n\n```\ncode\n```\n\n", 400)
	body := head + "Finally, the prose starts here.\n\n" + strings.Repeat("More text here. ", 1000)
	if got, want := FirstParagraph([]byte(body)), "Finally, the prose starts here."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A quote near the top does not win over a paragraph further down.
	body = "> A quote at the top of the note, long enough.\n\n" + head + "The paragraph further down the note.\n\n" + strings.Repeat("x ", 5000)
	if got, want := FirstParagraph([]byte(body)), "The paragraph further down the note."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExcerpt(t *testing.T) {
	body := []byte("# Title\n\nThe body paragraph. It is the excerpt when there is no description.")
	tests := []struct {
		name, description string
		body              []byte
		max               int
		want              string
	}{
		{"description", "A short description.", body, 80, "A short description."},
		{"description trimmed and collapsed", "  Spaces\n\n   inside   it are collapsed.  ", body, 80, "Spaces inside it are collapsed."},
		{"description cleaned", "**Bold** [link](https://x.example) [[Note|alias]] ==mark== <i>tag</i> &amp; more text.", body, 80, "Bold link alias mark tag & more text."},
		{"Chinese description lines joined", "这是描述的第一行，\n这是描述的第二行。", body, 80, "这是描述的第一行，这是描述的第二行。"},
		{"description label removed", "Summary: the description says what the page is about.", body, 80, "the description says what the page is about."},
		{"thin tagline", "残忍但真实", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"subtitle without a sentence end", "展现了通往更高级通用智能的清晰路径", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"description cut by the source", "The body paragraph. It is the excerpt when…", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"description that is the body cut short", "The body paragraph. It is the excerpt when there is no desc", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"description of flattened table cells", "環境 項目 値 CPU Core i5 の環境で動いています。", []byte("# 環境\n\n| 項目 | 値 |\n|---|---|\n| CPU | Core i5 |\n\n本文はここから始まり、環境の説明が続きます。"), 80, "本文はここから始まり、環境の説明が続きます。"},
		{"tagline kept when the body has nothing", "残忍但真实", []byte("# Title"), 80, "残忍但真实"},
		{"blank description", " \n ", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"description that is only an image", "![](https://x.example/a.png)", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"body cut at a near sentence", "", body, 30, "The body paragraph.…"},
		{"body cut at a sentence end at 47% of the width", "", body, 40, "The body paragraph.…"},
		{"body cut at a word", "", body, 56, "The body paragraph. It is the excerpt when there is no…"},
		{"sentence finished a little past the width", "", body, 64, "The body paragraph. It is the excerpt when there is no description."},
		{"description cut at a word", "A description that is far too long for the width it is given here", body, 30, "A description that is far too…"},
		{"no limit", "", body, 0, "The body paragraph. It is the excerpt when there is no description."},
		{"nothing", "", []byte("# Only a title"), 80, ""},
		{"Japanese body", "", []byte("**宝玉** @dotey 2025-10-06\n\n吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"), 40, "吾輩は猫である。名前はまだ無い。…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Excerpt(tt.description, tt.body, tt.max)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %q, %d)\ngot  %q\nwant %q", tt.description, tt.body, tt.max, got, tt.want)
			}
			checkClean(t, got)
		})
	}
}

// hasProse reports whether a body has a line of prose outside code: one
// that does not start like a heading, table, image, quote or list, and ends
// a sentence after at least 20 letters.
func hasProse(body []byte) bool {
	fence := false
	for line := range strings.Lines(string(body)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence || line == "" || strings.ContainsAny(line[:1], "#|!>-*[") {
			continue
		}
		letters := 0
		for _, r := range line {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters >= 20 && endsSentence(line) {
			return true
		}
	}
	return false
}

func TestExcerptCorpus(t *testing.T) {
	for _, c := range corpusBodies(t) {
		t.Run(c.name, func(t *testing.T) {
			p := FirstParagraph(c.body)
			checkClean(t, p)
			if strings.Contains(p, "  ") || strings.Contains(p, "\n") || p != strings.TrimSpace(p) {
				t.Errorf("FirstParagraph: got %q, want whitespace collapsed", p)
			}
			if p == "" && hasProse(c.body) {
				t.Errorf("FirstParagraph: got nothing from a body with prose")
			}
			for _, max := range []int{40, 80, 240} {
				e := Excerpt("", c.body, max)
				checkClean(t, e)
				q := dropInlineTags(stripLabel(p))
				checkTruncated(t, strings.TrimLeft(q, "-–—*•·> "), CutLimit(max), e)
				if prefix, cut := strings.CutSuffix(e, "…"); cut && e != q && insideLatinWord(q, len(prefix)) {
					t.Errorf("Excerpt(%d): got %q, cut inside a word", max, e)
				}
			}
		})
	}
}

func BenchmarkExcerpt(b *testing.B) {
	benchmarkCorpus(b, func(body []byte) { Excerpt("", body, 240) })
}

func TestExcerptDropsInlineTags(t *testing.T) {
	tests := []struct{ in, want string }{
		{"城市正在改变。 #未来趋势 通勤距离不再决定居住地点。", "城市正在改变。 通勤距离不再决定居住地点。"},
		{"#AI Agents are rewriting how software gets built. #ai/llm", "Agents are rewriting how software gets built."},
		{"Issue #42 and C# stay; so does a#b.", "Issue #42 and C# stay; so does a#b."},
	}
	for _, tt := range tests {
		if got := Excerpt("", []byte(tt.in), 200); got != tt.want {
			t.Errorf("Excerpt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
