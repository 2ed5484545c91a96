package digest

import (
	"strings"
	"testing"
)

func TestMaskAddresses(t *testing.T) {
	in := `3 recipients of 2026-W49 may or may not have it: ann@example.org, Bob.Smith+x@mail.example.cn, "zz@xn--r8jz45g.jp"; subscribers.csv:12: invalid address "not-an-address"`
	got := MaskAddresses(in)
	for _, a := range []string{"ann@", "Bob.Smith", "zz@"} {
		if strings.Contains(got, a) {
			t.Errorf("%q is not masked in %q", a, got)
		}
	}
	for _, keep := range []string{"@example.org", "@mail.example.cn", "@xn--r8jz45g.jp", "subscribers.csv:12", "not-an-address", "2026-W49"} {
		if !strings.Contains(got, keep) {
			t.Errorf("%q was lost from %q", keep, got)
		}
	}
	if MaskAddress("Ann@Example.org")[:8] != MaskAddress("ann@example.org")[:8] {
		t.Error("one address masks two ways")
	}
}
