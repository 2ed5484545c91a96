package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"中文", 4},
		{"日本語テキスト", 14},
		{"ｶﾀｶﾅ", 4},    // halfwidth katakana
		{"ＡＢ", 4},      // fullwidth Latin
		{"한국어", 6},     // Hangul
		{"👍", 2},       // emoji
		{"👨‍👩‍👧", 2},   // ZWJ sequence
		{"e\u0301", 1}, // combining mark
		{"…", 1},       // ambiguous width counts as narrow
		{"Café 咖啡", 9},
	}
	for _, tt := range tests {
		if got := DisplayWidth(tt.in); got != tt.want {
			t.Errorf("DisplayWidth(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "Short text.", 20, "Short text."},
		{"fits exactly", "12345", 5, "12345"},
		{"no limit", "Anything at all", 0, "Anything at all"},
		{"empty", "", 10, ""},
		{"English at a word", "The quick brown fox jumps over the lazy dog", 20, "The quick brown fox…"},
		{"English at a near sentence", "First sentence here. Second sentence is longer than the rest.", 30, "First sentence here.…"},
		{"English sentence too far back", "Hi. This is a long sentence without an end", 20, "Hi. This is a long…"},
		{"last of two sentences", "One two. Three four five. Six seven eight nine ten.", 28, "One two. Three four five.…"},
		{"abbreviation is no sentence end", "We met Dr. Smith and Mr. Jones at noon today", 17, "We met Dr. Smith…"},
		{"decimal is no sentence end", "Version 3.14 is out now with many fixes", 14, "Version 3.14…"},
		{"trailing comma dropped", "Hello, world, again and again", 14, "Hello, world…"},
		{"dash dropped", "Something — and more things after", 12, "Something…"},
		{"question mark", "Is this the end? Maybe not, there is more", 19, "Is this the end?…"},
		{"closing quote after period", `He said "stop." Then he left the room quietly`, 20, `He said "stop."…`},
		{"Chinese sentence", "这是第一句话。这是第二句话，比较长一些，会被截断。", 20, "这是第一句话。…"},
		{"Chinese at a character", "这是一个没有标点的很长很长很长的句子用来测试截断", 11, "这是一个没…"},
		{"Chinese comma dropped", "第一部分，第二部分，第三部分", 12, "第一部分…"},
		{"Chinese closing quote", "他说：“今天下雨了。”然后走了出去，没有带伞，也没有回头。", 24, "他说：“今天下雨了。”…"},
		{"Chinese exclamation near", "太好了！我们终于完成了这个非常非常长的项目", 14, "太好了！…"},
		{"Chinese exclamation too far back", "太好了！我们终于完成了这个非常非常长的项目", 20, "太好了！我们终于完…"},
		{"Chinese question near", "你知道吗？这件事情其实很简单，只是大家都没有注意到。", 16, "你知道吗？…"},
		{"Japanese sentences", "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。", 34, "吾輩は猫である。名前はまだ無い。…"},
		{"Japanese bracket", "「こんにちは」と彼は言った。それから長い沈黙が続いた。", 29, "「こんにちは」と彼は言った。…"},
		{"Japanese no opening bracket at the end", "今日は晴れです「明日も晴れ」", 16, "今日は晴れです…"},
		{"mixed Chinese and English", "我们使用 Claude Code 进行开发工作，效率很高", 22, "我们使用 Claude Code…"},
		{"French", "L’objectif est d’inspirer les collectivités en donnant à voir", 30, "L’objectif est d’inspirer les…"},
		{"emoji ZWJ sequence", "👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 5, "👨‍👩‍👧‍👦👨‍👩‍👧‍👦…"},
		{"combining marks", "e\u0301e\u0301e\u0301e\u0301e\u0301", 3, "e\u0301e\u0301…"},
		{"word wider than the width", "Supercalifragilisticexpialidocious", 10, "Supercali…"},
		{"width one", "abc", 1, "…"},
		{"invalid UTF-8", "ab\xffcdefgh", 4, "ab\ufffd…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d): got %q, want %q", tt.in, tt.max, got, tt.want)
			}
			checkTruncated(t, tt.in, tt.max, got)
		})
	}
}

// checkTruncated checks what holds for every result of Truncate.
func checkTruncated(t *testing.T, in string, max int, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Fatalf("Truncate(%q, %d) = %q: not valid UTF-8", in, max, got)
	}
	in = strings.ToValidUTF8(in, "\ufffd")
	if max <= 0 {
		if got != in {
			t.Fatalf("Truncate(%q, %d) = %q, want it unchanged", in, max, got)
		}
		return
	}
	if w := DisplayWidth(got); w > max {
		t.Fatalf("Truncate(%q, %d) = %q: width %d, want at most %d", in, max, got, w, max)
	}
	if got == in {
		return
	}
	prefix, ok := strings.CutSuffix(got, "…")
	if !ok {
		t.Fatalf("Truncate(%q, %d) = %q: cut without …", in, max, got)
	}
	if !strings.HasPrefix(in, prefix) {
		t.Fatalf("Truncate(%q, %d) = %q: not a prefix of the input", in, max, got)
	}
	if prefix != strings.TrimRightFunc(prefix, unicode.IsSpace) {
		t.Fatalf("Truncate(%q, %d) = %q: space before the …", in, max, got)
	}
	if !graphemeBoundary(in, len(prefix)) {
		t.Fatalf("Truncate(%q, %d) = %q: cut inside a grapheme cluster", in, max, got)
	}
}

