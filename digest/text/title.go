package text

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	// emphasisRun is a run of Markdown emphasis marks that a clipper left
	// around a title: "****react+Nodejs****".
	emphasisRun = regexp.MustCompile(`\*{2,}|_{2,}|={2,}|~{2,}`)
	// inboxCounter is the unread counter sites put before a page's title:
	// Zhihu's "(93 封私信 / 2 条消息)", "(3) Home / X".
	inboxCounter = regexp.MustCompile(`^\s*[(（]\s*\d+[^()（）]{0,20}?(?:封私信|条消息|條訊息|件の通知|messages?|notifications?)?[^()（）]{0,20}[)）]\s*`)
)

// CleanTitle returns a title as an editor would print it: no Markdown
// emphasis marks, no "#" left from a file name, no invisible or
// bidirectional control characters, no inbox counter, whitespace
// (non-breaking spaces included) collapsed.
func CleanTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u00a0':
			return ' '
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u200e' || r == '\u200f' || r == '\ufeff' || r == '\u00ad',
			r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	s = emphasisRun.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	for {
		t := strings.TrimLeft(s, "# ")
		if loc := inboxCounter.FindStringIndex(t); loc != nil && isCounter(t[:loc[1]]) {
			t = t[loc[1]:]
		}
		if t == s {
			break
		}
		s = t
	}
	return s
}

// isCounter reports whether a parenthesised prefix is a counter: digits,
// spaces, slashes and the words of a counter, nothing else; a bare number
// of up to three digits.
func isCounter(p string) bool {
	p = strings.Trim(p, " ()（）")
	words := false
	for _, w := range []string{"封私信", "条消息", "條訊息", "件の通知", "messages", "message", "notifications", "notification"} {
		words = words || strings.Contains(p, w)
		p = strings.ReplaceAll(p, w, "")
	}
	if !words && len(strings.TrimSpace(p)) > 3 {
		return false // "(2024) A year in review": a year, not a count
	}
	return strings.Trim(p, " /0123456789+") == ""
}

// placeholders are titles that name the tool or the page type rather than
// the page: chat apps, untitled notes, bare file names.
var placeholders = map[string]bool{
	"chatgpt": true, "claude": true, "gemini": true, "google gemini": true, "perplexity": true,
	"deepseek": true, "copilot": true, "untitled": true, "无标题": true, "無題": true,
	"new tab": true, "home": true, "index": true, "x": true, "twitter": true,
}

// IsPlaceholderTitle reports whether a title names no page: a chat app
// ("ChatGPT", "Claude"), "Untitled" (with a number or not), or a bare file
// name like "introduction.html".
func IsPlaceholderTitle(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return true
	}
	t = strings.TrimRight(strings.TrimRight(t, "0123456789"), " ")
	if placeholders[t] {
		return true
	}
	if i := strings.LastIndexByte(t, '.'); i > 0 && !strings.ContainsAny(t, " /") {
		switch t[i+1:] {
		case "html", "htm", "php", "asp", "aspx", "md", "txt":
			return true
		}
	}
	return false
}

// FirstHeading returns the text of the first heading of a Markdown body,
// or "" when it has none.
func FirstHeading(markdown []byte) string {
	var h string
	walk(markdown, func(b block) bool {
		if b.kind == blockHeading && hasLetter(b.text) {
			h = b.text
			return false
		}
		return true
	})
	return h
}
