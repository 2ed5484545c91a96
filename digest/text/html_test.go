package text

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	for _, tc := range []struct{ in, want, not string }{
		{"这周：**智能体**。", "<strong>智能体</strong>", ""},
		{"<script>alert(1)</script>", "", "<script"},
		{"[x](javascript:alert(1))", "<a href=\"\">x</a>", "javascript:"},
		{"<img src=x onerror=alert(1)>", "", "onerror"},
	} {
		got := HTML(tc.in)
		if tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("HTML(%q) = %q, want it to contain %q", tc.in, got, tc.want)
		}
		if tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("HTML(%q) = %q has %q", tc.in, got, tc.not)
		}
	}
}
