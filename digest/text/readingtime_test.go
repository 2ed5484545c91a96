package text

import (
	"strings"
	"testing"
)

func TestReadingMinutes(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	han := func(n int) string { return strings.Repeat("字", n) }
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"blank", " \n\t ", 0},
		{"punctuation only", "…!?", 1},
		{"one word", "Hello", 1},
		{"230 words", words(230), 1},
		{"231 words", words(231), 2},
		{"460 words", words(460), 2},
		{"2300 words", words(2300), 10},
		{"400 Han", han(400), 1},
		{"401 Han", han(401), 2},
		{"4000 Han", han(4000), 10},
		{"kana", strings.Repeat("ひらがなカタカナー", 100), 3}, // 900 characters
		{"Hangul", strings.Repeat("한국어", 200), 2},     // 600 characters
		{"half and half", han(200) + " " + words(115), 1},
		{"just over half and half", han(201) + " " + words(115), 2},
		{"contractions and hyphens are one word", strings.Repeat("don't e-mail ", 115), 1},
		{"words between Han", strings.Repeat("使用Claude进行", 100), 2}, // 400 Han + 100 words
		{"French accents", strings.Repeat("déjà été ", 116), 2},     // 232 words
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadingMinutes(tt.text); got != tt.want {
				t.Errorf("ReadingMinutes(%.40q…): got %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}
