// Package templates holds the default templates of the pages, feeds and
// email, embedded in the binary. A folder named by the `templates` setting
// overrides them file by file.
package templates

import (
	"embed"
	"errors"
	"io/fs"
	"os"
)

//go:embed *.html *.md *.txt *.svg
var embedded embed.FS

// Default is the embedded templates.
var Default fs.FS = embedded

// Overlay returns the templates with any file in dir taking the place of the
// embedded one of the same name. An empty dir means the defaults.
func Overlay(dir string) (fs.FS, error) {
	if dir == "" {
		return Default, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, errors.New(dir + " is not a folder")
	}
	return overlay{top: os.DirFS(dir), base: Default}, nil
}

type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}
