// Package text turns the Markdown of a clipping into what a reader sees of
// it: plain text, an excerpt an editor would sign (a judged description or
// the first real paragraph, cut at a sentence end), a cleaned title, a
// byline without placeholders, a reading time of the prose, and the
// language it is written in.
//
// It reads Markdown as Obsidian shows it (wikilinks, embeds, highlights,
// callouts, comments, math) and is a leaf: it knows nothing of clippings,
// issues or mail, so the vault, the issue and the email all call it.
package text
