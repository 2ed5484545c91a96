//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/digest-newsletter/digest/digest"
)

// LockSend takes the state's sending lock, held until release is called or
// the process exits (however it exits: the kernel drops the lock), so that
// two senders never work the same ledger and a live sender's rows are never
// taken for a dead one's.
func (s *Store) LockSend() (release func(), err error) {
	name := s.path + ".send-lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", name, digest.ErrSendLocked)
		}
		return nil, fmt.Errorf("state: lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}
