package text

// IsASCII reports whether s is all ASCII, as an address or a header must be
// unless the relay offers SMTPUTF8.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
