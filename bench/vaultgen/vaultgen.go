// Package vaultgen writes synthetic Obsidian vaults of web clippings and
// subscriber lists for benchmarks; see bench/gen for the command and for what
// the notes look like. Output depends only on the options, the seed included.
package vaultgen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options say what vault to write.
type Options struct {
	Notes  int       // number of Markdown notes
	Seed   uint64    // same seed, same vault
	Now    time.Time // the build time the vault is made for: notes are dated in the two years before it
	Recent int       // notes clipped in the week before Now (about a third of them tagged AI)
}

// Stats describe a written vault.
type Stats struct {
	Notes, Tagged, Recent, RecentTagged int
	Bytes                               int64
}

// note is what is decided about one file before its body is written: cheap,
// and done in order, so that file names can be made unique.
type note struct {
	i       int
	dir     string
	name    string // file name without .md
	title   string
	lang    lang
	kind    kind
	tagging tagging
	created time.Time
	source  string
	dupOf   int // >= 0: a later clipping of the same page as note dupOf
	crlf    bool
	bom     bool
}

type lang int

const (
	english lang = iota
	chinese
	japanese
)

// kind is the template the note was written with.
type kind int

const (
	kindDefault  kind = iota // the Web Clipper's default template
	kindThread               // X thread: packed "@handle #…" tag item, empty description
	kindTopics               // LLM-written topic tags, abstract: key
	kindFlow                 // tags as a flow list, categories, rating
	kindOmnivore             // Omnivore export: block scalars, date_saved
	kindBare                 // no frontmatter at all
	kindInvalid              // invalid YAML the lenient reader repairs
	kindIndex                // not a clipping: a generated index note
)

// tagging is how (and whether) the note is tagged with a configured tag.
type tagging int

const (
	tagNone     tagging = iota
	tagAI               // tagged AI in one of the quirky ways
	tagFuture           // tagged 未来趋势
	tagTrap             // looks like AI but is not: AI-Agents, AI开发, #AI in a URL…
	tagMentions         // no AI tag, but "AI" in the title or text
)

func rng(seed uint64, i int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(i)<<8|stream))
}

