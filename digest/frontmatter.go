package digest

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// SplitFrontmatter cuts a note into its YAML frontmatter and Markdown body.
// The frontmatter sits between a `---` line at the start of the file and the
// first `---` line after it; a UTF-8 BOM, blank lines before the opening line,
// CRLF line ends and trailing spaces on the `---` lines are tolerated, and
// later `---` rules belong to the body. frontLine and bodyLine are the 1-based
// lines of the file where front and body start. Without frontmatter ok is
// false and body is the whole file after any BOM. front and body share data's
// memory.
func SplitFrontmatter(data []byte) (front []byte, frontLine int, body []byte, bodyLine int, ok bool) {
	data = bytes.TrimPrefix(data, fmBOM)
	line := 1
	pos := 0
	// Skip blank lines before the opening fence.
	for {
		l, next := fmNextLine(data, pos)
		if next == pos { // end of data
			return nil, 0, data, 1, false
		}
		if len(bytes.TrimSpace(l)) != 0 {
			break
		}
		pos = next
		line++
	}
	l, next := fmNextLine(data, pos)
	if !fmIsFence(l) {
		return nil, 0, data, 1, false
	}
	frontStart, frontLine := next, line+1
	pos, line = next, line+1
	for pos < len(data) {
		l, next := fmNextLine(data, pos)
		if fmIsFence(l) {
			return data[frontStart:pos], frontLine, data[next:], line + 1, true
		}
		pos = next
		line++
	}
	return nil, 0, data, 1, false
}

var fmBOM = []byte("\uFEFF")

// fmNextLine returns the line starting at pos without its line end, and the
// position after its line end; next == pos only at the end of data.
func fmNextLine(data []byte, pos int) (line []byte, next int) {
	if pos >= len(data) {
		return nil, pos
	}
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return data[pos:], len(data)
	}
	return data[pos : pos+i], pos + i + 1
}

