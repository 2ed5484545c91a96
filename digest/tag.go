package digest

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeTag returns a tag as it is compared and stored: surrounding space
// and one leading '#' removed, in Unicode NFC.
func NormalizeTag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	s = strings.TrimSpace(s)
	return norm.NFC.String(s)
}

// SplitTags splits a list of tags as people write them into tags. Web
// clippers pack several tags into one frontmatter item ("@handle #AI #创新",
// "管理，AI，决策") and subscribers files separate them with ';': the text is
// split on white space, ',', '，', '、' and ';'; "@handle" tokens are dropped
// and one leading '#' is stripped. The tags are in NFC, in order, and may
// repeat.
func SplitTags(s string) []string {
	var tags []string
	for tok := range strings.FieldsFuncSeq(s, isTagSep) {
		if tok[0] == '@' {
			continue
		}
		tok = strings.TrimPrefix(tok, "#")
		if tok == "" {
			continue
		}
		tags = append(tags, norm.NFC.String(tok))
	}
	return tags
}

func isTagSep(r rune) bool {
	return r == ',' || r == '，' || r == '、' || r == ';' || unicode.IsSpace(r)
}

// TagMatches reports whether a clip tagged have is listed under tag want:
// the same tag ignoring case (Unicode simple case folding) and normalisation,
// or a nested tag under it ("AI/LLM" is under "AI"). A longer tag sharing a
// prefix ("AI-Agents", "AI开发") is a different tag.
func TagMatches(have, want string) bool {
	have, want = NormalizeTag(have), NormalizeTag(want)
	if want == "" {
		return false
	}
	for {
		if strings.EqualFold(have, want) {
			return true
		}
		i := strings.LastIndexByte(have, '/')
		if i < 0 {
			return false
		}
		have = have[:i]
	}
}

// MatchTag returns the first tag of want, in the order of want, that the clip
// is listed under.
func (c *Clip) MatchTag(want []string) (tag string, ok bool) {
	for _, w := range want {
		for _, t := range c.Tags {
			if TagMatches(t, w) {
				return w, true
			}
		}
	}
	return "", false
}
