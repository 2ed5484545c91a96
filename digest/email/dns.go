package email

import (
	"fmt"
	"strings"
)

// DNSRecords returns the TXT records the domain of the From address
// publishes for its mail to be taken as its own: each DKIM key of s, and a
// starting point for SPF and DMARC, each with a comment saying what to
// adjust. s may be nil (no signing yet: SPF and DMARC only).
func DNSRecords(s *DKIMSigner, fromDomain string) []TXTRecord {
	fromDomain = strings.ToLower(strings.TrimSuffix(fromDomain, "."))
	var rs []TXTRecord
	if s != nil {
		for _, r := range s.Records() {
			kind := "RSA"
			if strings.Contains(r.Value, "k=ed25519") {
				kind = "Ed25519 (RFC 8463), beside the RSA key"
			}
			r.Comment = "DKIM: the " + kind + " public key"
			rs = append(rs, r)
		}
	}
	rs = append(rs,
		TXTRecord{
			Name:    fromDomain,
			Value:   "v=spf1 mx ~all",
			Comment: "SPF: the hosts allowed to send as " + fromDomain + "; add your relay's include: (e.g. include:amazonses.com) or ip4:, and merge with any v=spf1 record already there (one per name)",
		},
		TXTRecord{
			Name:    "_dmarc." + fromDomain,
			Value:   "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@" + fromDomain,
			Comment: "DMARC: p=none only reports; once the reports show every mail aligned, move to p=quarantine, then p=reject",
		},
	)
	return rs
}

// Zone is the record as a line of a DNS zone file, its value cut into
// strings of at most 255 bytes (RFC 1035 §3.3.14), the comment above it.
func (r TXTRecord) Zone() string {
	var b strings.Builder
	if r.Comment != "" {
		fmt.Fprintf(&b, "; %s\n", r.Comment)
	}
	b.WriteString(r.Name + ". IN TXT")
	v := r.Value
	for len(v) > 255 {
		fmt.Fprintf(&b, " %q", v[:255])
		v = v[255:]
	}
	fmt.Fprintf(&b, " %q\n", v)
	return b.String()
}