// fmIsFence reports whether a line is `---`, allowing trailing spaces, tabs and
// a CR.
func fmIsFence(l []byte) bool {
	if len(l) < 3 || l[0] != '-' || l[1] != '-' || l[2] != '-' {
		return false
	}
	for _, c := range l[3:] {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// An fmValue is a frontmatter value reduced to what the newsletter reads:
// nothing (null or absent), a scalar's text, or a list of scalars' texts.
type fmValue struct {
	str    string   // a scalar's text
	list   []string // a list's non-empty scalars
	isList bool
}

func (v fmValue) text() string { return v.str }

// items is a list's scalars, or the one non-empty scalar.
func (v fmValue) items() []string {
	if v.isList || v.str == "" {
		return v.list
	}
	return []string{v.str}
}

// The frontmatter keys the newsletter reads.
const (
	fmTitle = iota
	fmSource
	fmURL
	fmAuthor
	fmDescription
	fmTags
	fmCreated
	fmClipped
	fmTimestamp
	fmDateSaved
	fmSaved
	fmDate
	fmNKeys
)

// fmKeyNames are the keys, indexed by the constants above.
var fmKeyNames = [fmNKeys]string{"title", "source", "url", "author", "description", "tags",
	"created", "clipped", "timestamp", "date_saved", "saved", "date"}

// fmFields are the frontmatter values of the keys the newsletter reads.
type fmFields [fmNKeys]fmValue

// set records the value of key k, matched case-insensitively; a repeated key
// replaces the earlier one.
func (f *fmFields) set(k string, v fmValue) {
	for i, name := range fmKeyNames {
		if k == name || strings.EqualFold(k, name) {
			f[i] = v
			return
		}
	}
}

// fmRead reads frontmatter as strict YAML: the common simple shapes
// directly, anything else with go-yaml. The error's Line and Col are in
// frontmatter coordinates (1-based, Col in runes, as go-yaml counts).
func fmRead(front []byte) (*fmFields, *ParseError) {
	if f, ok := fmReadSimple(front); ok {
		return f, nil
	}
	return fmReadYAML(front, false)
}

// fmReadSimple reads frontmatter written in the plain shape web clippers use:
// top-level `key: value` lines whose values are plain, single-quoted or
// escape-free double-quoted scalars on one line, one-line flow lists of plain
// scalars, or block lists of such scalars. It reports false for anything
// else (block scalars, anchors, escapes, nesting, repeated keys, …), which
// go-yaml then reads; on what it accepts it gives go-yaml's result, several
// times faster.
func fmReadSimple(front []byte) (*fmFields, bool) {
	if !utf8.Valid(front) {
		return nil, false
	}
	f := new(fmFields)
	var (
		seen    [32]string // keys so far, to leave repeated keys to go-yaml
		nseen   int
		cur     = -1 // index in f of the key whose list is open, or fmNKeys for an unread key
		listOK  bool // the current key's value is empty, so list items may follow
		indent  = -1 // indentation of the open list's items
		pending fmValue
	)
	flush := func() {
		if cur >= 0 && cur < fmNKeys {
			f[cur] = pending
		}
		cur, listOK, indent, pending = -1, false, -1, fmValue{}
	}
	for pos := 0; pos < len(front); {
		l, next := fmNextLine(front, pos)
		pos = next
		l = bytes.TrimRight(l, " \r")
		if len(l) == 0 {
			continue
		}
		ind := 0
		for ind < len(l) && l[ind] == ' ' {
			ind++
		}
		t := l[ind:]
		switch {
		case bytes.IndexByte(l, '\t') >= 0 || fmHasControl(l):
			return nil, false
		case t[0] == '#':
			continue
		case t[0] == '-' && (len(t) == 1 || t[1] == ' '):
			if !listOK || indent >= 0 && ind != indent {
				return nil, false
			}
			indent = ind
			pending.isList = true
			s, null, ok := fmSimpleScalar(bytes.TrimLeft(t[1:], " "))
			if !ok {
				return nil, false
			}
			if !null && s != "" {
				pending.list = append(pending.list, s)
			}
			continue
		case ind > 0:
			return nil, false
		}
		flush()
		k, rest, ok := fmSimpleKey(t)
		if !ok || nseen == len(seen) {
			return nil, false
		}
		for _, s := range seen[:nseen] {
			if s == k {
				return nil, false
			}
		}
		seen[nseen] = k
		nseen++
		cur = fmNKeys
		for i, name := range fmKeyNames {
			if k == name || strings.EqualFold(k, name) {
				cur = i
				break
			}
		}
		if len(rest) == 0 {
			listOK = true
			continue
		}
		if rest[0] == '[' {
			list, ok := fmSimpleFlowList(rest)
			if !ok {
				return nil, false
			}
			pending = fmValue{list: list, isList: true}
			continue
		}
		s, _, ok := fmSimpleScalar(rest)
		if !ok {
			return nil, false
		}
		pending.str = s
	}
	flush()
	return f, true
}

// fmHasControl reports whether l holds a C0 or C1 control character, DEL or a
// BOM, which YAML does not allow or treats specially.
func fmHasControl(l []byte) bool {
	for i, c := range l {
		switch {
		case c < 0x20 && c != '\t', c == 0x7F:
			return true
		case c == 0xC2 && i+1 < len(l) && l[i+1] >= 0x80 && l[i+1] <= 0x9F:
			return true
		case c == 0xEF && i+2 < len(l) && l[i+1] == 0xBB && l[i+2] == 0xBF:
			return true
		}
	}
	return false
}

// fmSimpleKey splits a top-level `key: rest` line, the key plain or quoted
// without escapes; rest is trimmed.
func fmSimpleKey(t []byte) (key string, rest []byte, ok bool) {
	var k []byte
	switch t[0] {
	case '"', '\'':
		j := bytes.IndexByte(t[1:], t[0])
		if j < 0 {
			return "", nil, false
		}
		k, t = t[1:1+j], t[2+j:]
		if bytes.IndexByte(k, '\\') >= 0 || bytes.IndexByte(k, '"') >= 0 || bytes.IndexByte(k, '\'') >= 0 || len(t) == 0 || t[0] != ':' {
			return "", nil, false
		}
		t = t[1:]
	default:
		if fmIsIndicator(t[0]) || t[0] == '<' {
			return "", nil, false
		}
		j := bytes.IndexByte(t, ':')
		for j >= 0 && j+1 < len(t) && t[j+1] != ' ' {
			n := bytes.IndexByte(t[j+1:], ':')
			if n < 0 {
				j = -1
				break
			}
			j += 1 + n
		}
		if j <= 0 {
			return "", nil, false
		}
		k, t = t[:j], t[j+1:]
		if k[len(k)-1] == ' ' || bytes.Contains(k, []byte(" #")) {
			return "", nil, false
		}
	}
	if len(t) > 0 && t[0] != ' ' {
		return "", nil, false
	}
	return string(k), bytes.TrimLeft(t, " "), true
}

// fmIsIndicator reports whether c cannot start a plain YAML scalar (or makes
// it ambiguous enough to leave to go-yaml).
func fmIsIndicator(c byte) bool {
	return strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", c) >= 0
}

// fmSimpleScalar reads a one-line scalar: plain, single-quoted, or
// double-quoted without escapes. null is set for an empty value, ~ and null.
func fmSimpleScalar(v []byte) (s string, null bool, ok bool) {
	if len(v) == 0 {
		return "", true, true
	}
	switch v[0] {
	case '"':
		if len(v) < 2 || v[len(v)-1] != '"' {
			return "", false, false
		}
		in := v[1 : len(v)-1]
		if bytes.IndexByte(in, '"') >= 0 || bytes.IndexByte(in, '\\') >= 0 {
			return "", false, false
		}
		return string(in), false, true
	case '\'':
		if len(v) < 2 || v[len(v)-1] != '\'' {
			return "", false, false
		}
		in := v[1 : len(v)-1]
		if bytes.IndexByte(in, '\'') < 0 {
			return string(in), false, true
		}
		for i := 0; i < len(in); i++ {
			if in[i] == '\'' {
				if i+1 >= len(in) || in[i+1] != '\'' {
					return "", false, false
				}
				i++
			}
		}
		return strings.ReplaceAll(string(in), "''", "'"), false, true
	}
	if fmIsIndicator(v[0]) || !fmPlainSafe(v) {
		return "", false, false
	}
	switch string(v) {
	case "~", "null", "Null", "NULL":
		return "", true, true
	}
	return string(v), false, true
}

// fmPlainSafe reports whether v can be a plain scalar in block context
// without ending early: no ": ", no " #" comment, no ':' at its end.
func fmPlainSafe(v []byte) bool {
	if v[len(v)-1] == ':' || bytes.Contains(v, []byte(": ")) || bytes.Contains(v, []byte(" #")) {
		return false
	}
	return true
}

// fmSimpleFlowList reads a one-line flow list of plain scalars, `[a, b]`.
func fmSimpleFlowList(v []byte) ([]string, bool) {
	if v[len(v)-1] != ']' {
		return nil, false
	}
	in := v[1 : len(v)-1]
	if bytes.ContainsAny(in, "[]{}#:\"'&*!|>%@`?") {
		return nil, false
	}
	var list []string
	n := bytes.Count(in, []byte(","))
	for i := 0; i <= n; i++ {
		item := in
		if j := bytes.IndexByte(in, ','); j >= 0 {
			item, in = in[:j], in[j+1:]
		}
		item = bytes.Trim(item, " ")
		if len(item) == 0 {
			if i == n && n > 0 {
				break // a trailing comma
			}
			if n == 0 {
				return list, true // []
			}
			return nil, false
		}
		if item[0] == '-' || item[0] == ',' {
			return nil, false
		}
		switch string(item) {
		case "~", "null", "Null", "NULL":
			continue
		}
		list = append(list, string(item))
	}
	return list, true
}

// fmReadYAML reads frontmatter with go-yaml; lenient allows repeated keys, the
// last one winning.
func fmReadYAML(front []byte, lenient bool) (f *fmFields, perr *ParseError) {
	defer func() {
		if r := recover(); r != nil { // go-yaml has panicked on odd input before
			f, perr = nil, &ParseError{Msg: "invalid frontmatter"}
		}
	}()
	var opts []parser.Option
	if lenient {
		opts = append(opts, parser.AllowDuplicateMapKey())
	}
	file, err := parser.ParseBytes(front, 0, opts...)
	if err != nil {
		return nil, fmYAMLError(err)
	}
	f = new(fmFields)
	if len(file.Docs) == 0 || file.Docs[0] == nil {
		return f, nil
	}
	r := fmReader{anchors: map[string]ast.Node{}}
	r.collectAnchors(file.Docs[0].Body, 0)
	switch m := fmUnwrap(file.Docs[0].Body).(type) {
	case *ast.MappingNode:
		for _, kv := range m.Values {
			r.keyValue(f, kv)
		}
	case *ast.MappingValueNode:
		r.keyValue(f, m)
	}
	return f, nil
}

// fmYAMLError turns a go-yaml error into a ParseError without calling its
// Error method, which can panic on a nil token.
func fmYAMLError(err error) *ParseError {
	type yamlErr interface {
		GetToken() *token.Token
		GetMessage() string
	}
	ye, ok := err.(yamlErr)
	if !ok {
		return &ParseError{Msg: "invalid frontmatter"}
	}
	msg := ye.GetMessage()
	if k, ok := strings.CutPrefix(msg, "mapping key "); ok {
		if i := strings.Index(k, " already defined at ["); i >= 0 {
			msg = "duplicate key " + k[:i]
		}
	}
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ".")
	if msg == "" {
		msg = "invalid frontmatter"
	} else if r, size := utf8.DecodeRuneInString(msg); r < utf8.RuneSelf && unicode.IsUpper(r) && !(len(msg) > size && unicode.IsUpper(rune(msg[size]))) {
		msg = string(unicode.ToLower(r)) + msg[size:]
	}
	pe := &ParseError{Msg: msg}
	if tk := ye.GetToken(); tk != nil && tk.Position != nil {
		pe.Line, pe.Col = tk.Position.Line, tk.Position.Column
	}
	return pe
}

// fmFileCoord converts a frontmatter position (1-based line, rune column) to
// the file's line and byte column, clamped to the frontmatter.
func fmFileCoord(front []byte, frontLine, line, col int) (int, int) {
	if line <= 0 {
		return frontLine - 1, 0 // the opening "---"
	}
	pos := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(front[pos:], '\n')
		if i < 0 {
			break
		}
		pos += i + 1
		if pos == len(front) {
			return frontLine + l - 1, 0
		}
	}
	text, _ := fmNextLine(front, pos)
	text = bytes.TrimSuffix(text, []byte("\r"))
	l := frontLine + bytes.Count(front[:pos], []byte("\n"))
	if col <= 0 {
		return l, 0
	}
	b := 0
	for n := 1; n < col && b < len(text); n++ {
		_, size := utf8.DecodeRune(text[b:])
		b += size
	}
	return l, b + 1
}

