package email

import (
	htmltemplate "html/template"
	"strings"

	"github.com/digest-newsletter/digest/digest"
	"github.com/digest-newsletter/digest/digest/text"
	"github.com/rivo/uniseg"
)

// textWidth is how wide the text part's lines may be, in columns.
const textWidth = 72

// funcs are the helpers of the email templates, with the words of lang (a
// catalogue language).
func funcs(lang string) map[string]any {
	f := digest.FuncsFor(lang)
	f["wrap"] = wrap
	f["underline"] = func(char, text string) string {
		return strings.Repeat(char, max(1, min(uniseg.StringWidth(text), textWidth)))
	}
	f["meta"] = itemMeta
	f["preheaderFill"] = func() htmltemplate.HTML { return preheaderFill }
	f["msoOpen"] = func() htmltemplate.HTML { return msoOpen }
	f["msoClose"] = func() htmltemplate.HTML { return msoClose }
	return f
}

// preheaderFill follows the preheader: invisible characters that fill the
// inbox's preview line, so that it does not run on into the greeting.
var preheaderFill = htmltemplate.HTML(strings.Repeat("&#847;&zwnj;&nbsp;", 60))

// msoOpen and msoClose wrap the card in a table 600 pixels wide that only
// Outlook's Word engine sees: it ignores max-width, and would run lines
// across the whole window. (html/template drops comments written in a
// template, so they come from here.)
const (
	msoOpen  htmltemplate.HTML = `<!--[if mso]><table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td width="600"><![endif]-->`
	msoClose htmltemplate.HTML = `<!--[if mso]></td></tr></table><![endif]-->`
)

// itemMeta is an item's byline: authors · site · date · reading time.
func itemMeta(it digest.Item, lang string) string {
	var parts []string
	if a := strings.Join(it.Authors, ", "); strings.TrimSpace(a) != "" {
		parts = append(parts, a)
	}
	if it.Site != "" {
		parts = append(parts, it.Site)
	}
	if !it.Clipped.IsZero() {
		parts = append(parts, digest.Day(lang, it.Clipped))
	}
	if it.Minutes > 0 {
		parts = append(parts, digest.T(lang, "minutes", it.Minutes))
	}
	return headerText(strings.Join(parts, " · "))
}

// wrap fills s to textWidth columns, East Asian wide characters
// counting two. The first line starts with prefix, the others with as many
// spaces. Lines break at spaces and, inside runs of CJK, where Unicode line
// breaking allows (never before a closing mark); URLs and words wider than
// the line go whole on a line of their own.
func wrap(prefix, s string) string {
	indent := strings.Repeat(" ", uniseg.StringWidth(prefix))
	var b strings.Builder
	b.WriteString(prefix)
	col := uniseg.StringWidth(prefix)
	lineStart := true
	space := false // a space is owed before the next unit
	put := func(unit string, w int) {
		need := w
		if space {
			need++
		}
		if !lineStart && col+need > textWidth {
			b.WriteString("\n")
			b.WriteString(indent)
			col = len(indent)
			lineStart = true
		} else if space && !lineStart {
			b.WriteString(" ")
			col++
		}
		b.WriteString(unit)
		col += w
		lineStart = false
		space = false
	}
	for _, word := range strings.Fields(headerText(s)) {
		space = true
		if text.IsASCII(word) {
			put(word, uniseg.StringWidth(word))
			continue
		}
		// A URL inside CJK text, "（见https://example.com/）。", is one unit
		// with the segments next to it, and the text around it is broken as
		// usual.
		var units []string
		glue := false // the next segment joins the last unit
		for word != "" {
			pre, url, post := cutURL(word)
			state := -1
			for pre != "" {
				var seg string
				seg, pre, _, state = uniseg.FirstLineSegmentInString(pre, state)
				if glue {
					units[len(units)-1] += seg
					glue = false
				} else {
					units = append(units, seg)
				}
			}
			if url != "" {
				if len(units) > 0 {
					units[len(units)-1] += url
				} else {
					units = append(units, url)
				}
				glue = true
			}
			word = post
		}
		for _, u := range units {
			put(u, uniseg.StringWidth(u))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// cutURL cuts word around its first URL: the run of printable ASCII
// that holds "://". Without one, all of word is pre.
func cutURL(word string) (pre, url, post string) {
	i := strings.Index(word, "://")
	if i < 0 {
		return word, "", ""
	}
	start, end := i, i+3
	for start > 0 && word[start-1] > ' ' && word[start-1] < 0x7f {
		start--
	}
	for end < len(word) && word[end] > ' ' && word[end] < 0x7f {
		end++
	}
	return word[:start], word[start:end], word[end:]
}
