package text

import "testing"

func TestIsASCII(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"user@example.com", true},
		{"\x7f", true},
		{"用户@例子.中国", false},
		{"josé@example.com", false},
	}
	for _, tt := range tests {
		if got := IsASCII(tt.in); got != tt.want {
			t.Errorf("IsASCII(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