// fmReader turns go-yaml nodes into values, resolving aliases.
type fmReader struct {
	anchors map[string]ast.Node
}

// collectAnchors records the anchors under n, for aliases to find.
func (r *fmReader) collectAnchors(n ast.Node, depth int) {
	if n == nil || depth > 8 {
		return
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		if n.Name != nil {
			r.anchors[n.Name.GetToken().Value] = n.Value
		}
		r.collectAnchors(n.Value, depth+1)
	case *ast.MappingNode:
		for _, kv := range n.Values {
			r.collectAnchors(kv.Value, depth+1)
		}
	case *ast.MappingValueNode:
		r.collectAnchors(n.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			r.collectAnchors(v, depth+1)
		}
	case *ast.TagNode:
		r.collectAnchors(n.Value, depth+1)
	}
}

func (r *fmReader) keyValue(f *fmFields, kv *ast.MappingValueNode) {
	if kv == nil || kv.Key == nil {
		return
	}
	var k string
	switch key := kv.Key.(type) {
	case *ast.StringNode:
		k = key.Value
	case *ast.MappingKeyNode:
		if s, ok := fmUnwrap(key.Value).(*ast.StringNode); ok {
			k = s.Value
		}
	default:
		if tk := kv.Key.GetToken(); tk != nil {
			k = tk.Value
		}
	}
	if k == "" {
		return
	}
	f.set(k, r.value(kv.Value))
}

