package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the digest command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"digest": main})
}

// TestScripts runs the CLI scenarios in testdata/script against the real
// command: temp vaults, real SQLite state, real output files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			env.Setenv("DIGEST_SECRET", "script-test-secret-0123456789abcdef")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
	})
}
