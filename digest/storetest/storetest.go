// Package storetest is the conformance test of digest.State: every backend
// of the state (SQLite today, Postgres tomorrow) runs it from its own tests,
// so that the rest of the program can rely on the same behaviour.
package storetest

import (
	"testing"

	"github.com/digest-newsletter/digest/digest"
)

// Opener opens the state of one test. Each call returns a new handle to the
// same state, as a second process would see it; the test closes it.
type Opener func() (digest.State, error)

// Run runs every conformance test. newState makes an empty state for one
// test and returns its opener.
func Run(t *testing.T, newState func(t *testing.T) Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"IssueRoundTrip", testIssueRoundTrip},
		{"LedgerLifecycle", testLedgerLifecycle},
		{"LedgerRecoverSending", testLedgerRecoverSending},
		{"LedgerResumeKeepsState", testLedgerResumeKeepsState},
		{"LedgerSuppressedAtTheirTurn", testLedgerSuppressedAtTheirTurn},
		{"LedgerBounces", testLedgerBounces},
		{"LedgerBatches", testLedgerBatches},
		{"LockSend", testLockSend},
		{"RequestConfirmationLimits", testRequestConfirmationLimits},
		{"ConfirmAndStream", testConfirmAndStream},
		{"ConfirmNeverLiftsLaterSuppression", testConfirmNeverLiftsLaterSuppression},
		{"ImportPreferencesErase", testImportPreferencesErase},
		{"SubscribersStreamWhileWriting", testSubscribersStreamWhileWriting},
		{"Lease", testLease},
		{"LeaseHold", testLeaseHold},
		{"Runs", testRuns},
		{"Settings", testSettings},
		{"SoftBounces", testSoftBounces},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newState(t)) })
	}
}

// mustOpen opens a handle to the test's state, closed when the test ends.
func mustOpen(t *testing.T, open Opener) digest.State {
	t.Helper()
	s, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
