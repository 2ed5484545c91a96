// Package text turns the Markdown of a clipping into what a reader sees of
// it: plain text, an excerpt cut by display width, a reading time.
//
// It reads Markdown as Obsidian shows it (wikilinks, embeds, highlights,
// callouts, comments, math) and is a leaf: it knows nothing of clippings,
// issues or mail, so the vault, the issue and the email all call it.
package text
