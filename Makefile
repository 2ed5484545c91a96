# digest: `make run` builds and sends the example issue into a Maildir outbox;
# `make test` is what CI runs.

GO        ?= go
NOW       ?= 2025-05-19T20:00:00+08:00
EXAMPLE   := --config examples/digest.yaml --now $(NOW)
# A count, not a duration: with a duration, a target whose seeds (the shared
# corpus) take longer to run than it fails with "context deadline exceeded".
FUZZTIME  ?= 20000x
export DIGEST_SECRET ?= example-secret-for-make-run-only

.PHONY: all build run test unit fuzz lint bench clean

all: build

build:
	$(GO) build -o bin/digest ./cmd/digest

# The whole job on the bundled example vault: select, publish, and mail the
# issue into ./outbox (a Maildir: `mutt -f outbox`). No mail server needed.
run: build
	./bin/digest $(EXAMPLE) build
	./bin/digest $(EXAMPLE) send
	./bin/digest $(EXAMPLE) status
	@echo
	@echo "Open public/index.html; read the mail with: mutt -f outbox"

# Unit tests last, so that their summary closes the output.
test: lint fuzz unit

unit:
	$(GO) test -race -count=1 ./...

# Every fuzz target, briefly (go test runs one target per invocation).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) || \
				{ echo "$$out" | grep -v '^fuzz: elapsed' | tail -40; exit 1; }; \
		done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...

# Benchmarks against ripgrep and Postfix (not part of make test).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./bench/compare.sh

clean:
	rm -rf bin public outbox .digest
