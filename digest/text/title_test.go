package text

import "testing"

func TestCleanTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"****react+Nodejs+Mysql 存取富文本文档问题**** - V2EX", "react+Nodejs+Mysql 存取富文本文档问题 - V2EX"},
		{"# Skill Issue Harness Engineering for Coding Agents", "Skill Issue Harness Engineering for Coding Agents"},
		{"\u200eEmmanuel\u00a0\u00a0Macron\u202e appelle", "Emmanuel Macron appelle"},
		{"(93 封私信 / 2 条消息) 对人工智能毫无了解 - 知乎", "对人工智能毫无了解 - 知乎"},
		{"(3) Home / X", "Home / X"},
		{"(2024) A year in review", "(2024) A year in review"},
		{"C# in depth", "C# in depth"},
		{"  spaced\ttitle  ", "spaced title"},
	}
	for _, tt := range tests {
		if got := CleanTitle(tt.in); got != tt.want {
			t.Errorf("CleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsPlaceholderTitle(t *testing.T) {
	for _, s := range []string{"ChatGPT", "Claude", "Untitled", "Untitled 3", "introduction.html", "", "无标题"} {
		if !IsPlaceholderTitle(s) {
			t.Errorf("IsPlaceholderTitle(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"Claude Code 多任务处理变简单", "Writing a good CLAUDE.md", "404wolf.com", "Index funds explained"} {
		if IsPlaceholderTitle(s) {
			t.Errorf("IsPlaceholderTitle(%q) = true, want false", s)
		}
	}
}

func TestFirstHeading(t *testing.T) {
	if got := FirstHeading([]byte("intro\n\n## **The** real title\n\n# Later")); got != "The real title" {
		t.Errorf("FirstHeading = %q", got)
	}
}

func TestAuthor(t *testing.T) {
	tests := []struct{ name, site, want string }{
		{"Jane Doe", "example.org", "Jane Doe"},
		{"@dotey", "x.com", "@dotey"},
		{"https://media.geeksforgeeks.org/auth/avatar.png", "", ""},
		{"editor@thelancet.com", "", ""},
		{"unknown", "", ""},
		{"[[Unknown]]", "", ""},
		{"Admin", "", ""},
		{"Sign in", "", ""},
		{"dev.to", "dev.to", ""},
		{"Zenn", "zenn.dev", ""},
		{"Wikipedia", "en.wikipedia.org", ""},
		{"yamory | 脆弱性管理クラウド | SBOM対応", "yamory.io", ""},
		{"阿里云计算", "help.aliyun.com", "阿里云计算"},
		{"Atusy's blog", "blog.atusy.net", "Atusy's blog"},
	}
	for _, tt := range tests {
		if got := Author(tt.name, tt.site); got != tt.want {
			t.Errorf("Author(%q, %q) = %q, want %q", tt.name, tt.site, got, tt.want)
		}
	}
}

func TestHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"www.example.com", "example.com"}, {"ch", ""}, {"localhost", ""}, {"EXAMPLE.org.", "example.org"},
		{"xn--fiqs8s.cn", "xn--fiqs8s.cn"}, {"例子.中国", "例子.中国"},
	}
	for _, tt := range tests {
		if got := Host(tt.in); got != tt.want {
			t.Errorf("Host(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProseLeavesOutCodeAndTables(t *testing.T) {
	body := []byte("Some prose here.\n\n```go\nfunc main() { println(\"not prose at all\") }\n```\n\n| a | b |\n|---|---|\n| cell | text |\n")
	if got := Prose(body); got != "Some prose here." {
		t.Errorf("Prose = %q, want the paragraph alone", got)
	}
	if got := ReadingMinutes(Prose([]byte("| a | b |\n|---|---|\n| x | y |\n"))); got != 0 {
		t.Errorf("a table-only note reads in %d min, want 0", got)
	}
}
