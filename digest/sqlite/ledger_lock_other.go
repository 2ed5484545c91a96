//go:build !unix

package sqlite

// LockSend is a no-op where flock(2) is not available: do not run two
// senders on one state there.
func (s *Store) LockSend() (release func(), err error) { return func() {}, nil }
