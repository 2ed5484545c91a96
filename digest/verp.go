package digest

import "strings"

// VERP returns the envelope sender of the copy mailed to rcpt: returnPath
// with the recipient folded into its local part (Variable Envelope Return
// Path), so bounces+alice=example.org@news.example.net for
// alice@example.org. A bounce comes back to that address and so names the
// reader whatever the remote server writes in it. With no returnPath it
// returns "".
func VERP(returnPath, rcpt string) string {
	at := strings.LastIndexByte(returnPath, '@')
	r := strings.LastIndexByte(rcpt, '@')
	if at <= 0 || r <= 0 {
		return returnPath
	}
	return returnPath[:at] + "+" + rcpt[:r] + "=" + rcpt[r+1:] + returnPath[at:]
}

// UnVERP returns the recipient a VERP address made from returnPath names,
// and whether addr is one.
func UnVERP(returnPath, addr string) (string, bool) {
	at := strings.LastIndexByte(returnPath, '@')
	a := strings.LastIndexByte(addr, '@')
	if at <= 0 || a <= 0 || !strings.EqualFold(addr[a:], returnPath[at:]) {
		return "", false
	}
	prefix := returnPath[:at] + "+"
	local := addr[:a]
	if len(local) <= len(prefix) || !strings.EqualFold(local[:len(prefix)], prefix) {
		return "", false
	}
	tag := local[len(prefix):]
	eq := strings.LastIndexByte(tag, '=')
	if eq <= 0 || eq == len(tag)-1 {
		return "", false
	}
	return tag[:eq] + "@" + tag[eq+1:], true
}

// isASCII reports whether s is plain ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
