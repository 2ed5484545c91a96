package web

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
)

// contentTypes are the types of the site's files, by name first (the feeds,
// whose extensions say too little), then by extension.
var (
	typeByName = map[string]string{
		"feed.xml":  "application/rss+xml; charset=utf-8",
		"rss.xml":   "application/rss+xml; charset=utf-8",
		"atom.xml":  "application/atom+xml; charset=utf-8",
		"feed.json": "application/feed+json; charset=utf-8",
	}
	typeByExt = map[string]string{
		".html": "text/html; charset=utf-8",
		".md":   "text/markdown; charset=utf-8",
		".xml":  "application/xml; charset=utf-8",
		".json": "application/json; charset=utf-8",
		".txt":  "text/plain; charset=utf-8",
		".css":  "text/css; charset=utf-8",
		".svg":  "image/svg+xml",
		".png":  "image/png",
		".jpg":  "image/jpeg",
		".ico":  "image/x-icon",
	}
)

func contentType(name string) string {
	if t, ok := typeByName[path.Base(name)]; ok {
		return t
	}
	ext := strings.ToLower(path.Ext(name))
	if t, ok := typeByExt[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// static serves a file of the out folder, with ETag and Last-Modified so
// that feed readers polling it get 304 Not Modified. A folder is served by
// its index.html; there are no listings, no hidden files, and nothing
// outside the folder, symbolic links included (os.Root).
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", allowed(r.URL.Path))
		s.message(w, r, http.StatusMethodNotAllowed, "method")
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	dir := name == "" || strings.HasSuffix(name, "/")
	if dir {
		name += "index.html"
	}
	if !fs.ValidPath(name) || hidden(name) {
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	root, err := os.OpenRoot(s.opt.Out)
	if err != nil {
		s.log.Error("static", "err", err)
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("static", "path", name, "err", err)
		}
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	if info.IsDir() {
		// issues/2026-W48 → issues/2026-W48/, where its relative links work,
		// if the folder has a page.
		if idx, err := root.Stat(name + "/index.html"); err == nil && idx.Mode().IsRegular() {
			target := "/" + name + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	if !info.Mode().IsRegular() {
		s.message(w, r, http.StatusNotFound, "notfound")
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	// publish rewrites a file only when it changes, so size and time name a
	// version of it.
	h.Set("ETag", fmt.Sprintf(`"%x-%x"`, info.Size(), info.ModTime().UnixNano()))
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// hidden reports whether a path has a segment starting with a dot: the
// temporary files publish writes, and anything else not meant for readers.
func hidden(name string) bool {
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
