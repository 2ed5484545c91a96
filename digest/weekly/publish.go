package weekly

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/digest-newsletter/digest/digest"
)

// Publish renders the whole site from the saved issues into out/: the
// archive, every issue as a page and as Markdown, and the feeds. Each file is
// replaced atomically, so a reader never sees half a page.
func (n *Newsletter) Publish(ctx context.Context) error {
	r, err := n.render()
	if err != nil {
		return err
	}
	issues, err := n.State.Issues(ctx, 0)
	if err != nil {
		return err
	}
	site := n.Config.Site
	out := n.Config.Out
	var buf bytes.Buffer
	write := func(name string, render func() error) error {
		buf.Reset()
		if err := render(); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		return writeFileAtomic(filepath.Join(out, filepath.FromSlash(name)), buf.Bytes())
	}
	for i, is := range issues { // newest first
		var prev, next *digest.Issue
		if i+1 < len(issues) {
			prev = issues[i+1]
		}
		if i > 0 {
			next = issues[i-1]
		}
		if err := write(is.Path()+"index.html", func() error { return r.IssuePageNav(&buf, site, is, prev, next) }); err != nil {
			return err
		}
		if err := write(is.Path()+"index.md", func() error { return r.IssueMarkdown(&buf, site, is) }); err != nil {
			return err
		}
	}
	if err := write("index.html", func() error { return r.Index(&buf, site, issues) }); err != nil {
		return err
	}
	feeds, err := r.Feeds(site, issues, n.Config.Feed.Entries)
	if err != nil {
		return err
	}
	if err := write(digest.FeedRSS, func() error { return feeds.WriteRSS(&buf) }); err != nil {
		return err
	}
	if err := write(digest.FeedAtom, func() error { return feeds.WriteAtom(&buf) }); err != nil {
		return err
	}
	if err := write(digest.FeedJSON, func() error { return feeds.WriteJSON(&buf) }); err != nil {
		return err
	}
	// One set of feeds per configured tag, for readers who want only one.
	for _, tag := range n.Config.Tags {
		tf, err := r.TagFeeds(site, tag, issues, n.Config.Feed.Entries)
		if err != nil {
			return err
		}
		dir := digest.TagDir(tag)
		for name, w := range map[string]func(io.Writer) error{
			digest.FeedRSS: tf.WriteRSS, digest.FeedAtom: tf.WriteAtom, digest.FeedJSON: tf.WriteJSON,
		} {
			if err := write(dir+name, func() error { return w(&buf) }); err != nil {
				return err
			}
		}
	}
	return write("favicon.svg", func() error { return r.Favicon(&buf) })
}

// writeFileAtomic writes data to a temporary file beside name and renames it
// into place, skipping the write when the content is unchanged (so that
// Last-Modified stays stable for feed readers).
func writeFileAtomic(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
