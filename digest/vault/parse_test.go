package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digest-newsletter/digest/digest"
	"golang.org/x/text/unicode/norm"
)

// corpusDir returns the shared corpus of real clippings, or skips the test.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("no corpus: looked for %s (relative to digest/vault/)", dir)
	}
	return dir
}

// corpusFiles returns the corpus notes, slash-separated paths relative to
// dir mapped to their contents.
func corpusFiles(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "SOURCES.tsv" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

var testMtime = time.Date(2000, 1, 2, 3, 4, 5, 0, time.UTC)

func TestParseCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	tests := []struct {
		path       string
		title      string
		created    string // RFC 3339; "" when Created is the file's mtime
		authors    []string
		tags       []string
		ai, future bool   // matches AI, 未来趋势
		lenient    string // "line:col" of the YAML error read past, "" for valid YAML
	}{
		// 0to1AI is an inline tag, not AI
		{"real/404Wolf__Readings/#0to1AI Interview with Łukasz Chludziński (Callstack)- React, Hermnes, Large Monorepo and more!.md", "#0to1AI Interview with Łukasz Chludziński (Callstack): React, Hermnes, Large Monorepo and more!", "", nil, []string{"RSS", "0to1AI", "Omnivore"}, false, false, ""},
		{"real/404Wolf__Readings/404wolf.com.md", "404wolf.com", "", nil, []string{"RSS", "Omnivore"}, false, false, ""},
		{"real/404Wolf__Readings/Active Directory.md", "Active Directory", "", nil, []string{"Omnivore"}, false, false, ""},
		{"real/404Wolf__Readings/Example Domain.md", "Example Domain", "", nil, []string{"Omnivore"}, false, false, ""},
		{"real/404Wolf__Readings/Signed but not secure.md", "Signed but not secure", "", nil, []string{"RSS", "Omnivore"}, false, false, ""},
		{"real/CodeItForkIt__Personal-Vault/13. What Now?.md", "13. What Now?", "", nil, nil, false, false, ""},
		{"real/CodeItForkIt__Personal-Vault/Glys - The Coppermind.md", "Glys - The Coppermind", "2026-06-30T00:00:00Z", nil, []string{"clippings", "Spren/Mistspren", "Invested"}, false, false, ""},
		{"real/CodeItForkIt__Personal-Vault/Lerasium - The Coppermind.md", "Lerasium - The Coppermind", "2026-06-30T00:00:00Z", nil, []string{"clippings", "Metal/Godmetal"}, false, false, ""},
		{"real/CodeItForkIt__Personal-Vault/Melishi - The Coppermind.md", "Melishi - The Coppermind", "2026-06-30T00:00:00Z", nil, []string{"clippings", "Knight-Radiant/Bondsmith", "Dead", "Invested", "Human", "Rosharan"}, false, false, ""},
		{"real/NasParagas__notes/Bashを使いこなすための必須コマンド71選.md", "Bashを使いこなすための必須コマンド71選", "2025-09-14T00:00:00Z", []string{"kjm_nuco"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Blog｜ライセンス導入 まずはここから Apache License 2.0.md", "Blog｜ライセンス導入 まずはここから Apache License 2.0", "2025-07-28T00:00:00Z", []string{"yamory | 脆弱性管理クラウド | SBOM対応"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/C++ 標準ライブラリでの sleep の使い方 - 時間遅延とスレッド制御.md", "C++ 標準ライブラリでの sleep の使い方 - 時間遅延とスレッド制御", "2025-07-04T00:00:00Z", []string{"LabEx"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Creating a launch file — ROS 2 Documentation Jazzy  documentation.md", "Creating a launch file — ROS 2 Documentation: Jazzy documentation", "2025-08-27T00:00:00Z", nil, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Git mergeコマンドの復習.md", "[Git] mergeコマンドの復習", "2025-07-04T00:00:00Z", []string{"yam_dev"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Neovim ≧ 0.11ユーザーのためのnvim-treesitter最新版利用ガイド（mainブランチ切り替え）.md", "Neovim ≧ 0.11ユーザーのためのnvim-treesitter最新版利用ガイド（mainブランチ切り替え）", "2025-11-10T00:00:00Z", []string{"Atusy's blog"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Pandasで「野根（None）」という地名が欠損値（NaN）になってしまった話 1.md", "Pandasで「野根（None）」という地名が欠損値（NaN）になってしまった話", "2025-11-24T00:00:00Z", []string{"Zenn"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/Pandasで「野根（None）」という地名が欠損値（NaN）になってしまった話.md", "Pandasで「野根（None）」という地名が欠損値（NaN）になってしまった話", "2025-11-22T00:00:00Z", []string{"Zenn"}, []string{"clippings"}, false, false, ""},
		// empty file
		{"real/NasParagas__notes/ROS2を深く理解する：まとめページ.md", "ROS2を深く理解する：まとめページ", "", nil, nil, false, false, ""},
		{"real/NasParagas__notes/ROS2講座17 parameterを使う2.md", "ROS2講座17 parameterを使う2", "2025-08-26T00:00:00Z", []string{"srs"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/UbuntuのOSやCPU, GPUの情報を確認するコマンド 2.md", "UbuntuのOSやCPU, GPUの情報を確認するコマンド", "2025-11-07T00:00:00Z", []string{"sabaku20XX"}, []string{"clippings"}, false, false, ""},
		{"real/NasParagas__notes/UbuntuのOSやCPU, GPUの情報を確認するコマンド.md", "UbuntuのOSやCPU, GPUの情報を確認するコマンド", "2025-08-26T00:00:00Z", []string{"sabaku20XX"}, []string{"clippings"}, false, false, ""},
		// invalid YAML: \コ in a double-quoted description
		{"real/NasParagas__notes/git branch コマンド.md", "git branch コマンド", "2025-07-03T00:00:00Z", []string{"chihiro"}, []string{"clippings"}, false, false, "8:150"},
		// invalid YAML: C:\> in a double-quoted description
		{"real/NasParagas__notes/【更新記事】WSL2でWebカメラを使う（usbipd-win v4.0.0）.md", "【更新記事】WSL2でWebカメラを使う（usbipd-win v4.0.0）", "2025-08-26T00:00:00Z", []string{"touch-sp"}, []string{"clippings"}, false, false, "8:270"},
		{"real/akan__obsidian_repo/- 纳瓦尔：AI 不会取代程序员，而是让程序员更容易取代其他人.md", "纳瓦尔：AI 不会取代程序员，而是让程序员更容易取代其他人", "2025-07-04T00:00:00Z", []string{"loonggg"}, []string{"AI", "程序员", "杠杆", "特定知识"}, true, false, ""},
		// not a clipping: generated report; AI技术 is not AI
		{"real/akan__obsidian_repo/2026年1月文章主题分析报告.md", "2026年1月文章主题分析报告", "2026-02-05T00:00:00Z", nil, []string{"分析报告", "AI技术", "月度总结"}, false, false, ""},
		{"real/akan__obsidian_repo/AI Agent 的工程化被低估了.md", "AI Agent 的工程化被低估了", "2025-06-16T00:00:00Z", []string{"阿里云云原生"}, []string{"clippings"}, false, false, ""},
		// one item packed with fullwidth commas
		{"real/akan__obsidian_repo/AI用得好不好，跟你会不会管人，我觉得越来越是同一件事.md", "AI用得好不好，跟你会不会管人，我觉得越来越是同一件事。", "2026-06-22T00:00:00Z", []string{"数字生命卡兹克"}, []string{"管理", "AI", "模型能力", "目标层级", "决策"}, true, false, ""},
		{"real/akan__obsidian_repo/Untitled.md", "强化学习之父最新演讲：大模型只是一时狂热，AI的真正时代还没开始", "2026-02-26T00:00:00Z", []string{"加洋\u00a0编译"}, nil, false, false, ""},
		// invalid YAML: \~ in a double-quoted description
		{"real/akan__obsidian_repo/人类一生所学不过 4GB，加州理工顶刊新研究引热议.md", "人类一生所学不过 4GB，加州理工顶刊新研究引热议", "2025-06-10T00:00:00Z", []string{"量子位"}, []string{"clippings"}, false, false, "8:391"},
		{"real/akan__obsidian_repo/性能提升84%-166%！L-Zero仅靠强化学习解锁大模型探索世界的能力  已开源 - 性能提升84%-166%！L-Zero仅靠强化学习解锁大模型探索世界的能力  已开源.md", "性能提升84%-166%！L-Zero仅靠强化学习解锁大模型探索世界的能力 | 已开源", "2025-07-01T00:00:00Z", []string{"关注前沿科技"}, []string{"强化学习", "大模型", "自主探索", "招商局狮子山人工智能实验室提出L0系统", "通过RLVR范式让模型自主进化出通用探索", "验证与记忆能力", "性能提升显著", "框架已开源"}, false, false, ""},
		// invalid YAML: \\" (double-escaped quote) in abstract
		{"real/akan__obsidian_repo/涌现之子.md", "涌现之子", "2025-11-10T00:00:00Z", []string{"见神"}, []string{"机器人技术", "涌现智能", "商业哲学", "自动驾驶", "组织创新"}, false, false, "15:126"},
		{"real/akan__obsidian_repo/科学家和ChatGPT狂聊7万次找到了对AI最有效的PUA大法 1.md", "科学家和ChatGPT狂聊7万次，找到了对AI最有效的PUA大法", "2025-09-25T00:00:00Z", []string{"环球科学科研圈"}, []string{"AI说服技巧", "心理学应用", "安全漏洞", "大语言模型"}, false, false, ""},
		{"real/akan__obsidian_repo/科学家和ChatGPT狂聊7万次找到了对AI最有效的PUA大法.md", "科学家和ChatGPT狂聊7万次，找到了对AI最有效的PUA大法", "2025-09-25T00:00:00Z", []string{"环球科学科研圈"}, []string{"AI漏洞", "心理操纵", "安全绕过", "大语言模型"}, false, false, ""},
		{"real/akan__obsidian_repo/蒙眼狂冲的 AI 时代，我只做这三类软件.md", "蒙眼狂冲的 AI 时代，我只做这三类软件", "2026-06-01T00:00:00Z", []string{"祝威廉"}, []string{"AI", "软件", "方向", "方法论", "护城河"}, true, false, ""},
		{"real/akan__obsidian_repo/重回重工业时代.md", "重回重工业时代", "2026-05-22T00:00:00Z", []string{"Mr.25"}, []string{"AI", "互联网", "重工业", "商业模式", "投资逻辑"}, true, false, ""},
		// one item packed with fullwidth commas
		{"real/akan__obsidian_repo/阿里通义开源GUI智能体SOTA：2B到235B端云协同重新定义移动端GUI智能体.md", "阿里通义开源GUI智能体SOTA：2B到235B端云协同重新定义移动端GUI智能体", "2025-12-30T00:00:00Z", []string{"AIGC开放社区"}, []string{"端云协同", "自进化数据", "扩展动作空间"}, false, false, ""},
		{"real/aleprevost__obsidian_mtp_veille/Emmanuel Macron appelle à soutenir l'open source et à « préférer la tech européenne ».md", "Emmanuel Macron appelle à soutenir l'open source et à «\u00a0préférer la tech européenne\u00a0»", "2026-06-25T00:00:00Z", []string{"Nicolas Lellouche"}, []string{"clippings"}, false, false, ""},
		{"real/aleprevost__obsidian_mtp_veille/Gouvernance de l’IA responsable.md", "Gouvernance de l’IA responsable : Guide des bonnes pratiques des collectivités pour se lancer", "2026-06-26T00:00:00Z", []string{"Interconnectés"}, []string{"clippings"}, false, false, ""},
		{"real/aleprevost__obsidian_mtp_veille/IA  après l'ivresse, le budget.md", "IA : après l'ivresse, le budget", "2026-06-25T00:00:00Z", []string{"Philippe Leroy"}, []string{"clippings"}, false, false, ""},
		{"real/aleprevost__obsidian_mtp_veille/« L'arrivée de Donald Trump a été une bénédiction »  le pari gagnant de cette pépite française de la tech.md", "« L'arrivée de Donald Trump a été une bénédiction » : le pari gagnant de cette pépite française de la tech", "2026-06-25T00:00:00Z", []string{"Amine Baba Aissa"}, []string{"clippings"}, false, false, ""},
		{"real/cheng-bai__ob-tang/Jeff Dean 深度访谈：一页纸备忘录促成 Gemini 的诞生，Google AI 的反击与 10,000 Token 的未来.md", "Jeff Dean 深度访谈：一页纸备忘录促成 Gemini 的诞生，Google AI 的反击与 10,000 Token 的未来", "2026-02-18T00:00:00Z", []string{"Unknown"}, []string{"clippings"}, false, false, ""},
		{"real/cheng-bai__ob-tang/Thread by @cryptonerdcn.md", "Thread by @cryptonerdcn", "2026-02-18T00:00:00Z", []string{"@cryptonerdcn"}, []string{"clippings", "自我成长"}, false, false, ""},
		{"real/cheng-bai__ob-tang/Thread by @dotey.md", "Thread by @dotey", "2026-03-13T00:00:00Z", []string{"@dotey"}, []string{"clippings"}, false, false, ""},
		{"real/cheng-bai__ob-tang/linshenkxprompt-optimizer.md", "linshenkxprompt-optimizer", "", nil, nil, false, false, ""},
		{"real/cheng-bai__ob-tang/做26届春考21（3）时我又想起了它 1.md", "做26届春考21（3）时我又想起了它", "2026-02-18T00:00:00Z", []string{"稻草人"}, []string{"clippings"}, false, false, ""},
		{"real/cheng-bai__ob-tang/我用 OpenClaw 搭了一套 5 角色 AI 协作操作系统，来个完整的技术拆解！！！.md", "我用 OpenClaw 搭了一套 5 角色 AI 协作操作系统，来个完整的技术拆解！！！", "2026-02-19T00:00:00Z", []string{"Unknown"}, []string{"clippings"}, false, false, ""},
		{"real/cheng-bai__ob-tang/我让AI复盘了一年的聊天记录,发现了20次认知跃迁.md", "我让AI复盘了一年的聊天记录,发现了20次认知跃迁", "", nil, nil, false, false, ""},
		// url:/saved: schema
		{"real/friday-mark-one__SecondBrain/Bubble memory - Wikipedia.md", "Bubble memory - Wikipedia", "2026-08-02T00:00:00Z", nil, nil, false, false, ""},
		// not a clipping: generated digest without frontmatter
		{"real/friday-mark-one__SecondBrain/Clippings digest.md", "Clippings digest", "", nil, nil, false, false, ""},
		// author mis-split "[[CoinbaseJul 13]]", "[[2026]]"
		{"real/friday-mark-one__SecondBrain/Interviewing Engineers in the AI Era Lessons from a Year of Rebuilding.md", "Interviewing Engineers in the AI Era: Lessons from a Year of Rebuilding", "2026-08-10T00:00:00Z", []string{"Coinbase"}, []string{"clippings"}, false, false, ""},
		{"real/friday-mark-one__SecondBrain/The AI Superforecasters Are Here.md", "The AI Superforecasters Are Here", "2026-08-01T00:00:00Z", []string{"Scott Alexander"}, []string{"clippings"}, false, false, ""},
		{"real/hugwi__obsidian-vault/# Skill Issue Harness Engineering for Coding Agents.md", "# Skill Issue Harness Engineering for Coding Agents", "2026-06-23T00:00:00Z", nil, []string{"harness", "orchestration", "skills", "ux-ui", "articles"}, false, false, ""},
		{"real/hugwi__obsidian-vault/# automating software engineering.md", "# automating software engineering", "2026-06-23T00:00:00Z", nil, []string{"tweets"}, false, false, ""},
		{"real/hugwi__obsidian-vault/Advanced Context Engineering for Coding Agents.md", "Advanced Context Engineering for Coding Agents", "2026-06-24T00:00:00Z", []string{"Dex"}, []string{"clippings"}, false, false, ""},
		{"real/hugwi__obsidian-vault/Best Codebase Visualization Tools (Graphs, Maps, Diagrams).md", "Best Codebase Visualization Tools (Graphs, Maps, Diagrams)", "2026-06-25T00:00:00Z", []string{"repowise team"}, []string{"clippings"}, false, false, ""},
		// prefix trap: ai-industry is not AI
		{"real/hugwi__obsidian-vault/Branschrapporten_2025.pdf.md", "Branschrapporten_2025.pdf", "2026-06-23T00:00:00Z", nil, []string{"ai-industry", "articles"}, false, false, ""},
		{"real/hugwi__obsidian-vault/Building the Agent Harness Subdirectory CLAUDE.md Files 1.md", "Building the Agent Harness: Subdirectory CLAUDE.md Files", "2026-06-25T00:00:00Z", []string{"dev.to"}, []string{"clippings", "agentic-engineering", "subdirectory-structure", "claude-md", "automatic-feedback"}, false, false, ""},
		{"real/hugwi__obsidian-vault/The Bitter Lesson of Agent Frameworks.md", "The Bitter Lesson of Agent Frameworks", "2026-06-23T00:00:00Z", nil, []string{"tweets"}, false, false, ""},
		{"real/hugwi__obsidian-vault/Writing a good CLAUDE 1.md", "Writing a good CLAUDE.md", "2026-06-24T00:00:00Z", []string{"Kyle"}, []string{"clippings"}, false, false, ""},
		{"real/hugwi__obsidian-vault/Writing a good CLAUDE.md", "Writing a good CLAUDE.md", "2026-06-24T00:00:00Z", []string{"Kyle"}, []string{"clippings"}, false, false, ""},
		// not a clipping: generated 207 KB index
		{"real/hugwi__obsidian-vault/_clusters_view.md", "_clusters_view", "2026-06-23T00:00:00Z", nil, []string{"readwise", "clusters"}, false, false, ""},
		{"real/raikarudo__Obsidian/30分でわかる機械学習用語「次元削減(Dimensionality Reduction)」.md", "30分でわかる機械学習用語「次元削減(Dimensionality Reduction)」", "2025-05-15T00:00:00Z", []string{"Qiita"}, []string{"clippings"}, false, false, ""},
		{"real/raikarudo__Obsidian/X保存.md", "X保存", "", nil, nil, false, false, ""},
		// invalid YAML: the whole key block repeated
		{"real/raikarudo__Obsidian/リスペリドン（リスパダール）の効果と副作用 - 田町三田こころみクリニック 内科・心療内科・糖尿病内科・精神科.md", "リスペリドン（リスパダール）の効果と副作用 - 田町三田こころみクリニック 内科・心療内科・糖尿病内科・精神科", "2025-05-15T00:00:00Z", []string{"admin"}, []string{"clippings"}, false, false, "11:1"},
		// quoted key, CJK key, nested 阿里云/AgentLoop
		{"real/unknown__unresolved/BackfillStrategy.md", "BackfillStrategy", "2026-07-23T00:00:00Z", []string{"阿里云计算"}, []string{"Clippings", "AI可观测", "阿里云", "阿里云/AgentLoop", "官方文档"}, false, false, ""},
		{"real/unknown__unresolved/Claude Code 多任务处理变简单.md", "Claude Code 多任务处理变简单", "2025-07-08T00:00:00Z", []string{"@BadUncleX"}, []string{"Git", "ClaudeCode", "并发开发", "AI编程"}, false, false, ""},
		// block scalars; date_saved "YYYY-MM-DD HH:MM:SS"
		{"real/unknown__unresolved/react+Nodejs+Mysql 存取富文本文档问题 - V2EX.md", "****react+Nodejs+Mysql 存取富文本文档问题**** - V2EX", "2023-12-11T04:27:50Z", []string{"unknown"}, []string{"Omnivore"}, false, false, ""},
		// prefix trap: #AI开发 #AI工具 are not AI
		{"real/unknown__unresolved/如何使用 Claude 代码.md", "如何使用 Claude 代码", "2025-07-04T00:00:00Z", []string{"@BadUncleX"}, []string{"Claude", "代码", "AI开发", "AI工具"}, false, false, ""},
		{"real/unknown__unresolved/如何最大化Claude Code自动化程度.md", "如何最大化Claude Code自动化程度", "2025-06-11T00:00:00Z", []string{"@BadUncleX"}, []string{"ClaudeCode", "自动化", "AI", "工具调用"}, true, false, ""},
		// date: with offset alongside created:
		{"real/unknown__unresolved/迭代系统提示词的方法和实践.md", "迭代系统提示词的方法和实践", "2026-01-08T00:00:00Z", []string{"@dontbesilent12"}, []string{"AI", "系统提示词", "迭代", "强化学习", "RLHF", "人类反馈", "负反馈", "系统设计"}, true, false, ""},
		{"real/unknown__unresolved/逆向工程师如何用 Electron 逃避 Cloudflare 的浏览器指纹识别.md", "逆向工程师如何用 Electron 逃避 Cloudflare 的浏览器指纹识别", "2025-10-10T00:00:00Z", []string{"@dotey"}, []string{"逆向工程", "浏览器指纹识别", "Electron", "Cloudflare"}, false, false, ""},
		// blank lines before the opening ---
		{"real/yifan0414__CSNote/2012，改变人类命运的180天-36氪.md", "2012，改变人类命运的180天-36氪", "2025-01-02T00:00:00Z", nil, []string{"clippings"}, false, false, ""},
		// author mis-split "[[Sebastian Raschka]]", "[[PhD]]"
		{"real/yifan0414__CSNote/Noteworthy AI Research Papers of 2024 (Part One).md", "Noteworthy AI Research Papers of 2024 (Part One)", "2025-03-25T00:00:00Z", []string{"Sebastian Raschka, PhD"}, []string{"clippings"}, false, false, ""},
		{"real/yifan0414__CSNote/Paul Dickson – Obsidian Web Clipper + AI Capture & Summarise Web Content (📽️YouTube, Reddit, 📚Books & More).md", "Obsidian Web Clipper + AI: Capture & Summarise Web Content (📽️YouTube, Reddit, 📚Books & More)", "2025-07-23T00:00:00Z", []string{"Paul Dickson"}, []string{"videos"}, false, false, ""},
		{"real/yifan0414__CSNote/Taylor series - Wikipedia.md", "Taylor series - Wikipedia", "2025-07-23T00:00:00Z", []string{"Wikipedia"}, []string{"clippings", "wikipedia"}, false, false, ""},
		// empty title: file name
		{"real/yifan0414__CSNote/Untitled.md", "Untitled", "2025-04-15T00:00:00Z", nil, []string{"clippings"}, false, false, ""},
		{"real/yifan0414__CSNote/对人工智能毫无了解，导师让看transformer和BERT的两篇论文。好几天了，基本没看懂，何解？ - 知乎.md", "(93 封私信 / 2 条消息) 对人工智能毫无了解，导师让看transformer和BERT的两篇论文。好几天了，基本没看懂，何解？ - 知乎", "2025-03-25T00:00:00Z", nil, []string{"clippings"}, false, false, ""},
		{"real/yifan0414__CSNote/数学公式提供.md", "数学公式提供", "2025-07-22T00:00:00Z", nil, []string{"chatgpt/conversation"}, false, false, ""},
		{"real/yifan0414__CSNote/输入与输出.md", "输入与输出", "2025-03-23T00:00:00Z", nil, []string{"clippings"}, false, false, ""},
		// the seed: "@python_xxt #AI #创新 #个体价值 #未来趋势" in one item
		{"seed/个体创新价值消亡论.md", "个体创新价值消亡论", "2025-05-19T00:00:00Z", []string{"@python_xxt"}, []string{"AI", "创新", "个体价值", "未来趋势"}, true, true, ""},
	}
	seen := map[string]bool{}
	var nAI, nFuture, nLenient, nMay int
	for _, tt := range tests {
		seen[tt.path] = true
		t.Run(tt.path, func(t *testing.T) {
			data, ok := files[tt.path]
			if !ok {
				t.Fatalf("%s is not in the corpus", tt.path)
			}
			c, err := Parse(tt.path, data, testMtime)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Title != tt.title {
				t.Errorf("title: got %q, want %q", c.Title, tt.title)
			}
			if tt.created == "" {
				if c.DateKey != "mtime" || !c.Created.Equal(testMtime) {
					t.Errorf("created: got %v from %s, want the mtime", c.Created, c.DateKey)
				}
			} else if got := c.Created.Format(time.RFC3339); got != tt.created || c.DateKey == "mtime" {
				t.Errorf("created: got %s from %s, want %s", got, c.DateKey, tt.created)
			}
			if !slices.Equal(c.Authors, tt.authors) {
				t.Errorf("authors: got %q, want %q", c.Authors, tt.authors)
			}
			if !slices.Equal(c.Tags, tt.tags) {
				t.Errorf("tags: got %q, want %q", c.Tags, tt.tags)
			}
			if _, got := c.MatchTag([]string{"AI"}); got != tt.ai {
				t.Errorf("matches AI: got %v, want %v", got, tt.ai)
			}
			if _, got := c.MatchTag([]string{"未来趋势"}); got != tt.future {
				t.Errorf("matches 未来趋势: got %v, want %v", got, tt.future)
			}
			lenient := ""
			if c.Lenient != nil {
				lenient = fmt.Sprintf("%d:%d", c.Lenient.Line, c.Lenient.Col)
				if c.Lenient.Path != tt.path || c.Lenient.Msg == "" {
					t.Errorf("lenient error: got %#v, want path %q and a message", c.Lenient, tt.path)
				}
			}
			if lenient != tt.lenient {
				t.Errorf("lenient: got %q (%v), want %q", lenient, c.Lenient, tt.lenient)
			}
			for _, want := range [][]string{{"AI"}, {"未来趋势"}, {"AI", "未来趋势"}, {"clippings"}, {"ai-industry"}} {
				if _, ok := c.MatchTag(want); ok && !mayMatch(data, want) {
					t.Errorf("mayMatch(%q) = false, but the clip matches", want)
				}
			}
		})
		if mayMatch(files[tt.path], []string{"AI", "未来趋势"}) {
			nMay++
		}
		if tt.ai {
			nAI++
		}
		if tt.future {
			nFuture++
		}
		if tt.lenient != "" {
			nLenient++
		}
	}
	for p := range files {
		if !seen[p] {
			t.Errorf("corpus file %s has no row in the table: add one", p)
		}
	}
	t.Logf("%d corpus files: %d match AI, %d match 未来趋势, %d read leniently; mayMatch lets %d through", len(files), nAI, nFuture, nLenient, nMay)
}

func TestParseEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		title    string
		created  string // RFC 3339, or "mtime"
		dateKey  string // "" to skip
		tags     []string
		authors  []string
		bodyLine int
		body     string // "-" to skip
		lenient  bool
	}{
		{"bom", "\uFEFF---\ntitle: T\ncreated: 2025-01-02\n---\nbody #AI\n", "T", "2025-01-02T00:00:00Z", "created", []string{"AI"}, nil, 5, "body #AI\n", false},
		{"crlf", "---\r\ntitle: \"T\"\r\ntags:\r\n  - \"AI\"\r\n---\r\nbody\r\n", "T", "mtime", "mtime", []string{"AI"}, nil, 6, "body\r\n", false},
		{"leading blank lines", "\n\n  \n---\ntitle: T\n---\nb", "T", "mtime", "", nil, nil, 7, "b", false},
		{"no final newline", "---\ntitle: T\n---", "T", "mtime", "", nil, nil, 4, "", false},
		{"rule in body", "---\ntitle: T\n---\na\n---\ntags: [AI]\n---\n", "T", "mtime", "", nil, nil, 4, "a\n---\ntags: [AI]\n---\n", false},
		{"empty file", "", "note", "mtime", "mtime", nil, nil, 1, "", false},
		{"no frontmatter", "# Heading\ntext #AI\n", "note", "mtime", "", []string{"AI"}, nil, 1, "# Heading\ntext #AI\n", false},
		{"unclosed frontmatter", "---\ntitle: T\n", "note", "mtime", "", nil, nil, 1, "---\ntitle: T\n", false},
		{"empty frontmatter", "---\n---\nbody", "note", "mtime", "", nil, nil, 3, "body", false},
		{"fence with trailing spaces", "--- \ntitle: T\n---\t\nb", "T", "mtime", "", nil, nil, 4, "b", false},
		{"frontmatter is a list", "---\n- a\n- b\n---\n", "note", "mtime", "", nil, nil, 5, "", false},
		{"comment lines", "---\n# a comment\ntitle: T # trailing comment\n---\n", "T", "mtime", "", nil, nil, 5, "-", false},
		{"quoted keys", "---\n\"title\": \"T\"\n'tags': [AI]\n---\n", "T", "mtime", "", []string{"AI"}, nil, 5, "-", false},
		{"capitalised keys", "---\nTitle: T\nTags: AI\n---\n", "T", "mtime", "", []string{"AI"}, nil, 5, "-", false},
		{"CJK keys", "---\n标题: x\ntitle: T\n更新时间: \"2026-07-07 19:27:56\"\n---\n", "T", "mtime", "", nil, nil, 6, "-", false},
		{"trailing spaces", "---\ntitle: T   \nsource:   \nauthor: \ncreated: 2025-01-02  \n---\n", "T", "2025-01-02T00:00:00Z", "created", nil, nil, 7, "-", false},
		{"literal block title", "---\ntitle: |\n  Line one\n  line two\n---\n", "Line one line two", "mtime", "", nil, nil, 6, "-", false},
		{"folded block title", "---\ntitle: >-\n  Folded\n  title\n---\n", "Folded title", "mtime", "", nil, nil, 6, "-", false},
		{"null title", "---\ntitle: null\n---\n", "note", "mtime", "", nil, nil, 4, "-", false},
		{"tilde title", "---\ntitle: ~\n---\n", "note", "mtime", "", nil, nil, 4, "-", false},
		{"blank title", "---\ntitle: \"  \"\n---\n", "note", "mtime", "", nil, nil, 4, "-", false},
		{"numeric title", "---\ntitle: 2012\n---\n", "2012", "mtime", "", nil, nil, 4, "-", false},
		{"anchor and alias", "---\nx: &t [AI, ML]\ntags: *t\n---\n", "note", "mtime", "", []string{"AI", "ML"}, nil, 5, "-", false},

		{"date only", "---\ncreated: 2025-05-19\n---\n", "note", "2025-05-19T00:00:00Z", "created", nil, nil, 4, "-", false},
		{"date quoted", "---\ncreated: \"2025-05-19\"\n---\n", "note", "2025-05-19T00:00:00Z", "created", nil, nil, 4, "-", false},
		{"date single-digit parts", "---\ncreated: 2025-5-9\n---\n", "note", "2025-05-09T00:00:00Z", "created", nil, nil, 4, "-", false},
		{"datetime Z", "---\ncreated: 2025-05-19T08:30:00Z\n---\n", "note", "2025-05-19T08:30:00Z", "created", nil, nil, 4, "-", false},
		{"datetime offset", "---\ncreated: \"2026-01-08T16:38:22+08:00\"\n---\n", "note", "2026-01-08T16:38:22+08:00", "created", nil, nil, 4, "-", false},
		{"datetime space", "---\ncreated: 2023-12-11 04:27:50\n---\n", "note", "2023-12-11T04:27:50Z", "created", nil, nil, 4, "-", false},
		{"datetime minutes", "---\ncreated: '2024-03-01T10:30'\n---\n", "note", "2024-03-01T10:30:00Z", "created", nil, nil, 4, "-", false},
		{"datetime YAML 1.1 spaced zone", "---\ncreated: 2001-12-14 21:59:43.10 -5\n---\n", "note", "2001-12-14T21:59:43-05:00", "created", nil, nil, 4, "-", false},
		{"junk created then clipped", "---\ncreated: yesterday\nclipped: 2025-02-03\n---\n", "note", "2025-02-03T00:00:00Z", "clipped", nil, nil, 5, "-", false},
		{"impossible date", "---\ncreated: 2025-02-30\n---\n", "note", "mtime", "mtime", nil, nil, 4, "-", false},
		{"unix timestamp", "---\ntimestamp: 1700000000\n---\n", "note", "2023-11-14T22:13:20Z", "timestamp", nil, nil, 4, "-", false},
		{"unix milliseconds", "---\ntimestamp: 1700000000123\n---\n", "note", "2023-11-14T22:13:20Z", "timestamp", nil, nil, 4, "-", false},
		{"date_saved", "---\ndate_saved: 2023-12-11 04:27:50\ndate_published: 2020-01-01\n---\n", "note", "2023-12-11T04:27:50Z", "date_saved", nil, nil, 5, "-", false},
		{"date", "---\ndate: 2024-01-02\n---\n", "note", "2024-01-02T00:00:00Z", "date", nil, nil, 4, "-", false},
		{"created wins over date", "---\ndate: \"2026-01-08T16:38:22+08:00\"\ncreated: 2026-01-08\n---\n", "note", "2026-01-08T00:00:00Z", "created", nil, nil, 5, "-", false},
		{"published is not a clip date", "---\npublished: 2020-01-01\n---\n", "note", "mtime", "mtime", nil, nil, 4, "-", false},
		{"published junk", "---\npublished: last week\ncreated: 2025-01-01\n---\n", "note", "2025-01-01T00:00:00Z", "created", nil, nil, 5, "-", false},

		{"tags flow list", "---\ntags: [AI, \"未来趋势\"]\n---\n", "note", "mtime", "", []string{"AI", "未来趋势"}, nil, 4, "-", false},
		{"tags string", "---\ntags: AI, 未来趋势\n---\n", "note", "mtime", "", []string{"AI", "未来趋势"}, nil, 4, "-", false},
		{"tags hashes", "---\ntags: \"#AI #未来趋势\"\n---\n", "note", "mtime", "", []string{"AI", "未来趋势"}, nil, 4, "-", false},
		{"tags null", "---\ntags:\n---\n", "note", "mtime", "", nil, nil, 4, "-", false},
		{"tags digits only", "---\ntags: [2024, y2024]\n---\n", "note", "mtime", "", []string{"y2024"}, nil, 4, "-", false},
		{"tags packed", "---\ntags:\n  - \"@h #AI #创新\"\n  - 管理，ai、决策\n---\n#AI #新\n", "note", "mtime", "", []string{"AI", "创新", "管理", "决策", "新"}, nil, 6, "-", false},
		{"tags NFD", "---\ntags: [\"Cafe\u0301\"]\n---\n", "note", "mtime", "", []string{"Caf\u00e9"}, nil, 4, "-", false},

		{"author plain", "---\nauthor: Jane Doe\n---\n", "note", "mtime", "", nil, []string{"Jane Doe"}, 4, "-", false},
		{"author wikilink", "---\nauthor: \"[[Jane Doe]]\"\n---\n", "note", "mtime", "", nil, []string{"Jane Doe"}, 4, "-", false},
		{"author two wikilinks in a string", "---\nauthor: \"[[A]], [[B]]\"\n---\n", "note", "mtime", "", nil, []string{"A", "B"}, 4, "-", false},
		{"author list with empties", "---\nauthor:\n  - \"[[A]]\"\n  - \"\"\n  -\n  - \"[[B]]\"\n---\n", "note", "mtime", "", nil, []string{"A", "B"}, 8, "-", false},
		{"author post-nominal", "---\nauthor: [\"[[Jane Doe]]\", \"[[Jr.]]\"]\n---\n", "note", "mtime", "", nil, []string{"Jane Doe, Jr."}, 4, "-", false},
		{"author block scalar", "---\nauthor: |\n  unknown\n---\n", "note", "mtime", "", nil, []string{"unknown"}, 5, "-", false},

		{"bad escape", "---\ntitle: T\ndescription: \"C:\\Users\"\n---\n", "T", "mtime", "", nil, nil, 5, "-", true},
		{"duplicate keys, last wins", "---\ntitle: A\ntitle: B\n---\n", "B", "mtime", "", nil, nil, 5, "-", true},
		{"colon in a plain title", "---\ntitle: IA : après\ntags: [AI]\n---\n", "IA : après", "mtime", "", []string{"AI"}, nil, 5, "-", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("dir/note.md", []byte(tt.data), testMtime)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Title != tt.title {
				t.Errorf("title: got %q, want %q", c.Title, tt.title)
			}
			if tt.created == "mtime" {
				if !c.Created.Equal(testMtime) || c.DateKey != "mtime" {
					t.Errorf("created: got %v from %s, want the mtime", c.Created, c.DateKey)
				}
			} else if got := c.Created.Format(time.RFC3339); got != tt.created {
				t.Errorf("created: got %s, want %s", got, tt.created)
			}
			if tt.dateKey != "" && c.DateKey != tt.dateKey {
				t.Errorf("date key: got %q, want %q", c.DateKey, tt.dateKey)
			}
			if !slices.Equal(c.Tags, tt.tags) {
				t.Errorf("tags: got %q, want %q", c.Tags, tt.tags)
			}
			if !slices.Equal(c.Authors, tt.authors) {
				t.Errorf("authors: got %q, want %q", c.Authors, tt.authors)
			}
			if c.BodyLine != tt.bodyLine {
				t.Errorf("body line: got %d, want %d", c.BodyLine, tt.bodyLine)
			}
			if tt.body != "-" && string(c.Body) != tt.body {
				t.Errorf("body: got %q, want %q", c.Body, tt.body)
			}
			if got := c.Lenient != nil; got != tt.lenient {
				t.Errorf("lenient: got %v, want %v", c.Lenient, tt.lenient)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	data := "---\ntitle: \"  Spaced\n  title  \"\nurl: https://example.com/a\ndescription: \"  About it.  \"\n---\n"
	c, err := Parse("n.md", []byte(data), testMtime)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Title, "Spaced title"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}
	if got, want := c.Source, "https://example.com/a"; got != want {
		t.Errorf("source from url: got %q, want %q", got, want)
	}
	if got, want := c.Description, "About it."; got != want {
		t.Errorf("description: got %q, want %q", got, want)
	}
	if got, want := c.Path, "n.md"; got != want {
		t.Errorf("path: got %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		line, col int
		msg       string // substring of the message
	}{
		{"not a key", "---\ntitle: ok\nthis is not yaml\n---\n", 3, 1, ""},
		{"file coordinates", "\uFEFF\n\n---\ntitle: ok\nplain text here\n---\nbody\n", 5, 1, ""},
		{"unclosed flow", "---\ntags: [a, b\n  - c: [\n---\n", 2, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("v/n.md", []byte(tt.data), testMtime)
			if err == nil {
				t.Fatalf("got clip %+v, want an error", c)
			}
			var pe *digest.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want a *digest.ParseError", err, err)
			}
			if pe.Path != "v/n.md" || pe.Line != tt.line || tt.col > 0 && pe.Col != tt.col {
				t.Errorf("got %s, want v/n.md:%d:%d", err, tt.line, tt.col)
			}
			if !strings.Contains(pe.Msg, tt.msg) || pe.Msg == "" {
				t.Errorf("message: got %q, want it to hold %q", pe.Msg, tt.msg)
			}
		})
	}
}

func TestSplitFrontmatter(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		front     string
		frontLine int
		body      string
		bodyLine  int
		ok        bool
	}{
		{"plain", "---\na: 1\n---\nbody\n", "a: 1\n", 2, "body\n", 4, true},
		{"bom", "\uFEFF---\na: 1\n---\nbody\n", "a: 1\n", 2, "body\n", 4, true},
		{"crlf", "---\r\na: 1\r\n---\r\nbody\r\n", "a: 1\r\n", 2, "body\r\n", 4, true},
		{"blank lines first", "\n \r\n---\na: 1\n---\n", "a: 1\n", 4, "", 6, true},
		{"no final newline", "---\na: 1\n---", "a: 1\n", 2, "", 4, true},
		{"empty frontmatter", "---\n---\n", "", 2, "", 3, true},
		{"rules in body", "---\na: 1\n---\nx\n---\ny\n---\n", "a: 1\n", 2, "x\n---\ny\n---\n", 4, true},
		{"fence spaces", "---  \na: 1\n--- \t\r\nb", "a: 1\n", 2, "b", 4, true},
		{"empty file", "", "", 0, "", 1, false},
		{"only bom", "\uFEFF", "", 0, "", 1, false},
		{"no frontmatter", "# T\n---\n", "", 0, "# T\n---\n", 1, false},
		{"unclosed", "---\na: 1\n", "", 0, "---\na: 1\n", 1, false},
		{"four dashes", "----\na: 1\n----\n", "", 0, "----\na: 1\n----\n", 1, false},
		{"text after dashes", "--- a\na: 1\n---\n", "", 0, "--- a\na: 1\n---\n", 1, false},
		{"dots do not close", "---\na: 1\n...\n", "", 0, "---\na: 1\n...\n", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			front, frontLine, body, bodyLine, ok := SplitFrontmatter([]byte(tt.data))
			if string(front) != tt.front || frontLine != tt.frontLine || string(body) != tt.body || bodyLine != tt.bodyLine || ok != tt.ok {
				t.Errorf("got (%q, %d, %q, %d, %v), want (%q, %d, %q, %d, %v)",
					front, frontLine, body, bodyLine, ok, tt.front, tt.frontLine, tt.body, tt.bodyLine, tt.ok)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 with nanoseconds, "" for no date
	}{
		{"2025-05-19", "2025-05-19T00:00:00Z"},
		{" 2025-05-19 ", "2025-05-19T00:00:00Z"},
		{"2025/05/19", "2025-05-19T00:00:00Z"},
		{"2025-5-9", "2025-05-09T00:00:00Z"},
		{"2025-05-19T08:30:00Z", "2025-05-19T08:30:00Z"},
		{"2025-05-19t08:30:00z", "2025-05-19T08:30:00Z"},
		{"2025-05-19T08:30:00.123Z", "2025-05-19T08:30:00.123Z"},
		{"2026-01-08T16:38:22+08:00", "2026-01-08T16:38:22+08:00"},
		{"2026-01-08T16:38:22+0800", "2026-01-08T16:38:22+08:00"},
		{"2026-01-08T16:38:22-05", "2026-01-08T16:38:22-05:00"},
		{"2023-12-11 04:27:50", "2023-12-11T04:27:50Z"},
		{"2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43.1-05:00"},
		{"2024-03-01T10:30", "2024-03-01T10:30:00Z"},
		{"2024-03-01 9:05", "2024-03-01T09:05:00Z"},
		{"2025-02-30", ""},
		{"2025-13-01", ""},
		{"2025-05-19T25:00", ""},
		{"2025-05-19T08:30:00+08:00 extra", ""},
		{"2025-05-19-", ""},
		{"2025-05/19", ""},
		{"20250519", ""},
		{"yesterday", ""},
		{"", ""},
		{"1700000000", ""}, // only `timestamp` is read as Unix time
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in, false)
			s := ""
			if ok {
				s = got.Format(time.RFC3339Nano)
			}
			if s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestAuthors(t *testing.T) {
	tests := []struct {
		name string
		in   value
		want []string
	}{
		{"none", value{}, nil},
		{"plain", value{str: "Interconnectés"}, []string{"Interconnectés"}},
		{"wikilink", value{str: "[[Kyle]]"}, []string{"Kyle"}},
		{"list", value{isList: true, list: []string{"[[A]]", "[[B]]"}}, []string{"A", "B"}},
		{"PhD", value{isList: true, list: []string{"[[Sebastian Raschka]]", "[[PhD]]"}}, []string{"Sebastian Raschka, PhD"}},
		{"glued date", value{isList: true, list: []string{"[[CoinbaseJul 13]]", "[[2026]]"}}, []string{"Coinbase"}},
		{"glued full month", value{isList: true, list: []string{"[[Jane DoeSeptember 3]]", "[[2024]]"}}, []string{"Jane Doe"}},
		{"name that is only a date", value{isList: true, list: []string{"[[Jul 13]]", "[[2026]]"}}, []string{"Jul 13, 2026"}},
		{"number first", value{isList: true, list: []string{"[[2026]]", "[[A]]"}}, []string{"2026", "A"}},
		{"pipe kept", value{isList: true, list: []string{"[[yamory | SBOM]]"}}, []string{"yamory | SBOM"}},
		{"spaces", value{isList: true, list: []string{"  [[ A ]]  "}}, []string{"A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := authors(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func dirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// corpusSeeds adds every corpus file to a fuzz corpus, if the corpus is
// there.
func corpusSeeds(f *testing.F, body bool) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if !dirExists(dir) {
		return
	}
	for _, data := range corpusFiles(f, dir) {
		if body {
			_, _, data, _, _ = SplitFrontmatter(data)
		}
		f.Add(data)
	}
}

func FuzzSplitFrontmatter(f *testing.F) {
	for _, s := range []string{"", "---\n---\n", "\uFEFF\n---\r\na: 1\r\n---\r\nb", "---\na\n", "--- \n---"} {
		f.Add([]byte(s))
	}
	corpusSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		front, frontLine, body, bodyLine, ok := SplitFrontmatter(data)
		d := bytes.TrimPrefix(data, bom)
		if !ok {
			if !bytes.Equal(body, d) || bodyLine != 1 || front != nil {
				t.Fatalf("no frontmatter: got body %q line %d, want the whole file", body, bodyLine)
			}
			return
		}
		if !bytes.HasSuffix(d, body) {
			t.Fatalf("body %q is not the end of the file", body)
		}
		head := d[:len(d)-len(body)] // up to the closing fence line
		want := bytes.Count(head, []byte("\n")) + 1
		if !bytes.HasSuffix(head, []byte("\n")) {
			want++ // the closing line ends the file
		}
		if bodyLine != want {
			t.Fatalf("body line: got %d, want %d", bodyLine, want)
		}
		lines := bytes.SplitAfter(head, []byte("\n"))
		if len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		if !isFence(bytes.TrimSuffix(lines[len(lines)-1], []byte("\n"))) {
			t.Fatalf("line before the body %q is not a fence", lines[len(lines)-1])
		}
		open := bytes.Join(lines[:frontLine-1], nil)
		if !isFence(bytes.TrimSuffix(lines[frontLine-2], []byte("\n"))) {
			t.Fatalf("line before the frontmatter %q is not a fence", lines[frontLine-2])
		}
		for _, l := range lines[:frontLine-2] {
			if len(bytes.TrimSpace(l)) != 0 {
				t.Fatalf("non-blank line %q before the opening fence", l)
			}
		}
		if got := string(open) + string(front) + string(lines[len(lines)-1]) + string(body); got != string(d) {
			t.Fatalf("pieces do not add up to the file")
		}
		for _, l := range bytes.SplitAfter(front, []byte("\n")) {
			if isFence(bytes.TrimSuffix(l, []byte("\n"))) {
				t.Fatalf("frontmatter holds a fence line %q", l)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "---\ntitle: T\ntags: [AI]\n---\n#未来趋势\n", "---\ndescription: \"\\x\"\n---\n",
		"---\ntitle: a\ntitle: b\n---\n", "---\na: [\n---\n", "---\ntags: \"\\u0041I\"\n---\n",
		"---\ntags: [\"\u212Ai\"]\n---\n", "x #\uf9a8 #ai/llm #AI-x",
	} {
		f.Add([]byte(s))
	}
	corpusSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.md", data, testMtime)
		if err != nil {
			var pe *digest.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want a *digest.ParseError", err, err)
			}
			checkPosition(t, data, pe)
			return
		}
		if c.Lenient != nil {
			checkPosition(t, data, c.Lenient)
		}
		if c.Title == "" {
			t.Errorf("empty title")
		}
		for i, tag := range c.Tags {
			if tag == "" || !hasNonDigit(tag) || !norm.NFC.IsNormalString(tag) {
				t.Errorf("bad tag %q", tag)
			}
			for _, u := range c.Tags[:i] {
				if strings.EqualFold(u, tag) {
					t.Errorf("tags %q and %q both kept", u, tag)
				}
			}
		}
		// mayMatch false means no match.
		wants := [][]string{{"AI"}, {"未来趋势"}, {"k"}, {"s"}, {"Café"}, {"AI", "未来趋势"}}
		for _, tag := range c.Tags {
			wants = append(wants, []string{tag}, []string{strings.ToUpper(tag)})
			if i := strings.IndexByte(tag, '/'); i > 0 {
				wants = append(wants, []string{tag[:i]})
			}
		}
		for _, want := range wants {
			tag, ok := c.MatchTag(want)
			if ok && !mayMatch(data, want) {
				t.Errorf("mayMatch(%q) = false, but the clip has tags %q", want, c.Tags)
			}
			// Gathering only the tags that matter for want matches the same.
			cw, err := parse("f.md", data, testMtime, time.Time{}, want)
			if err != nil {
				t.Fatal(err)
			}
			if tagW, okW := cw.MatchTag(want); tagW != tag || okW != ok {
				t.Errorf("for %q, tags %q match %q, %v; all tags %q match %q, %v", want, cw.Tags, tagW, okW, c.Tags, tag, ok)
			}
		}
	})
}

// checkPosition checks that a ParseError points into the file.
func checkPosition(t *testing.T, data []byte, pe *digest.ParseError) {
	t.Helper()
	if pe.Path != "f.md" || pe.Msg == "" {
		t.Fatalf("got %#v, want path f.md and a message", pe)
	}
	lines := bytes.Split(bytes.TrimPrefix(data, bom), []byte("\n"))
	if pe.Line < 1 || pe.Line > len(lines) {
		t.Fatalf("%s: line outside the file's %d lines", pe, len(lines))
	}
	if pe.Col < 0 || pe.Col > len(lines[pe.Line-1])+1 {
		t.Fatalf("%s: column outside line %q", pe, lines[pe.Line-1])
	}
}

func BenchmarkParse(b *testing.B) {
	files := corpusFiles(b, corpusDir(b))
	var all [][]byte
	var size int
	var near30K []byte
	for _, data := range files {
		all = append(all, data)
		size += len(data)
		if near30K == nil || abs(len(data)-30000) < abs(len(near30K)-30000) {
			near30K = data
		}
	}
	b.Run("corpus", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, data := range all {
				Parse("n.md", data, testMtime)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(all)), "ns/file")
	})
	b.Run(fmt.Sprintf("%dB", len(near30K)), func(b *testing.B) {
		b.SetBytes(int64(len(near30K)))
		for b.Loop() {
			Parse("n.md", near30K, testMtime)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestParseWant checks that with the configured tags, a body is parsed for
// the inline tags that can change the match only, and that those are found
// outside code as always.
func TestParseWant(t *testing.T) {
	tests := []struct {
		name, note string
		want       []string
		tags       string
	}{
		{"others left", "---\ntags: [x]\n---\n```\n#todo\n```\n#python #AI\n", []string{"AI"}, "x,AI"},
		{"in code", "```\n#AI\n```\n#python\n", []string{"AI"}, ""},
		{"indented code", "text\n\n    #AI in code\n", []string{"AI"}, ""},
		{"nested", "#AI/LLM and #ml\n", []string{"AI"}, "AI/LLM"},
		{"front has it", "---\ntags: [ai]\n---\n#AI #未来趋势 #ml\n", []string{"AI", "未来趋势"}, "ai,未来趋势"},
		{"all without want", "#AI #ml\n\n```\n#x\n```\n", nil, "AI,ml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse("f.md", []byte(tt.note), testMtime, time.Time{}, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(c.Tags, ","); got != tt.tags {
				t.Errorf("tags %q, want %q", got, tt.tags)
			}
		})
	}
}

func TestMayBeNote(t *testing.T) {
	for note, want := range map[string]bool{
		"---\ndigest: next\n---\n":                  true,
		"---\nDigest: 2026-W48\n---\n":              true,
		"---\n\"digest\": next\n---\n":              true,
		"---\n  title: x\n  digest: next\n---\n":    true,
		"---\n{title: x, DIGEST: next}\n---\n":      true,
		"---\ntitle: digest of the week\n---\n":     false,
		"---\ntitle: x\n---\ndigest: in the body\n": false,
		"digest: no frontmatter\n":                  false,
	} {
		if got := mayBeNote([]byte(note)); got != want {
			t.Errorf("mayBeNote(%q) = %v, want %v", note, got, want)
		}
	}
}