func (r *fmReader) value(n ast.Node) fmValue {
	n = r.resolve(n)
	if s, ok := r.scalar(n); ok {
		return fmValue{str: s}
	}
	v := fmValue{isList: true}
	if seq, ok := n.(*ast.SequenceNode); ok {
		r.flatten(&v, seq, 0)
	}
	return v
}

// flatten appends the non-empty scalars of seq, and of lists nested in it.
func (r *fmReader) flatten(v *fmValue, seq *ast.SequenceNode, depth int) {
	for _, e := range seq.Values {
		e = r.resolve(e)
		if s, ok := r.scalar(e); ok {
			if s != "" {
				v.list = append(v.list, s)
			}
		} else if sub, ok := e.(*ast.SequenceNode); ok && depth < 4 {
			r.flatten(v, sub, depth+1)
		}
	}
}

// resolve strips anchors and tags and follows aliases.
func (r *fmReader) resolve(n ast.Node) ast.Node {
	for i := 0; i < 8 && n != nil; i++ {
		switch m := n.(type) {
		case *ast.AnchorNode:
			n = m.Value
		case *ast.TagNode:
			n = m.Value
		case *ast.AliasNode:
			if m.Value == nil {
				return nil
			}
			n = r.anchors[m.Value.GetToken().Value]
		default:
			return n
		}
	}
	return n
}

