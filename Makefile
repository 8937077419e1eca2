# faxgate: `make run` to try it, `make test` for the whole suite.
GO      ?= go
BIN     := bin/faxgate
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
ARGS    ?=

.PHONY: all deps build run test test-short bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh run

build: deps
	CGO_ENABLED=1 $(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/faxgate

# Builds, migrates, creates the first admin if there is none (its password is
# printed once) and serves the portal on :8080. ARGS adds flags to serve.
run: build
	./$(BIN) serve $(ARGS)

test:
	@scripts/test.sh

# Fast unit tests only (no browser, no long engine matrices).
test-short:
	CGO_ENABLED=1 $(GO) test -short -count=1 ./...

bench:
	CGO_ENABLED=1 $(GO) test -run='^$$' -bench=. -benchmem ./...

fuzz:
	FUZZTIME=$${FUZZTIME:-60s} scripts/fuzz-short.sh

clean:
	rm -rf bin
