package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// MaskAddress hides the person behind an address in a log line while
// keeping lines about one address together: a short hash of it, and its
// domain (which says which provider bounced or deferred).
func MaskAddress(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(sum[:4]) + "@" + email[strings.LastIndexByte(email, '@')+1:]
}

var addressInText = regexp.MustCompile(`[^\s<>()\[\],;:"'@]+@[^\s<>()\[\],;:"'@]+\.[^\s<>()\[\],;:"'@]+`)

// MaskAddresses masks every address in a line of text, for the logs of a
// long-running server, which are kept and shipped.
func MaskAddresses(s string) string {
	return addressInText.ReplaceAllStringFunc(s, MaskAddress)
}
