package text

import (
	"strings"
	"unicode"
)

// Reading speeds of ReadingMinutes, for non-fiction read silently: about 238
// words a minute in English (Brysbaert 2019, rounded down for technical
// text) and about 400 characters a minute in Chinese and Japanese.
const (
	wordsPerMinute = 230
	cjkPerMinute   = 400
)

// ReadingMinutes estimates how long text takes to read, in whole minutes
// rounded up: Chinese, Japanese and Korean characters (Han, kana, Hangul) are
// counted one by one at 400 a minute, words of other scripts at 230 a minute.
// It is 0 for blank text and at least 1 otherwise.
func ReadingMinutes(text string) int {
	cjk, words := 0, 0
	inWord := false
	for _, r := range text {
		switch {
		case isCJK(r):
			cjk++
			inWord = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				words++
				inWord = true
			}
		case unicode.IsSpace(r):
			inWord = false
		}
		// Other characters (apostrophes, hyphens, marks) neither start nor
		// end a word: "don't" and "e-mail" are one word each.
	}
	if cjk == 0 && words == 0 {
		if strings.TrimSpace(text) == "" {
			return 0
		}
		return 1
	}
	// ceil(cjk/cjkPerMinute + words/wordsPerMinute), exactly.
	const per = cjkPerMinute * wordsPerMinute
	return max(1, (cjk*wordsPerMinute+words*cjkPerMinute+per-1)/per)
}

// isCJK reports whether r is read as one character of Chinese,
// Japanese or Korean rather than as part of a word.
func isCJK(r rune) bool {
	if r < 0x1100 {
		return false
	}
	return r == 'ー' || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
