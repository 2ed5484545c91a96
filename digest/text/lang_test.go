package text

import "testing"

func TestLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"zh", "zh"},
		{"zh-CN", "zh"},
		{"zh_TW", "zh"},
		{"ZH-Hant", "zh"},
		{"en", "en"},
		{"en-US", "en"},
		{"ja", "en"}, // until the catalogue has Japanese
		{"zhx", "en"},
		{"", "en"},
	}
	for _, tt := range tests {
		if got := Lang(tt.in); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
