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