// scalar returns the text of a scalar node: the decoded string, or a
// number's or boolean's literal text. Null is "".
func (r *fmReader) scalar(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return n.Value, true
	case *ast.LiteralNode:
		if n.Value == nil {
			return "", true
		}
		return n.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, true
		}
		return "", true
	}
	return "", false
}

func fmUnwrap(n ast.Node) ast.Node {
	for i := 0; i < 8; i++ {
		switch m := n.(type) {
		case *ast.AnchorNode:
			n = m.Value
		case *ast.TagNode:
			n = m.Value
		default:
			return n
		}
	}
	return n
}

// fmReadLenient reads frontmatter that is not valid YAML: first as YAML
// again, with the clipper's broken double-quoted lines repaired and repeated
// keys allowed, then as plain `key: value` lines.
func fmReadLenient(front []byte) (*fmFields, *ParseError) {
	if f, err := fmReadYAML(fmRepairQuoted(front), true); err == nil {
		return f, nil
	}
	return fmReadLines(front)
}

// fmRepairQuoted rewrites each line whose double-quoted value is not valid YAML
// (an unknown escape such as `\コ` or `\~`, or a `\\"` meant as a quote) as a
// valid double-quoted scalar running from the first to the last '"' of the
// line. Unknown escapes keep their backslash.
func fmRepairQuoted(front []byte) []byte {
	var out []byte
	pos := 0
	for pos < len(front) {
		l, next := fmNextLine(front, pos)
		if fixed, ok := fmRepairLine(l); ok {
			if out == nil {
				out = append(make([]byte, 0, len(front)+16), front[:pos]...)
			}
			out = append(out, fixed...)
			out = append(out, front[pos+len(l):next]...)
		} else if out != nil {
			out = append(out, front[pos:next]...)
		}
		pos = next
	}
	if out == nil {
		return front
	}
	return out
}

