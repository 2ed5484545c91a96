package digest

import "testing"

func TestVERP(t *testing.T) {
	const rp = "bounces@news.example.net"
	tests := []struct{ rcpt, verp string }{
		{"alice@example.org", "bounces+alice=example.org@news.example.net"},
		{"a+tag@example.org", "bounces+a+tag=example.org@news.example.net"},
		{"x=y@example.org", "bounces+x=y=example.org@news.example.net"},
	}
	for _, tc := range tests {
		if got := VERP(rp, tc.rcpt); got != tc.verp {
			t.Errorf("VERP(%q) = %q, want %q", tc.rcpt, got, tc.verp)
		}
		if got, ok := UnVERP(rp, tc.verp); !ok || got != tc.rcpt {
			t.Errorf("UnVERP(%q) = %q, %v, want %q", tc.verp, got, ok, tc.rcpt)
		}
	}
	for _, addr := range []string{
		"bounces@news.example.net",            // the bare return path
		"bounces+alice=example.org@other.net", // another domain
		"other+alice=example.org@news.example.net",
		"bounces+alice@news.example.net",  // no '='
		"bounces+alice=@news.example.net", // empty domain
		"bounces+=example.org@news.example.net",
	} {
		if got, ok := UnVERP(rp, addr); ok {
			t.Errorf("UnVERP(%q) = %q, want none", addr, got)
		}
	}
	if got, ok := UnVERP(rp, "BOUNCES+Alice=Example.org@NEWS.example.net"); !ok || got != "Alice@Example.org" {
		t.Errorf("UnVERP ignores case of the return path: got %q, %v", got, ok)
	}
	if got := VERP("", "alice@example.org"); got != "" {
		t.Errorf("VERP without return path = %q", got)
	}
}
