package text

import "testing"

func TestStripControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 中文", "plain 中文"},
		{"evil\u202Etxt.exe", "eviltxt.exe"},
		{"\u2066isolated\u2069 \u200Fmark", "isolated mark"},
		{"nul\x00byte\x1b[31m", "nulbyte[31m"},
		{"line\nbreak\ttab", "line break tab"},
		{"c1\u0085x\x7f", "c1x"},
		{"bad \xff utf-8", "bad  utf-8"},
		{"emoji 👩‍💻 and ZWJ kept", "emoji 👩‍💻 and ZWJ kept"},
	}
	for _, tt := range tests {
		if got := StripControl(tt.in); got != tt.want {
			t.Errorf("StripControl(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