// fmRepairLine returns l repaired, or false when it needs no repair.
func fmRepairLine(l []byte) ([]byte, bool) {
	trimmed := bytes.TrimRight(l, " \t\r")
	q := fmQuoteStart(trimmed)
	if q < 0 || len(trimmed)-q < 2 || trimmed[len(trimmed)-1] != '"' {
		return nil, false
	}
	if fmValidDoubleQuoted(trimmed[q:]) {
		return nil, false
	}
	s := fmUnquoteDouble(trimmed[q+1 : len(trimmed)-1])
	fixed := append([]byte(nil), trimmed[:q]...)
	fixed = strconv.AppendQuote(fixed, s)
	return append(fixed, l[len(trimmed):]...), true
}

// fmQuoteStart returns the index of the '"' opening the value of a `key: "…"`
// or `- "…"` line, or -1.
func fmQuoteStart(l []byte) int {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	if i+1 < len(l) && l[i] == '-' && l[i+1] == ' ' {
		i += 2
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i < len(l) && l[i] == '"' {
			return i
		}
		return -1
	}
	j := bytes.Index(l[i:], []byte(": "))
	if j < 0 {
		return -1
	}
	i += j + 2
	for i < len(l) && l[i] == ' ' {
		i++
	}
	if i < len(l) && l[i] == '"' {
		return i
	}
	return -1
}

// fmValidDoubleQuoted reports whether s, starting with '"', is one valid YAML
// double-quoted scalar followed by nothing but an optional comment.
func fmValidDoubleQuoted(s []byte) bool {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return false
			}
			n := fmEscapeLen(s[i+1:])
			if n == 0 {
				return false
			}
			i += n
		case '"':
			rest := bytes.TrimLeft(s[i+1:], " \t")
			return len(rest) == 0 || rest[0] == '#' && i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t')
		}
	}
	return false
}

// fmEscapeLen returns how many bytes after a backslash form a valid YAML
// escape, or 0.
func fmEscapeLen(b []byte) int {
	switch b[0] {
	case '0', 'a', 'b', 't', '\t', 'n', 'v', 'f', 'r', 'e', ' ', '"', '/', '\\', 'N', '_', 'L', 'P':
		return 1
	case 'x':
		return fmHexEscape(b, 2)
	case 'u':
		return fmHexEscape(b, 4)
	case 'U':
		return fmHexEscape(b, 8)
	}
	return 0
}

func fmHexEscape(b []byte, n int) int {
	if len(b) < 1+n {
		return 0
	}
	for _, c := range b[1 : 1+n] {
		if !fmIsHex(c) {
			return 0
		}
	}
	return 1 + n
}

func fmIsHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

// fmUnquoteDouble decodes the inside of a broken double-quoted scalar: valid
// escapes are decoded, `\\"` is a quote, an unknown escape keeps its
// backslash, and a bare '"' is itself.
func fmUnquoteDouble(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			sb.WriteByte(c)
			continue
		}
		if b[i+1] == '\\' && i+2 < len(b) && b[i+2] == '"' {
			sb.WriteByte('"')
			i += 2
			continue
		}
		n := fmEscapeLen(b[i+1:])
		if n == 0 {
			sb.WriteByte('\\')
			continue
		}
		if s, err := strconv.Unquote(`"` + fmGoEscape(b[i:i+1+n]) + `"`); err == nil {
			sb.WriteString(s)
		} else {
			sb.Write(b[i : i+1+n])
		}
		i += n
	}
	return sb.String()
}

// fmGoEscape maps a YAML escape to the Go escape with the same meaning.
func fmGoEscape(e []byte) string {
	switch e[1] {
	case '0':
		return `\x00`
	case 'e':
		return `\x1b`
	case ' ':
		return " "
	case '\t':
		return "\t"
	case '/':
		return "/"
	case 'N':
		return `\u0085`
	case '_':
		return `\u00a0`
	case 'L':
		return `\u2028`
	case 'P':
		return `\u2029`
	}
	return string(e)
}