// graphemeBoundary reports whether s[:n] ends at a grapheme cluster boundary.
func graphemeBoundary(s string, n int) bool {
	if n == 0 {
		return true
	}
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		if _, end := g.Positions(); end >= n {
			return end == n
		}
	}
	return n == 0
}

// insideLatinWord reports whether a cut of s after n bytes splits a word of
// Latin letters.
func insideLatinWord(s string, n int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:n])
	after, _ := utf8.DecodeRuneInString(s[n:])
	latin := func(r rune) bool { return unicode.Is(unicode.Latin, r) }
	return n > 0 && n < len(s) && latin(before) && latin(after)
}

// samples are prose in the languages of the corpus.
var samples = []string{
	"Active Directory (AD) is a directory service developed by Microsoft for Windows domain networks. Windows Server operating systems include it as a set of processes and services. Originally, only centralized domain management used Active Directory.",
	"We've spent the past year watching coding agents fail in every conceivable way: ignoring instructions, executing dangerous commands un-prompted, and going in circles on the simplest of tasks.",
	"Il y a encore un an, la question du coût ne se posait presque pas. Les abonnements forfaitaires masquaient la réalité, les budgets IA étaient généreux et les équipes avaient carte blanche pour expérimenter.",
	"这几天小鹏的机器人在国内外刷屏，很多人怀疑那个走猫步的机器里藏了个真人。何小鹏第二天早上当着所有人把它衣服扒开，但还有人怀疑，晚上又当着所有人把腿上的肌肉剪掉。很多老外震到了，马斯克也在X上点了赞。",
	"从 MapReduce、BigTable 到 TPU、Google Brain，再到 Gemini，Jeff Dean 参与或主导了 Google 几乎所有核心 AI 基础设施的构建。他是 Google 的第 30 号员工，现任首席科学家、Gemini 项目负责人。",
	"Pythonのデータ解析ライブラリ Pandas では、CSVファイルを読み込む際（ pd.read_csv() ）、特定の文字列が自動的に NaN （欠損値）として扱われるという仕様があります。ドキュメントによると、デフォルトで以下の値がNaNと解釈されます。",
	"この包括的なチュートリアルでは、C++ 標準ライブラリ内のスリープ機能を探求し、開発者が時間遅延を実装し、スレッド実行を管理するための重要なテクニックを提供します。",
	"案例演示: 𝐆𝐢𝐭 𝐖𝐨𝐫𝐤𝐭𝐫𝐞𝐞 + 𝐂𝐥𝐚𝐮𝐝𝐞 𝐂𝐨𝐝𝐞 同时开发多个功能 👨‍👩‍👧‍👦 ⚠️ 🇯🇵🇨🇳 done.",
}

func TestTruncateInvariants(t *testing.T) {
	for _, s := range samples {
		for max := 12; max <= DisplayWidth(s)+2; max++ {
			got := Truncate(s, max)
			checkTruncated(t, s, max, got)
			prefix, cut := strings.CutSuffix(got, "…")
			if !cut {
				continue
			}
			if insideLatinWord(s, len(prefix)) {
				t.Errorf("Truncate(%q, %d) = %q: cut inside a word", s, max, got)
			}
			// The cut is at the last sentence end in the last 40% of the width.
			budget := max - 1
			best := 0
			for _, end := range sampleSentenceEnds(s) {
				if w := DisplayWidth(s[:end]); w <= budget && w*10 >= budget*6 {
					best = end
				}
			}
			if best > 0 && prefix != s[:best] {
				t.Errorf("Truncate(%q, %d) = %q, want it cut at the sentence end %q", s, max, got, s[:best])
			}
		}
	}
}

// sampleSentenceEnds returns the offsets just after the sentence terminators
// of s: 。！？ anywhere, .!? before a space or at the end.
func sampleSentenceEnds(s string) []int {
	var ends []int
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		switch r {
		case '。', '！', '？':
			ends = append(ends, end)
		case '.', '!', '?':
			if end == len(s) || s[end] == ' ' {
				ends = append(ends, end)
			}
		}
	}
	return ends
}

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
		{"description trimmed and collapsed", "  Spaces\n\n   inside   it.  ", body, 80, "Spaces inside it."},
		{"description cleaned", "**Bold** [link](https://x.example) [[Note|alias]] ==mark== <i>tag</i> &amp; more", body, 80, "Bold link alias mark tag & more"},
		{"Chinese description lines joined", "第一行\n第二行。", body, 80, "第一行第二行。"},
		{"blank description", " \n ", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"description that is only an image", "![](https://x.example/a.png)", body, 80, "The body paragraph. It is the excerpt when there is no description."},
		{"body cut at a near sentence", "", body, 30, "The body paragraph.…"},
		{"body cut at a word", "", body, 40, "The body paragraph. It is the excerpt…"},
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
				checkTruncated(t, p, max, e)
				if prefix, cut := strings.CutSuffix(e, "…"); cut && e != p && insideLatinWord(p, len(prefix)) {
					t.Errorf("Excerpt(%d): got %q, cut inside a word", max, e)
				}
			}
		})
	}
}

func FuzzTruncate(f *testing.F) {
	for _, s := range samples {
		f.Add(s, 40)
	}
	f.Add("👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 3)
	f.Add("e\u0301e\u0301e\u0301", 2)
	f.Add("a\xffb", 2)
	f.Add("", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 300
		got := Truncate(s, max)
		checkTruncated(t, s, max, got)
	})
}

func BenchmarkExcerpt(b *testing.B) {
	files := corpusBodies(b)
	n := 0
	for _, c := range files {
		n += len(c.body)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range files {
			Excerpt("", c.body, 240)
		}
	}
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
