// Package vault reads an Obsidian vault of web clippings into *digest.Clip
// values.
//
// A note is a *.md file under the vault's folder; dot-folders (.obsidian)
// and the folders a build is told to leave out are not walked, a symbolic
// link to a file is followed and one to a folder is not. Its frontmatter is
// the YAML between a "---" line at the start of the file (after a BOM or
// blank lines) and the next "---" line; the rest is the Markdown body. The
// frontmatter is read with go-yaml; YAML broken in the ways web clippers
// break it (unknown escapes in double quotes, repeated keys, plain
// "key: value" lines) is read leniently, and the Clip says so. The fields
// read are title, source (or url), author, description, tags and the
// clipping's date (created, clipped, timestamp, date_saved, saved or date,
// else the file's time); Parse documents their forms.
//
// A note's tags are those of its frontmatter tags (a list, or items packing
// several tags, split as digest.SplitTags splits them) and the #tags of its
// body the way Obsidian finds them: not in code as goldmark parses it, nor
// in comments, link destinations or wikilinks.
//
// Walk reads a vault over an fs.FS, several files at a time. A byte
// pre-filter spares parsing the notes that cannot match the configured
// tags: most of them, in a large vault.
//
// A vault is not trusted. A frontmatter over MaxFrontmatter bytes, or
// nesting collections deeper than MaxDepth (a YAML parser's cost grows with
// the square of the nesting), is not parsed; nor is a body nesting
// containers deeper than MaxMarkdownDepth or leaving many links open, for
// goldmark's sake; a note over MaxFileSize is read
// in part; only regular files are read: DirFS opens without blocking, and
// Walk checks the type of what it opened. Each file skipped or read in part,
// and each field not read (a tags map, a date that does not parse or lies
// in the future), says why, as path:line: reason (Result.Err,
// Result.Warning, Clip.Problems).
package vault