// WriteVault writes the vault into dir, creating it.
func WriteVault(dir string, opt Options) (Stats, error) {
	n, seed, now, recent := opt.Notes, opt.Seed, opt.Now, opt.Recent
	var st Stats
	if err := os.MkdirAll(filepath.Join(dir, ".obsidian"), 0o755); err != nil {
		return st, err
	}
	os.WriteFile(filepath.Join(dir, ".obsidian", "app.json"), []byte(`{"attachmentFolderPath":"attachments"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".obsidian", "notes-cache.md"), []byte("---\ntags: [AI]\n---\nnot a note\n"), 0o644)

	notes := plan(n, seed, now, recent)
	used := map[string]int{}
	for i := range notes {
		nt := &notes[i]
		key := nt.dir + "/" + strings.ToLower(nt.name)
		if c, ok := used[key]; ok {
			used[key] = c + 1
			nt.name = fmt.Sprintf("%s %d", nt.name, c)
			key = nt.dir + "/" + strings.ToLower(nt.name)
		}
		used[key] = 1
		if nt.tagging == tagAI || nt.tagging == tagFuture {
			st.Tagged++
		}
		if !nt.created.Before(now.AddDate(0, 0, -7)) {
			st.Recent++
			if nt.tagging == tagAI || nt.tagging == tagFuture {
				st.RecentTagged++
			}
		}
	}
	dirs := map[string]bool{}
	for _, nt := range notes {
		if !dirs[nt.dir] {
			dirs[nt.dir] = true
			if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(nt.dir)), 0o755); err != nil {
				return st, err
			}
		}
	}

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int, 256)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b strings.Builder
			for i := range next {
				b.Reset()
				render(&b, &notes[i], notes, seed)
				data := b.String()
				if notes[i].crlf {
					data = strings.ReplaceAll(data, "\n", "\r\n")
				}
				if notes[i].bom {
					data = "\ufeff" + data
				}
				p := filepath.Join(dir, filepath.FromSlash(notes[i].dir), notes[i].name+".md")
				err := os.WriteFile(p, []byte(data), 0o644)
				if err == nil {
					err = os.Chtimes(p, notes[i].created, notes[i].created)
				}
				mu.Lock()
				st.Bytes += int64(len(data))
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for i := range notes {
		next <- i
	}
	close(next)
	wg.Wait()
	st.Notes = n
	return st, first
}

// plan decides every note's shape, in order.
func plan(n int, seed uint64, now time.Time, recent int) []note {
	notes := make([]note, n)
	span := 2 * 365 * 24 * time.Hour
	oldest := now.Add(-span)
	// The recent notes are spread evenly through the vault, so that walk
	// order does not put them all first or last.
	recentEvery := n
	if recent > 0 {
		recentEvery = max(1, n/recent)
	}
	for i := range notes {
		r := rng(seed, i, 1)
		nt := note{i: i, dupOf: -1}
		switch x := r.Float64(); {
		case x < 0.45:
			nt.lang = chinese
		case x < 0.70:
			nt.lang = english
		default:
			nt.lang = japanese
		}
		switch x := r.Float64(); {
		case x < 0.62:
			nt.kind = kindDefault
		case x < 0.74:
			nt.kind = kindThread
		case x < 0.84:
			nt.kind = kindTopics
		case x < 0.89:
			nt.kind = kindFlow
		case x < 0.95:
			nt.kind = kindOmnivore
		case x < 0.975:
			nt.kind = kindBare
		case x < 0.99:
			nt.kind = kindInvalid
		default:
			nt.kind = kindIndex
		}
		switch x := r.Float64(); {
		case x < 0.10:
			nt.tagging = tagAI
		case x < 0.12:
			nt.tagging = tagFuture
		case x < 0.22:
			nt.tagging = tagTrap
		case x < 0.40:
			nt.tagging = tagMentions
		}
		switch nt.kind {
		case kindBare:
			// No frontmatter tags: only inline ones can tag it.
			if nt.tagging == tagFuture {
				nt.tagging = tagAI
			}
		case kindIndex:
			nt.tagging = tagMentions
		}
		if recent > 0 && i%recentEvery == recentEvery/2 && i/recentEvery < recent {
			nt.created = now.Add(-time.Duration(1+r.IntN(5*24)) * time.Hour)
			if (i/recentEvery)%3 == 0 && nt.kind != kindIndex {
				nt.tagging = tagAI // make sure the week has an issue
			}
		} else {
			nt.created = oldest.Add(time.Duration(r.Int64N(int64(span - 8*24*time.Hour))))
		}
		nt.created = nt.created.Truncate(time.Second)
		nt.title = makeTitle(r, nt.lang, nt.tagging)
		nt.name = fileName(nt.title)
		nt.source = sourceURL(r, nt.lang, nt.kind, i)
		switch x := r.Float64(); {
		case x < 0.45:
			nt.dir = "Clippings"
		case x < 0.75:
			nt.dir = fmt.Sprintf("Clippings/%d", nt.created.Year())
		case x < 0.85:
			nt.dir = "Omnivore"
		case x < 0.95:
			nt.dir = "Clippings/" + topicFolders[r.IntN(len(topicFolders))]
		default:
			nt.dir = "Inbox/" + topicFolders[r.IntN(len(topicFolders))] + "/old"
		}
		if nt.kind == kindIndex {
			nt.dir = "Clippings"
		}
		nt.crlf = r.Float64() < 0.01
		nt.bom = r.Float64() < 0.005
		// The same page clipped again later: Obsidian names it "<title> 1".
		if i > 0 && r.Float64() < 0.01 {
			j := r.IntN(i)
			if notes[j].dupOf < 0 && notes[j].kind != kindIndex && notes[j].kind != kindBare {
				nt.dupOf = j
				nt.title, nt.name, nt.dir = notes[j].title, notes[j].name, notes[j].dir
				nt.source, nt.lang, nt.kind, nt.tagging = notes[j].source, notes[j].lang, notes[j].kind, notes[j].tagging
			}
		}
		notes[i] = nt
	}
	return notes
}

var topicFolders = []string{"AI", "技术", "読書", "Product", "Design", "经济", "投資", "Research", "Tools", "健康"}

// fileName is what the Web Clipper makes of a title: characters that are
// not allowed in file names dropped, at most ~120 bytes.
func fileName(title string) string {
	var b strings.Builder
	for _, r := range title {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|', '#', '^', '[', ']':
			continue
		case '\n', '\r', '\t':
			b.WriteByte(' ')
			continue
		}
		if b.Len() > 120 {
			break
		}
		b.WriteRune(r)
	}
	s := strings.TrimSpace(b.String())
	s = strings.TrimLeft(s, ".")
	if s == "" {
		s = "Untitled"
	}
	return s
}

func sourceURL(r *rand.Rand, l lang, k kind, i int) string {
	switch k {
	case kindThread:
		return fmt.Sprintf("https://x.com/%s/status/%d", handles[r.IntN(len(handles))], 1800000000000000000+uint64(i)*7919)
	case kindOmnivore:
		return fmt.Sprintf("https://omnivore.app/me/%x", r.Uint32())
	}
	var host string
	switch l {
	case chinese:
		host = zhHosts[r.IntN(len(zhHosts))]
	case japanese:
		host = jaHosts[r.IntN(len(jaHosts))]
	default:
		host = enHosts[r.IntN(len(enHosts))]
	}
	u := fmt.Sprintf("https://%s/p/%d-%x", host, i, r.Uint32()&0xffffff)
	if r.Float64() < 0.1 {
		u += "?utm_source=rss&utm_medium=feed"
	}
	return u
}

var (
	handles = []string{"dotey", "BadUncleX", "python_xxt", "cryptonerdcn", "op7418", "karpathy", "swyx", "simonw", "hwchase17", "goodside", "yihong0618", "Gorden_Sun"}
	zhHosts = []string{"mp.weixin.qq.com", "www.zhihu.com", "36kr.com", "www.v2ex.com", "sspai.com", "www.jiqizhixin.com", "juejin.cn", "www.infoq.cn"}
	jaHosts = []string{"qiita.com", "zenn.dev", "note.com", "gihyo.jp", "www.itmedia.co.jp", "dev.classmethod.jp"}
	enHosts = []string{"simonwillison.net", "www.anthropic.com", "arstechnica.com", "www.theverge.com", "news.ycombinator.com", "en.wikipedia.org", "stratechery.com", "www.gethumanlayer.com", "blog.pragmaticengineer.com", "lwn.net"}
)

func makeTitle(r *rand.Rand, l lang, t tagging) string {
	mention := t == tagAI && r.Float64() < 0.6 || t == tagMentions && r.Float64() < 0.5 || t == tagTrap && r.Float64() < 0.4
	switch l {
	case chinese:
		s := pick(r, zhTitleA) + pick(r, zhTitleB)
		if mention {
			s = pick(r, []string{"AI ", "AI", "用 AI ", "大模型与AI："}) + s
		}
		if r.Float64() < 0.8 {
			s += "：" + sentence(r, chinese, 3)
		}
		if r.Float64() < 0.1 {
			s = "(93 封私信 / 2 条消息) " + s + " - 知乎"
		}
		return s
	case japanese:
		s := pick(r, jaTitleA) + pick(r, jaTitleB)
		if mention {
			s = "AI" + pick(r, []string{"で", "時代の", "を使った"}) + s
		}
		if r.Float64() < 0.8 {
			s += "（" + pick(r, jaWords) + pick(r, jaWords) + pick(r, jaWords) + "）"
		}
		if r.Float64() < 0.2 {
			s = "【" + pick(r, []string{"更新記事", "保存版", "入門"}) + "】" + s
		}
		return s
	}
	s := pick(r, enTitleA) + " " + pick(r, enTitleB)
	if mention {
		s = pick(r, []string{"AI ", "The AI ", "How AI "}) + s
	}
	if r.Float64() < 0.8 {
		s += ": " + strings.TrimRight(sentence(r, english, 4), ".?!")
	}
	if r.Float64() < 0.1 {
		s += " | " + pick(r, enHosts)
	}
	return s
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

var (
	zhTitleA = []string{"我让", "深度访谈：", "重回", "如何最大化", "迭代", "逆向工程师如何", "为什么", "一文读懂", "从零开始", "关于", "复盘", "十年之后", "彻底搞懂", "我用", "聊聊"}
	zhTitleB = []string{"复盘了一年的聊天记录", "重工业时代", "Claude Code 的自动化程度", "系统提示词的方法和实践", "浏览器指纹识别", "个体价值与组织的未来", "产品经理的底层逻辑", "开源模型的商业化", "推荐系统的冷启动", "数据库索引原理", "远程工作的真相", "内容创作者的困境", "注意力经济", "Rust 在生产环境的实践", "分布式一致性"}
	jaTitleA = []string{"git branch ", "WSL2で", "ROS2を深く理解する：", "Pandasで", "Ubuntuの", "Neovimユーザーのための", "30分でわかる", "C++ 標準ライブラリでの", "はじめての", "実務で使える"}
	jaTitleB = []string{"コマンドまとめ", "Webカメラを使う", "まとめページ", "欠損値になってしまった話", "情報を確認するコマンド", "最新版利用ガイド", "機械学習用語「次元削減」", "sleep の使い方", "型システム入門", "設計パターン"}
	enTitleA = []string{"Advanced Context Engineering", "The Bitter Lesson", "Writing a Good README", "Noteworthy Research Papers", "Interviewing Engineers", "Signed but Not Secure", "Taylor Series", "Best Codebase Visualization Tools", "Building the Harness", "Automating Software Engineering", "Notes on Distributed Systems", "A Field Guide to Postgres"}
	enTitleB = []string{"for Coding Agents", "of Agent Frameworks", "in 2025", "Lessons from a Year of Rebuilding", "(Part One)", "- Wikipedia", "Explained", "at Scale", "for the Rest of Us", "and What Comes Next"}
)

// render writes one note: frontmatter (per its kind and tagging) and body.
func render(b *strings.Builder, nt *note, notes []note, seed uint64) {
	r := rng(seed, nt.i, 2)
	author := pick(r, authorsFor(nt.lang))
	created := nt.created
	if nt.dupOf >= 0 {
		// A later clipping of the same page, possibly with other tags.
		created = notes[nt.dupOf].created.Add(time.Duration(1+r.IntN(90)) * 24 * time.Hour)
		if created.After(nt.created) {
			created = nt.created
		}
	}
	date := formatCreated(r, created)
	desc := description(r, nt)
	switch nt.kind {
	case kindDefault:
		fmt.Fprintf(b, "---\ntitle: %q\nsource: %q\nauthor:\n  - \"[[%s]]\"\n", nt.title, nt.source, author)
		if r.Float64() < 0.03 {
			b.WriteString("  - \"[[PhD]]\"\n") // a mis-split author list
		}
		if r.Float64() < 0.7 {
			fmt.Fprintf(b, "published: %s\n", created.AddDate(0, 0, -r.IntN(400)).Format("2006-01-02"))
		} else {
			b.WriteString("published:\n")
		}
		fmt.Fprintf(b, "created: %s\ndescription: %q\ntags:\n  - \"clippings\"\n", date, desc)
		for _, t := range listTags(r, nt) {
			fmt.Fprintf(b, "  - %q\n", t)
		}
		b.WriteString("---\n")
	case kindThread:
		h := handles[r.IntN(len(handles))]
		fmt.Fprintf(b, "---\ntitle: %q\nsource: %q\nauthor:\n  - \"[[@%s]]\"\ncreated: %s\ndescription:\ntags:\n  - %q\n",
			nt.title, nt.source, h, date, packedTags(r, nt, h))
		if r.Float64() < 0.3 {
			fmt.Fprintf(b, "date: %q\n", created.Format(time.RFC3339))
		}
		b.WriteString("---\n")
	case kindTopics:
		fmt.Fprintf(b, "---\ntitle: %q\nsource: %q\nauthor:\n  - \"[[%s]]\"\npublished:\ncreated: %s\ndescription: %q\ntags:\n",
			nt.title, nt.source, author, date, short(r, nt.lang))
		ts := listTags(r, nt)
		if r.Float64() < 0.5 {
			// One item joined by fullwidth commas, as LLM taggers write it.
			sep := "，"
			if r.Float64() < 0.3 {
				sep = "、"
			}
			fmt.Fprintf(b, "  - %q\n", strings.Join(ts, sep))
		} else {
			for _, t := range ts {
				fmt.Fprintf(b, "  - %q\n", t)
			}
		}
		fmt.Fprintf(b, "abstract: %q\n---\n", desc)
	case kindFlow:
		fmt.Fprintf(b, "---\ncategories:\n  - \"[[Clippings]]\"\ntitle: %q\nsource: %s\nauthor: %s\ncreated: %s\nrating: \naction: \ndescription: %q\ntags: [%s]\ndomain: [%s, web]\n---\n",
			nt.title, nt.source, author, date, desc, flowTags(listTags(r, nt)), hostOf(nt.source))
	case kindOmnivore:
		fmt.Fprintf(b, "---\nid: %08x-%04x-11ee-ab31-%012x\ntitle: |\n  %s\nauthor: |\n  %s\ndate_saved: %s\n",
			r.Uint32(), r.Uint32()&0xffff, r.Uint64()&0xffffffffffff, nt.title, author, created.UTC().Format("2006-01-02 15:04:05"))
		ts := listTags(r, nt)
		if len(ts) > 0 {
			b.WriteString("tags:\n  - RSS\n")
			for _, t := range ts {
				if strings.HasPrefix(t, "#") {
					t = strconv.Quote(t) // unquoted, it would be a YAML comment
				}
				fmt.Fprintf(b, "  - %s\n", t)
			}
		}
		fmt.Fprintf(b, "---\n\n# %s\n#Omnivore\n\n[Read on Omnivore](%s)\n[Read Original](https://%s/)\n\n", nt.title, nt.source, pick(r, enHosts))
	case kindInvalid:
		// An unescaped backslash in a double-quoted scalar: invalid YAML
		// that clippers write, read by the lenient fallback.
		fmt.Fprintf(b, "---\ntitle: %q\nsource: %q\nauthor:\n  - \"[[%s]]\"\ncreated: %s\ndescription: \"%s C:\\> \\コ %s\"\ntags:\n  - \"clippings\"\n",
			nt.title, nt.source, author, date, short(r, nt.lang), short(r, nt.lang))
		for _, t := range listTags(r, nt) {
			fmt.Fprintf(b, "  - %q\n", t)
		}
		b.WriteString("---\n")
	case kindBare:
		if r.Float64() < 0.5 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "# %s\n\n", nt.title)
	case kindIndex:
		fmt.Fprintf(b, "# Clippings digest %s\n\n", created.Format("2006-01-02"))
		for k := 0; k < 40+r.IntN(200); k++ {
			j := r.IntN(len(notes))
			fmt.Fprintf(b, "- [[%s]] · %s\n", notes[j].name, notes[j].created.Format("2006-01-02"))
		}
		return
	}
	body(b, r, nt)
}

// flowTags joins tags for a flow list; '#' would start a YAML comment there.
func flowTags(ts []string) string {
	for i, t := range ts {
		ts[i] = strings.TrimPrefix(t, "#")
	}
	return strings.Join(ts, ", ")
}

func formatCreated(r *rand.Rand, t time.Time) string {
	switch x := r.Float64(); {
	case x < 0.80:
		return t.Format("2006-01-02")
	case x < 0.90:
		return t.Format("2006-01-02T15:04:05-07:00")
	case x < 0.95:
		return t.UTC().Format("2006-01-02T15:04:05Z")
	default:
		return fmt.Sprintf("%q", t.Format("2006-01-02 15:04:05"))
	}
}

func hostOf(u string) string {
	u = strings.TrimPrefix(u, "https://")
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u = u[:i]
	}
	return u
}

func authorsFor(l lang) []string {
	switch l {
	case chinese:
		return []string{"数字生命卡兹克", "宝玉", "歸藏", "机器之心", "量子位", "36氪", "少数派", "阮一峰", "Unknown"}
	case japanese:
		return []string{"yam_dev", "NasParagas", "mizchi", "azu", "Qiita 編集部", "田中太郎", "クラスメソッド"}
	}
	return []string{"Simon Willison", "Dex", "Sebastian Raschka", "Ben Thompson", "Gergely Orosz", "Ars Staff"}
}

// listTags are the topic tags of a note, with the configured ones among them
// when it is tagged, and lookalikes when it is a trap.
func listTags(r *rand.Rand, nt *note) []string {
	var ts []string
	for k := r.IntN(4); k > 0; k-- {
		ts = append(ts, pick(r, topicTags))
	}
	switch nt.tagging {
	case tagAI:
		if nt.kind == kindDefault && r.Float64() < 0.3 {
			return ts // the body carries an inline #AI
		}
		ts = append(ts, pick(r, []string{"AI", "AI", "AI", "ai", "AI/LLM", "AI/Agents", "#AI", "Ai"}))
	case tagFuture:
		ts = append(ts, pick(r, []string{"未来趋势", "#未来趋势", "未来趋势/2026"}))
	case tagTrap:
		ts = append(ts, pick(r, trapTags))
	}
	r.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return ts
}

var (
	topicTags = []string{"管理", "模型能力", "目标层级", "决策", "互联网", "创新", "个体价值", "自我成长", "Git", "ClaudeCode", "自动化", "工具调用", "RLHF", "wikipedia", "videos", "Rust", "データベース", "機械学習", "readwise", "research", "economy", "LLM", "Agents", "product"}
	trapTags  = []string{"AI-Agents", "AI开发", "AI工具", "ai-industry", "AI编程", "AIGC", "AI技术", "OpenAI", "AI_safety", "生成AI"}
)

// packedTags is the X thread clipper's single tag item.
func packedTags(r *rand.Rand, nt *note, h string) string {
	parts := []string{"@" + h}
	for k := 1 + r.IntN(3); k > 0; k-- {
		parts = append(parts, "#"+pick(r, topicTags))
	}
	switch nt.tagging {
	case tagAI:
		parts = append(parts, "#AI")
	case tagFuture:
		parts = append(parts, "#未来趋势")
	case tagTrap:
		parts = append(parts, "#"+pick(r, trapTags))
	}
	r.Shuffle(len(parts)-1, func(i, j int) { parts[i+1], parts[j+1] = parts[j+1], parts[i+1] })
	return strings.Join(parts, " ")
}

func description(r *rand.Rand, nt *note) string {
	if r.Float64() < 0.25 {
		return ""
	}
	s := sentence(r, nt.lang, 20+r.IntN(60))
	if nt.tagging == tagMentions || nt.tagging == tagAI && r.Float64() < 0.5 {
		s = mentionAI(nt.lang) + s
	}
	return s
}

func mentionAI(l lang) string {
	switch l {
	case chinese:
		return "AI 正在改变这一切。"
	case japanese:
		return "AIの活用が進んでいます。"
	}
	return "AI changes this. "
}

func short(r *rand.Rand, l lang) string { return sentence(r, l, 8+r.IntN(12)) }

// body writes 1–30 KB of Markdown (log-uniform, median about 6 KB).
func body(b *strings.Builder, r *rand.Rand, nt *note) {
	start := b.Len()
	target := int(1000 * pow30(r.Float64()))
	l := nt.lang
	inlineAI := nt.tagging == tagAI && (nt.kind == kindDefault || nt.kind == kindBare || nt.kind == kindIndex || nt.kind == kindOmnivore)
	if nt.kind == kindThread {
		fmt.Fprintf(b, "**%s** @%s [%s](%s)\n\n", pick(r, authorsFor(l)), handles[r.IntN(len(handles))], nt.created.Format("2006-01-02"), nt.source)
	}
	para := 0
	for b.Len()-start < target {
		switch x := r.Float64(); {
		case x < 0.08:
			fmt.Fprintf(b, "## %s\n\n", sentence(r, l, 4+r.IntN(6)))
		case x < 0.13:
			lang := pick(r, []string{"bash", "go", "python", "json", ""})
			fmt.Fprintf(b, "```%s\n# %s\n%s\n```\n\n", lang, sentence(r, english, 5), codeLines(r))
		case x < 0.20:
			for k := 2 + r.IntN(4); k > 0; k-- {
				fmt.Fprintf(b, "- %s\n", sentence(r, l, 6+r.IntN(14)))
			}
			b.WriteString("\n")
		case x < 0.24:
			fmt.Fprintf(b, "![Image](https://%s/media/%x.png?format=jpg&name=large#imgIndex=%d)\n\n", pick(r, enHosts), r.Uint64(), r.IntN(9))
		case x < 0.27:
			fmt.Fprintf(b, "> [!note] %s\n> %s\n\n", sentence(r, l, 3), sentence(r, l, 20))
		case x < 0.29:
			b.WriteString("| 项目 | Value | メモ |\n| --- | --- | --- |\n")
			for k := 2 + r.IntN(5); k > 0; k-- {
				fmt.Fprintf(b, "| %s | %d | %s |\n", sentence(r, l, 2), r.IntN(1000), sentence(r, l, 3))
			}
			b.WriteString("\n")
		case x < 0.31:
			b.WriteString("---\n\n") // a rule, not frontmatter
		default:
			s := paragraph(r, l)
			if para == 1 && nt.tagging == tagTrap && r.Float64() < 0.5 {
				// '#AI' where Obsidian sees no tag: in a URL fragment.
				s += fmt.Sprintf(" [link](https://%s/wiki/Artificial_intelligence#AI) ", pick(r, enHosts))
			}
			if para == 2 && (nt.tagging == tagMentions || nt.tagging == tagAI) {
				s = mentionAI(l) + s
			}
			if para == 3 && inlineAI {
				s += " #AI"
			}
			if r.Float64() < 0.15 {
				s += fmt.Sprintf(" [%s](https://%s/p/%x)", sentence(r, l, 2), pick(r, enHosts), r.Uint32())
			}
			if r.Float64() < 0.1 {
				s += " #" + pick(r, topicTags)
			}
			b.WriteString(s)
			b.WriteString("\n\n")
			para++
		}
	}
	if inlineAI && para <= 3 {
		b.WriteString("#AI\n")
	}
}

