package text

import (
	"strings"
	"unicode"
)

// Pairs of common characters written differently in Simplified and
// Traditional Chinese, simplified first: which set a text uses tells
// zh-Hans from zh-Hant. Characters Japanese shares with Traditional
// Chinese do no harm: Japanese is told apart by its kana first.
const (
	simplified  = "这们来时会说对国学为发经现没过还样么个问题开关长门见东车书话头实点体当应该让从给进动员机电业产网页写读认识觉传统简议论语词闻区选华际级线组织图书馆钱边质听记录复杂随无数据库软件设计变压调试验证处理优势"
	traditional = "這們來時會說對國學為發經現沒過還樣麼個問題開關長門見東車書話頭實點體當應該讓從給進動員機電業產網頁寫讀認識覺傳統簡議論語詞聞區選華際級線組織圖書館錢邊質聽記錄複雜隨無數據庫軟件設計變壓調試驗證處理優勢"
)

var simpSet, tradSet = func() (map[rune]bool, map[rune]bool) {
	s, t := map[rune]bool{}, map[rune]bool{}
	sr, tr := []rune(simplified), []rune(traditional)
	for i := range sr {
		if sr[i] != tr[i] {
			s[sr[i]], t[tr[i]] = true, true
		}
	}
	return s, t
}()

// Common words of the Latin-script languages DetectLang tells apart.
var stopwords = map[string]map[string]bool{
	"en": set("the and of to is that for with it are this on as be by you not from have was"),
	"fr": set("le la les des est une pour dans que qui sur pas du au aux une avec ce cette sont ou"),
	"de": set("der die das und ist nicht ein eine mit den von zu sich auf für dem des auch"),
	"es": set("el los las del que por una con para es se lo como más pero sus al"),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// detectSample is how much text DetectLang reads: the language shows in
// the first few paragraphs.
const detectSample = 4 << 10

// DetectLang returns the BCP 47 tag of the language text is written in:
// ja when it has kana, ko when it has Hangul, zh-Hant or zh-Hans for
// Chinese by the characters it uses, en, fr, de or es for Latin script by
// common words; "" when it cannot tell. It is plain counting, not a model:
// enough to draw CJK text with the right glyphs.
func DetectLang(text string) string {
	if len(text) > detectSample {
		text = text[:detectSample]
	}
	var han, kana, hangul, simp, trad, latin int
	counts := map[string]int{}
	var word strings.Builder
	flush := func() {
		if word.Len() == 0 {
			return
		}
		w := strings.ToLower(word.String())
		for lang, words := range stopwords {
			if words[w] {
				counts[lang]++
			}
		}
		word.Reset()
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			if simpSet[r] {
				simp++
			} else if tradSet[r] {
				trad++
			}
		case unicode.In(r, unicode.Hiragana, unicode.Katakana) && r != '・':
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.IsLetter(r) && unicode.Is(unicode.Latin, r) || r == '\'':
			word.WriteRune(r)
			continue
		}
		if word.Len() > 0 {
			latin++
			flush()
		}
	}
	if word.Len() > 0 {
		latin++
		flush()
	}
	cjk := han + kana + hangul
	switch {
	case cjk == 0 && latin == 0:
		return ""
	case cjk > 0 && cjk >= latin:
		switch {
		case hangul > han+kana:
			return "ko"
		case kana > 0 && kana*10 >= han+kana || kana >= 20:
			return "ja"
		case hangul > 0 && han == 0:
			return "ko"
		case trad > simp:
			return "zh-Hant"
		case han > 0:
			return "zh-Hans"
		}
		return "ja"
	}
	best, n := "en", 0
	for _, lang := range []string{"en", "fr", "de", "es"} {
		if counts[lang] > n {
			best, n = lang, counts[lang]
		}
	}
	return best
}
