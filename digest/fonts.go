package digest

import "strings"

// Font stacks per language: a CJK character has different shapes in
// Simplified Chinese, Traditional Chinese, Japanese and Korean, and a
// browser or mail client draws it with the first font of the stack that
// has it. Latin fonts come first in each, so Latin text keeps its face.
const (
	latinFonts  = `-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial`
	fontsZhHans = latinFonts + `, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif`
	fontsZhHant = latinFonts + `, "PingFang TC", "Noto Sans CJK TC", "Source Han Sans TC", "Microsoft JhengHei", sans-serif`
	fontsJA     = latinFonts + `, "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", YuGothic, Meiryo, "Noto Sans CJK JP", "Source Han Sans JP", sans-serif`
	fontsKO     = latinFonts + `, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans CJK KR", "Source Han Sans KR", sans-serif`
)

// FontStack returns the CSS font-family for text in a BCP 47 language
// (an item's lang, or a site's language): Japanese gets Japanese fonts,
// Traditional Chinese Traditional ones; other languages the Simplified
// Chinese stack, whose CJK fonts also cover stray Han in Latin text.
func FontStack(lang string) string {
	l := strings.ToLower(strings.ReplaceAll(lang, "_", "-"))
	switch {
	case l == "ja" || strings.HasPrefix(l, "ja-"):
		return fontsJA
	case l == "ko" || strings.HasPrefix(l, "ko-"):
		return fontsKO
	case UILang(l) == LangZhTW:
		return fontsZhHant
	}
	return fontsZhHans
}
