package text

import (
	"regexp"
	"strings"
	"unicode"
)

// notNames are what clippers write as an author that names nobody:
// placeholders, roles and the navigation labels of a page.
var notNames = map[string]bool{
	"unknown": true, "admin": true, "administrator": true, "anonymous": true, "null": true,
	"none": true, "n/a": true, "author": true, "editor": true, "guest": true, "user": true,
	"root": true, "staff": true, "webmaster": true, "未知": true, "匿名": true, "不明": true,
	"home": true, "menu": true, "sign in": true, "sign up": true, "log in": true, "login": true,
	"subscribe": true, "share": true, "follow": true, "search": true, "skip to content": true,
	"about": true, "contact": true, "more": true, "profile": true, "view profile": true,
	"read more": true, "follow us": true, "newsletter": true, "close": true, "open menu": true,
}

var email = regexp.MustCompile(`\S+@\S+\.[A-Za-z]{2,}`)

// Author returns name as a byline shows it, or "" when it names nobody: a
// URL or an e-mail address, a placeholder ("unknown", "admin"), a
// navigation label, or the site itself (site is the host shown beside it,
// "dev.to", so that it is not shown twice). Of "yamory | 脆弱性管理クラウド"
// it keeps the name before the bar.
func Author(name, site string) string {
	name = strings.TrimSpace(name)
	if i := strings.Index(name, " | "); i > 0 {
		name = strings.TrimSpace(name[:i])
	}
	low := strings.ToLower(strings.Trim(name, "[]"))
	switch {
	case name == "",
		strings.Contains(low, "://"), strings.HasPrefix(low, "www."),
		email.MatchString(name) && !strings.HasPrefix(name, "@"),
		notNames[low], !hasLetter(name):
		return ""
	}
	if site != "" {
		host := strings.ToLower(site)
		label := host
		if i := strings.LastIndexByte(label, '.'); i > 0 {
			label = label[:i] // zenn.dev → zenn, en.wikipedia.org → en.wikipedia
		}
		if i := strings.LastIndexByte(label, '.'); i >= 0 {
			label = label[i+1:] // en.wikipedia → wikipedia
		}
		bare := strings.ReplaceAll(low, " ", "")
		if bare == host || bare == label {
			return ""
		}
	}
	return name
}

// Host returns the host of a page as a byline shows it, without "www.",
// or "" when it is not a host name a reader would recognise (no dot, an
// address, a bare top-level domain).
func Host(hostname string) string {
	h := strings.ToLower(strings.TrimSuffix(hostname, "."))
	h = strings.TrimPrefix(h, "www.")
	if !strings.Contains(h, ".") || strings.HasPrefix(h, ".") {
		return ""
	}
	for _, r := range h {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.') {
			return ""
		}
	}
	return h
}
