//go:build !unix

package vault

// openNonblock is not needed where named pipes cannot be opened by path.
const openNonblock = 0