// fmReadLines is the last resort for frontmatter that is not YAML: top-level
// `key: value` lines, `- item` lists under a key, indented continuation
// lines, and `|`/`>` block scalars. Any other line makes it fail, reporting
// that line.
func fmReadLines(front []byte) (*fmFields, *ParseError) {
	f := new(fmFields)
	var (
		key    string // the key whose value continues on the following lines
		val    fmValue
		block  bool // val is a block scalar
		quoted bool // val is a quoted scalar: no continuation lines
	)
	flush := func() {
		if key != "" {
			val.str = strings.TrimSpace(val.str)
			f.set(key, val)
		}
		key, val, block, quoted = "", fmValue{}, false, false
	}
	line := 0
	for pos := 0; pos < len(front); {
		l, next := fmNextLine(front, pos)
		pos = next
		line++
		l = bytes.TrimRight(l, " \t\r")
		t := bytes.TrimLeft(l, " \t")
		indented := len(t) < len(l)
		switch {
		case len(t) == 0 || t[0] == '#' && !indented:
			if block && val.str != "" {
				val.str += "\n"
			}
		case key != "" && (t[0] == '-' && (len(t) == 1 || t[1] == ' ')) && !block && (val.isList || val.str == ""):
			val.isList = true
			if item := fmUnquote(bytes.TrimLeft(t[1:], " ")); item != "" {
				val.list = append(val.list, item)
			}
		case indented && key != "" && !val.isList && !quoted:
			sep := " "
			if block {
				sep = "\n"
			}
			if val.str == "" {
				val.str = string(t)
			} else {
				val.str += sep + string(t)
			}
		case !indented:
			k, v, ok := fmSplitKeyValue(t)
			if !ok {
				return nil, &ParseError{Line: line, Col: 1, Msg: "not a key: value line"}
			}
			flush()
			key = k
			switch {
			case len(v) == 0:
			case v[0] == '|' || v[0] == '>':
				block = true
			case v[0] == '[' || v[0] == '{':
				if v[0] != '[' || v[len(v)-1] != ']' {
					return nil, &ParseError{Line: line, Col: 1, Msg: "unsupported flow value"}
				}
				val.isList = true
				for _, item := range bytes.Split(v[1:len(v)-1], []byte(",")) {
					if s := fmUnquote(bytes.TrimSpace(item)); s != "" {
						val.list = append(val.list, s)
					}
				}
			case (v[0] == '"' || v[0] == '\'') && (len(v) < 2 || v[len(v)-1] != v[0]):
				return nil, &ParseError{Line: line, Col: 1, Msg: "unclosed quote"}
			default:
				val.str = fmUnquote(v)
				quoted = v[0] == '"' || v[0] == '\''
			}
		default:
			return nil, &ParseError{Line: line, Col: 1, Msg: "not a key: value line"}
		}
	}
	flush()
	return f, nil
}

// fmSplitKeyValue splits a `key: value` line; the key may be quoted.
func fmSplitKeyValue(l []byte) (key string, v []byte, ok bool) {
	var k []byte
	switch l[0] {
	case '"', '\'':
		j := bytes.IndexByte(l[1:], l[0])
		if j < 0 {
			return "", nil, false
		}
		k, l = l[1:1+j], l[2+j:]
		if len(l) == 0 || l[0] != ':' {
			return "", nil, false
		}
		l = l[1:]
	default:
		j := bytes.Index(l, []byte(": "))
		if j < 0 {
			if l[len(l)-1] != ':' {
				return "", nil, false
			}
			j = len(l) - 1
		}
		k, l = bytes.TrimRight(l[:j], " \t"), l[j+1:]
	}
	if len(k) == 0 || len(l) > 0 && l[0] != ' ' && l[0] != '\t' {
		return "", nil, false
	}
	return string(k), bytes.TrimSpace(l), true
}

// fmUnquote strips the quotes of a quoted value, decoding escapes
// leniently, and returns plain values as they are.
func fmUnquote(v []byte) string {
	switch {
	case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
		return fmUnquoteDouble(v[1 : len(v)-1])
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return strings.ReplaceAll(string(v[1:len(v)-1]), "''", "'")
	case len(v) > 0 && (v[0] == '~' && len(v) == 1 || string(v) == "null"):
		return ""
	}
	return string(v)
}
