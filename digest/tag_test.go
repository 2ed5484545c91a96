package digest

import (
	"slices"
	"testing"
)

func TestNormalizeTag(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AI", "AI"},
		{" #AI ", "AI"},
		{"##AI", "#AI"},
		{"# AI", "AI"},
		{"Cafe\u0301", "Caf\u00e9"},
		{"", ""},
		{"#", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTag(tt.in); got != tt.want {
			t.Errorf("NormalizeTag(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
func TestSplitTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"AI", []string{"AI"}},
		{"#AI", []string{"AI"}},
		{"@python_xxt #AI #创新 #个体价值 #未来趋势", []string{"AI", "创新", "个体价值", "未来趋势"}},
		{"@BadUncleX #ClaudeCode #自动化 #AI #工具调用", []string{"ClaudeCode", "自动化", "AI", "工具调用"}},
		{"管理，AI，模型能力，目标层级，决策", []string{"管理", "AI", "模型能力", "目标层级", "决策"}},
		{"端云协同、自进化数据、扩展动作空间", []string{"端云协同", "自进化数据", "扩展动作空间"}},
		{"a, b,c", []string{"a", "b", "c"}},
		{"a;b; c", []string{"a", "b", "c"}},
		{"a\tb\u3000c", []string{"a", "b", "c"}},
		{"Spren/Mistspren", []string{"Spren/Mistspren"}},
		{"@only @handles", nil},
		{"# ## #", []string{"#"}},
		{"", nil},
		{"Cafe\u0301", []string{"Caf\u00e9"}},
	}
	for _, tt := range tests {
		if got := SplitTags(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitTags(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
func TestTagMatches(t *testing.T) {
	tests := []struct {
		have, want string
		ok         bool
	}{
		{"AI", "AI", true},
		{"ai", "AI", true},
		{"Ai", "#ai", true},
		{"AI/LLM", "AI", true},
		{"ai/llm/agents", "AI/LLM", true},
		{"AI/LLM", "AI/LL", false},
		{"AI", "AI/LLM", false},
		{"AI-Agents", "AI", false},
		{"AI开发", "AI", false},
		{"AI工具", "AI", false},
		{"ai-industry", "AI", false},
		{"0to1AI", "AI", false},
		{"AIGC", "AI", false},
		{"未来趋势", "未来趋势", true},
		{"未来趋势/2026", "未来趋势", true},
		{"未来", "未来趋势", false},
		{"Caf\u00e9", "Cafe\u0301", true},
		{"CAFÉ", "café", true},
		{"\u212Aelvin", "kelvin", true}, // KELVIN SIGN folds to k
		{"straße", "STRASSE", false},    // simple folding only, as Obsidian's lower-casing
		{"", "AI", false},
		{"AI", "", false},
	}
	for _, tt := range tests {
		if got := TagMatches(tt.have, tt.want); got != tt.ok {
			t.Errorf("TagMatches(%q, %q): got %v, want %v", tt.have, tt.want, got, tt.ok)
		}
	}
}
func TestMatchTag(t *testing.T) {
	c := &Clip{Tags: []string{"clippings", "未来趋势", "ai/llm"}}
	tests := []struct {
		want []string
		tag  string
		ok   bool
	}{
		{[]string{"AI", "未来趋势"}, "AI", true},
		{[]string{"未来趋势", "AI"}, "未来趋势", true},
		{[]string{"Go"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		if tag, ok := c.MatchTag(tt.want); tag != tt.tag || ok != tt.ok {
			t.Errorf("MatchTag(%q): got %q, %v, want %q, %v", tt.want, tag, ok, tt.tag, tt.ok)
		}
	}
}
