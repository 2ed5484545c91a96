package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/digest-newsletter/digest/digest"
)

// TestBuildFeedsStable runs `digest build` over a real vault and state: a
// rebuild after a clipping of the issue was edited refreshes the entry under
// the same id until the issue is mailed, and leaves every feed byte
// unchanged after; the next week's issue adds an entry without touching the
// ids or the content of the first.
func TestBuildFeedsStable(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "digest.yaml")
	writeFeedTestFile(t, config, `vault: ./vault
tags: [AI]
out: ./public
state: ./state.db
outbox: ./outbox
site: {title: 剪藏周报, url: "https://digest.example.com/", author: Ada, email: ada@example.com, language: zh-CN}
`)
	clip := func(name, title, created, body string) {
		writeFeedTestFile(t, filepath.Join(dir, "vault", "Clippings", name), "---\ntitle: \""+title+"\"\nsource: \"https://example.com/"+name+
			"\"\nauthor:\n  - \"[[张三]]\"\ncreated: "+created+"\ntags:\n  - \"AI\"\n---\n"+body+"\n")
	}
	build := func(now string) map[string][]byte {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"--config", config, "--now", now, "build"}, &stdout, &stderr); err != nil {
			t.Fatalf("digest build at %s: %v\n%s", now, err, stderr.String())
		}
		out := map[string][]byte{}
		for _, name := range []string{digest.FeedRSS, digest.FeedAtom, digest.FeedJSON} {
			data, err := os.ReadFile(filepath.Join(dir, "public", name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = data
		}
		return out
	}

	clip("llm.md", "大模型的未来", "2026-11-20", "第一段：大模型正在改变写作。")
	first := build("2026-11-23T08:00:00+08:00")
	firstID := "tag:digest.example.com,2026:issues/2026-W48"
	for name, data := range first {
		items := parseFeedItems(t, name, data)
		if len(items) != 1 || items[0].GUID != firstID || !strings.Contains(items[0].Content, "大模型的未来") {
			t.Fatalf("%s after the first build: %+v", name, items)
		}
	}

	// Edited before the issue is mailed, a rebuild the same week refreshes
	// it: the entry keeps its id, shows the edit, and is marked updated.
	clip("llm.md", "改过的标题", "2026-11-20", "完全不同的正文。")
	again := build("2026-11-23T09:30:00+08:00")
	for name, data := range again {
		items := parseFeedItems(t, name, data)
		if len(items) != 1 || items[0].GUID != firstID || !strings.Contains(items[0].Content, "改过的标题") {
			t.Fatalf("%s after a refresh: %+v", name, items)
		}
		if name != digest.FeedRSS && (items[0].UpdatedParsed == nil || !items[0].UpdatedParsed.After(*items[0].PublishedParsed)) {
			t.Errorf("%s: a refreshed entry's updated time %v is not after its publication %v", name, items[0].UpdatedParsed, items[0].PublishedParsed)
		}
	}

	// Once mailed, the issue is final: another edit and rebuild the same
	// week leave every feed byte unchanged.
	t.Setenv("DIGEST_SECRET", "feeds-test-secret-0123456789abcdef")
	writeFeedTestFile(t, filepath.Join(dir, "subscribers.csv"), "email\nann@example.org\n")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--config", config, "--now", "2026-11-23T10:00:00+08:00", "send"}, &stdout, &stderr); err != nil {
		t.Fatalf("send: %v\n%s", err, stderr.String())
	}
	mailed := build("2026-11-23T10:00:00+08:00")
	clip("llm.md", "大模型的未来", "2026-11-20", "又改了一次。")
	final := build("2026-11-23T11:30:00+08:00")
	for name := range mailed {
		if !bytes.Equal(mailed[name], final[name]) {
			t.Errorf("%s changed on rebuild after the issue was mailed:\n%s", name, final[name])
		}
	}

	// Next week brings a new issue; the first entry keeps its id and its
	// snapshot of the clipping.
	clip("agents.md", "智能体上线记", "2026-11-27", "第二周的剪藏。")
	next := build("2026-11-30T08:00:00+08:00")
	for name, data := range next {
		items := parseFeedItems(t, name, data)
		if len(items) != 2 {
			t.Fatalf("%s after the second week: %d items", name, len(items))
		}
		if items[0].GUID != "tag:digest.example.com,2026:issues/2026-W49" || items[1].GUID != firstID {
			t.Errorf("%s ids = %q, %q", name, items[0].GUID, items[1].GUID)
		}
		if !strings.Contains(items[1].Content, "改过的标题") || strings.Contains(string(data), "又改了一次") {
			t.Errorf("%s: the first entry does not hold its snapshot: %s", name, items[1].Content)
		}
	}
}

func parseFeedItems(t *testing.T, name string, data []byte) []*gofeed.Item {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f.Items
}

func writeFeedTestFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
