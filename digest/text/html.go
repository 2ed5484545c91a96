package text

import (
	"bytes"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdownHTML renders Markdown the way Obsidian shows it, in goldmark's safe
// mode: raw HTML is left out and links to javascript: and the like dropped.
var markdownHTML = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, extension.CJK))
})

// HTML renders markdown (the editor's note of an issue) as HTML, safely.
func HTML(markdown string) string {
	var b bytes.Buffer
	if err := markdownHTML().Convert([]byte(markdown), &b); err != nil {
		return ""
	}
	return b.String()
}
