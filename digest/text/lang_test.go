package text

import "testing"

func TestDetectLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"当AI可以写代码、画图、作曲时，个体的价值在哪里？答案是判断力。", "zh-Hans"},
		{"當AI可以寫代碼、畫圖、作曲時，個體的價值在哪裡？這是判斷力的問題。", "zh-Hant"},
		{"これからの十年、働き方はどう変わるのか。", "ja"},
		{"機械学習用語としての「次元削減」について解説します。", "ja"},
		{"인공지능 시대의 개인 가치는 무엇인가?", "ko"},
		{"The annual prediction market conference was earlier this month.", "en"},
		{"L'heure de l'expérimentation est révolue. Les entreprises entrent dans une phase où chaque usage de l'IA doit désormais justifier un ROI.", "fr"},
		{"Vibe Coding的光谱里的主要元素是自动化程度, 对于Claude Code来说就是是否需要你点击确认执行。", "zh-Hans"},
		{"Claude Code が出力した「東京」の例", "ja"},
		{"", ""},
		{"1234 — 5678", ""},
	}
	for _, tt := range tests {
		if got := DetectLang(tt.in); got != tt.want {
			t.Errorf("DetectLang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
