package vault

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/digest-newsletter/digest/digest"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
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
	data = bytes.TrimPrefix(data, bom)
	line := 1
	pos := 0
	// Skip blank lines before the opening fence.
	for {
		l, next := nextLine(data, pos)
		if next == pos { // end of data
			return nil, 0, data, 1, false
		}
		if len(bytes.TrimSpace(l)) != 0 {
			break
		}
		pos = next
		line++
	}
	l, next := nextLine(data, pos)
	if !isFence(l) {
		return nil, 0, data, 1, false
	}
	frontStart, frontLine := next, line+1
	pos, line = next, line+1
	for pos < len(data) {
		l, next := nextLine(data, pos)
		if isFence(l) {
			return data[frontStart:pos], frontLine, data[next:], line + 1, true
		}
		pos = next
		line++
	}
	return nil, 0, data, 1, false
}

var bom = []byte("\uFEFF")

// nextLine returns the line starting at pos without its line end, and the
// position after its line end; next == pos only at the end of data.
func nextLine(data []byte, pos int) (line []byte, next int) {
	if pos >= len(data) {
		return nil, pos
	}
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return data[pos:], len(data)
	}
	return data[pos : pos+i], pos + i + 1
}

// isFence reports whether a line is `---`, allowing trailing spaces, tabs and
// a CR.
func isFence(l []byte) bool {
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

// An value is a frontmatter value reduced to what the newsletter reads:
// nothing (null or absent), a scalar's text, or a list of scalars' texts.
type value struct {
	str    string   // a scalar's text
	list   []string // a list's non-empty scalars
	isList bool
	line   int    // of the frontmatter (1-based) where the value is, 0 when unknown
	odd    string // what the value is when it is neither a scalar nor a list ("a map"): not read
}

func (v value) text() string { return v.str }

// items is a list's scalars, or the one non-empty scalar.
func (v value) items() []string {
	if v.isList || v.str == "" {
		return v.list
	}
	return []string{v.str}
}

// The frontmatter keys the newsletter reads.
const (
	keyTitle = iota
	keySource
	keyURL
	keyAuthor
	keyDescription
	keyTags
	keyCreated
	keyClipped
	keyTimestamp
	keyDateSaved
	keySaved
	keyDate
	keyDigest
	keySubject
	nKeys
)

// keyNames are the keys, indexed by the constants above.
var keyNames = [nKeys]string{"title", "source", "url", "author", "description", "tags",
	"created", "clipped", "timestamp", "date_saved", "saved", "date", "digest", "subject"}

// fields are the frontmatter values of the keys the newsletter reads.
type fields [nKeys]value

// set records the value of key k, matched case-insensitively; a repeated key
// replaces the earlier one.
func (f *fields) set(k string, v value) {
	for i, name := range keyNames {
		if k == name || strings.EqualFold(k, name) {
			f[i] = v
			return
		}
	}
}

// readYAML reads frontmatter with go-yaml; lenient allows repeated keys, the
// last one winning.
func readYAML(front []byte, lenient bool) (f *fields, perr *digest.ParseError) {
	defer func() {
		if r := recover(); r != nil { // go-yaml has panicked on odd input before
			f, perr = nil, &digest.ParseError{Msg: "invalid frontmatter"}
		}
	}()
	var opts []parser.Option
	if lenient {
		opts = append(opts, parser.AllowDuplicateMapKey())
	}
	tks := lexer.Tokenize(string(front))
	if tk, deep := tooDeep(tks); deep {
		return nil, &digest.ParseError{Line: tk.Position.Line, Col: tk.Position.Column, Msg: msgTooDeep}
	}
	file, err := parser.Parse(tks, 0, opts...)
	if err != nil {
		return nil, yamlError(err)
	}
	f = new(fields)
	if len(file.Docs) == 0 || file.Docs[0] == nil {
		return f, nil
	}
	r := yamlReader{anchors: map[string]ast.Node{}}
	r.collectAnchors(file.Docs[0].Body, 0)
	switch m := unwrap(file.Docs[0].Body).(type) {
	case *ast.MappingNode:
		for _, kv := range m.Values {
			r.keyValue(f, kv)
		}
	case *ast.MappingValueNode:
		r.keyValue(f, m)
	}
	return f, nil
}

// yamlError turns a go-yaml error into a ParseError without calling its
// Error method, which can panic on a nil token.
func yamlError(err error) *digest.ParseError {
	type yamlErr interface {
		GetToken() *token.Token
		GetMessage() string
	}
	ye, ok := err.(yamlErr)
	if !ok {
		return &digest.ParseError{Msg: "invalid frontmatter"}
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
	pe := &digest.ParseError{Msg: msg}
	if tk := ye.GetToken(); tk != nil && tk.Position != nil {
		pe.Line, pe.Col = tk.Position.Line, tk.Position.Column
	}
	return pe
}

// fileCoord converts a frontmatter position (1-based line, rune column) to
// the file's line and byte column, clamped to the frontmatter.
func fileCoord(front []byte, frontLine, line, col int) (int, int) {
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
	text, _ := nextLine(front, pos)
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

// yamlReader turns go-yaml nodes into values, resolving aliases.
type yamlReader struct {
	anchors map[string]ast.Node
}

// collectAnchors records the anchors under n, for aliases to find.
func (r *yamlReader) collectAnchors(n ast.Node, depth int) {
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

func (r *yamlReader) keyValue(f *fields, kv *ast.MappingValueNode) {
	if kv == nil || kv.Key == nil {
		return
	}
	var k string
	switch key := kv.Key.(type) {
	case *ast.StringNode:
		k = key.Value
	case *ast.MappingKeyNode:
		if s, ok := unwrap(key.Value).(*ast.StringNode); ok {
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
	v := r.value(kv.Value)
	if tk := kv.Key.GetToken(); tk != nil && tk.Position != nil {
		v.line = tk.Position.Line
	}
	f.set(k, v)
}

func (r *yamlReader) value(n ast.Node) value {
	if t, ok := n.(*ast.TagNode); ok && t.Start != nil && t.Start.Value == "!!set" {
		return value{odd: "a set (!!set)"}
	}
	n = r.resolve(n)
	if s, ok := r.scalar(n); ok {
		return value{str: s}
	}
	switch n := n.(type) {
	case *ast.SequenceNode:
		v := value{isList: true}
		r.flatten(&v, n, 0)
		return v
	case *ast.MappingNode, *ast.MappingValueNode:
		return value{odd: "a map"}
	}
	return value{odd: "not text or a list"}
}

// flatten appends the non-empty scalars of seq, and of lists nested in it.
func (r *yamlReader) flatten(v *value, seq *ast.SequenceNode, depth int) {
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
func (r *yamlReader) resolve(n ast.Node) ast.Node {
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
func (r *yamlReader) scalar(n ast.Node) (string, bool) {
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

func unwrap(n ast.Node) ast.Node {
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

// readLenient reads frontmatter that is not valid YAML: first as YAML
// again, with the clipper's broken double-quoted lines repaired and repeated
// keys allowed, then as plain `key: value` lines.
func readLenient(front []byte) (*fields, *digest.ParseError) {
	if f, err := readYAML(repairQuoted(front), true); err == nil {
		return f, nil
	}
	return readLines(front)
}

// repairQuoted rewrites each line whose double-quoted value is not valid YAML
// (an unknown escape such as `\コ` or `\~`, or a `\\"` meant as a quote) as a
// valid double-quoted scalar running from the first to the last '"' of the
// line. Unknown escapes keep their backslash.
func repairQuoted(front []byte) []byte {
	var out []byte
	pos := 0
	for pos < len(front) {
		l, next := nextLine(front, pos)
		if fixed, ok := repairLine(l); ok {
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

// repairLine returns l repaired, or false when it needs no repair.
func repairLine(l []byte) ([]byte, bool) {
	trimmed := bytes.TrimRight(l, " \t\r")
	q := quoteStart(trimmed)
	if q < 0 || len(trimmed)-q < 2 || trimmed[len(trimmed)-1] != '"' {
		return nil, false
	}
	if validDoubleQuoted(trimmed[q:]) {
		return nil, false
	}
	s := unquoteDouble(trimmed[q+1 : len(trimmed)-1])
	fixed := append([]byte(nil), trimmed[:q]...)
	fixed = strconv.AppendQuote(fixed, s)
	return append(fixed, l[len(trimmed):]...), true
}

// quoteStart returns the index of the '"' opening the value of a `key: "…"`
// or `- "…"` line, or -1.
func quoteStart(l []byte) int {
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

// validDoubleQuoted reports whether s, starting with '"', is one valid YAML
// double-quoted scalar followed by nothing but an optional comment.
func validDoubleQuoted(s []byte) bool {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return false
			}
			n := escapeLen(s[i+1:])
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

// escapeLen returns how many bytes after a backslash form a valid YAML
// escape, or 0.
func escapeLen(b []byte) int {
	switch b[0] {
	case '0', 'a', 'b', 't', '\t', 'n', 'v', 'f', 'r', 'e', ' ', '"', '/', '\\', 'N', '_', 'L', 'P':
		return 1
	case 'x':
		return hexEscape(b, 2)
	case 'u':
		return hexEscape(b, 4)
	case 'U':
		return hexEscape(b, 8)
	}
	return 0
}

func hexEscape(b []byte, n int) int {
	if len(b) < 1+n {
		return 0
	}
	for _, c := range b[1 : 1+n] {
		if !isHex(c) {
			return 0
		}
	}
	return 1 + n
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

// unquoteDouble decodes the inside of a broken double-quoted scalar: valid
// escapes are decoded, `\\"` is a quote, an unknown escape keeps its
// backslash, and a bare '"' is itself.
func unquoteDouble(b []byte) string {
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
		n := escapeLen(b[i+1:])
		if n == 0 {
			sb.WriteByte('\\')
			continue
		}
		if s, err := strconv.Unquote(`"` + goEscape(b[i:i+1+n]) + `"`); err == nil {
			sb.WriteString(s)
		} else {
			sb.Write(b[i : i+1+n])
		}
		i += n
	}
	return sb.String()
}

// goEscape maps a YAML escape to the Go escape with the same meaning.
func goEscape(e []byte) string {
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

// readLines is the last resort for frontmatter that is not YAML: top-level
// `key: value` lines, `- item` lists under a key, indented continuation
// lines, and `|`/`>` block scalars. Any other line makes it fail, reporting
// that line.
func readLines(front []byte) (*fields, *digest.ParseError) {
	f := new(fields)
	var (
		key    string // the key whose value continues on the following lines
		val    value
		block  bool // val is a block scalar
		quoted bool // val is a quoted scalar: no continuation lines
	)
	flush := func() {
		if key != "" {
			val.str = strings.TrimSpace(val.str)
			f.set(key, val)
		}
		key, val, block, quoted = "", value{}, false, false
	}
	line := 0
	for pos := 0; pos < len(front); {
		l, next := nextLine(front, pos)
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
			if item := unquote(bytes.TrimLeft(t[1:], " ")); item != "" {
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
			k, v, ok := splitKeyValue(t)
			if !ok {
				return nil, &digest.ParseError{Line: line, Col: 1, Msg: "not a key: value line"}
			}
			flush()
			key, val.line = k, line
			switch {
			case len(v) == 0:
			case v[0] == '|' || v[0] == '>':
				block = true
			case v[0] == '[' || v[0] == '{':
				if v[0] != '[' || v[len(v)-1] != ']' {
					return nil, &digest.ParseError{Line: line, Col: 1, Msg: "unsupported flow value"}
				}
				val.isList = true
				for _, item := range bytes.Split(v[1:len(v)-1], []byte(",")) {
					if s := unquote(bytes.TrimSpace(item)); s != "" {
						val.list = append(val.list, s)
					}
				}
			case (v[0] == '"' || v[0] == '\'') && (len(v) < 2 || v[len(v)-1] != v[0]):
				return nil, &digest.ParseError{Line: line, Col: 1, Msg: "unclosed quote"}
			default:
				val.str = unquote(v)
				quoted = v[0] == '"' || v[0] == '\''
			}
		default:
			return nil, &digest.ParseError{Line: line, Col: 1, Msg: "not a key: value line"}
		}
	}
	flush()
	return f, nil
}

// splitKeyValue splits a `key: value` line; the key may be quoted.
func splitKeyValue(l []byte) (key string, v []byte, ok bool) {
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

// unquote strips the quotes of a quoted value, decoding escapes
// leniently, and returns plain values as they are.
func unquote(v []byte) string {
	switch {
	case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
		return unquoteDouble(v[1 : len(v)-1])
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return strings.ReplaceAll(string(v[1:len(v)-1]), "''", "'")
	case len(v) > 0 && (v[0] == '~' && len(v) == 1 || string(v) == "null"):
		return ""
	}
	return string(v)
}
