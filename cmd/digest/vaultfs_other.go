//go:build !linux

package main

import (
	"io/fs"
	"os"
)

func newVaultFS(root string) fs.FS { return os.DirFS(root) }