// pow30 maps [0,1) onto [1,30) log-uniformly.
func pow30(x float64) float64 { return math.Pow(30, x) }

func codeLines(r *rand.Rand) string {
	var b strings.Builder
	for k := 1 + r.IntN(8); k > 0; k-- {
		fmt.Fprintf(&b, "%s%s(%q, %d) // #%s\n", strings.Repeat("\t", r.IntN(3)), pick(r, codeWords), pick(r, enWords), r.IntN(100), pick(r, []string{"todo", "1", "fixme", "noqa", "nolint", "L42"}))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var codeWords = []string{"git merge", "fmt.Println", "print", "console.log", "docker run", "kubectl get", "SELECT * FROM", "curl -sS", "np.array", "usbipd attach"}

func paragraph(r *rand.Rand, l lang) string {
	var b strings.Builder
	for k := 1 + r.IntN(5); k > 0; k-- {
		b.WriteString(sentence(r, l, 8+r.IntN(25)))
		if l == english {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// sentence is n words (English) or n phrases (Chinese, Japanese) with
// punctuation of the language.
func sentence(r *rand.Rand, l lang, n int) string {
	var b strings.Builder
	switch l {
	case english:
		for k := 0; k < n; k++ {
			w := pick(r, enWords)
			if k == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			if r.Float64() < 0.03 {
				w = "**" + w + "**"
			}
			b.WriteString(w)
			if k < n-1 && r.Float64() < 0.06 {
				b.WriteByte(',')
			}
		}
		b.WriteString(pick(r, []string{".", ".", ".", "?", "!"}))
	case chinese:
		for k := 0; k < n; k++ {
			b.WriteString(pick(r, zhWords))
			if k < n-1 && r.Float64() < 0.12 {
				b.WriteString(pick(r, []string{"，", "，", "、", "；"}))
			}
		}
		b.WriteString(pick(r, []string{"。", "。", "。", "！", "？"}))
	case japanese:
		for k := 0; k < n; k++ {
			b.WriteString(pick(r, jaWords))
			b.WriteString(pick(r, jaParticles))
			if k < n-1 && r.Float64() < 0.1 {
				b.WriteString("、")
			}
		}
		b.WriteString(pick(r, []string{"です。", "ます。", "でした。", "。", "！"}))
	}
	return b.String()
}

var (
	enWords     = strings.Fields(`the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their can has been if more when will would who so no out up into do time than them some could only other new about my these then its over also two after first way did well our years what work people any most through back where much before good make right even many those see may such long still own should great between last because same each too while here another might little world why system model data code language software agent agents context engineering review tool tools memory search prompt token tokens latency database query index cache server client request response network design product team company market users value problem solution example result research paper study training inference evaluation benchmark performance compute cost open source community future trend`)
	zhWords     = strings.Fields(`我们 这个 一个 可以 没有 因为 所以 但是 如果 已经 自己 什么 时候 现在 这样 就是 还是 需要 问题 方法 系统 模型 数据 工具 产品 用户 公司 市场 价值 能力 未来 发展 技术 工程 代码 团队 管理 决策 目标 层级 思考 学习 经验 效率 自动化 协作 平台 生态 开源 社区 研究 论文 训练 推理 评估 成本 算力 内容 创作 注意力 时间 组织 个体 认知 跃迁 变化 趋势 判断 选择 方向 结构 流程 细节 逻辑 本质 规律 场景 需求 体验 设计 架构 性能 稳定 安全 隐私 风险 机会 挑战 行业 经济 增长 周期 资本 投资 创业 职业 程序员 工程师 产品经理 大模型 智能体 提示词 上下文 记忆 检索 向量 数据库 索引 缓存 服务器 客户端 接口 协议 浏览器 指纹 识别 逆向 复盘 总结`)
	jaWords     = strings.Fields(`開発 環境 設定 コマンド ブランチ マージ 変更 履歴 ファイル ディレクトリ 実行 確認 方法 情報 エラー 原因 解決 手順 記事 まとめ 機能 利用 導入 説明 場合 必要 今回 以下 最新 バージョン ライブラリ 関数 変数 引数 戻り値 型 クラス インスタンス スレッド 時間 遅延 制御 処理 結果 データ 欠損値 地名 モデル 学習 推論 次元 削減 特徴量 カメラ 接続 ドライバ サーバ クライアント 通信 設計 実装 テスト 品質 チーム 仕事 技術 知識 経験 理解 入門 基本 応用 注意点`)
	jaParticles = []string{"を", "が", "は", "に", "で", "と", "の", "も", "から", "まで", "について", "として"}
)

// WriteSubscribers writes a listmonk-style export: n rows with distinct
// addresses, names in several scripts, a few tag filters, a few
// unsubscribed. Every address is valid and unique, so that n rows mean n
// recipients less the unsubscribed (about 1%).
func WriteSubscribers(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("email,name,tags,status\n")
	domains := []string{"example.com", "example.org", "example.net", "mail.example.cn", "example.jp"}
	for i := range n {
		r := rng(seed, i, 3)
		var name string
		switch r.IntN(3) {
		case 0:
			name = pick(r, []string{"王芳", "李雷", "韩梅梅", "张伟", "刘洋"})
		case 1:
			name = pick(r, []string{"田中", "佐藤 花子", "鈴木", "高橋"})
		default:
			name = pick(r, []string{"Alice", "Bob \"the builder\", Jr.", "Carol", "Dave", "Eve"})
		}
		tags := ""
		switch x := r.Float64(); {
		case x < 0.15:
			tags = "AI"
		case x < 0.20:
			tags = "未来趋势;AI"
		case x < 0.22:
			tags = "未来趋势"
		}
		status := "active"
		if r.Float64() < 0.01 {
			status = "unsubscribed"
		}
		fmt.Fprintf(bw, "reader%07d@%s,%s,%s,%s\n", i, domains[i%len(domains)], csvField(name), tags, status)
	}
	return bw.Flush()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
