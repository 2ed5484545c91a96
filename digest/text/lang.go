package text

import "strings"

// Lang returns the BCP 47 tag of the language the product writes its own
// words in (dates, counts, greetings, footers) for a site whose language
// setting is language: "zh" for Chinese of any region or script (zh, zh-CN,
// zh_TW, zh-Hant), else "en". The email and the web pages both ask it, so
// they never disagree.
func Lang(language string) string {
	l := strings.ToLower(language)
	if l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		return "zh"
	}
	return "en"
}
