# Sociogram bot kit. `make run` and `make test` are the two commands a fresh
# machine needs; both install what they use.
SHELL := /bin/bash
.DEFAULT_GOAL := build

GO        ?= go
BIN       := bin
TOOLS     := $(CURDIR)/bin/tools
DEV_TOKEN ?= dev-token
PORT      ?= 8080
API_PORT  ?= 8081
FUZZTIME  ?= 20s
STATICCHECK_VERSION := v0.8.2

export GOFLAGS := -buildvcs=false

.PHONY: build run test lint fuzz bench tools check-fmt clean

## build: bin/webhook (plain HTTP) and bin/fakeapi
build:
	$(GO) build -trimpath -o $(BIN)/webhook ./adapters/http/cmd/webhook
	$(GO) build -trimpath -o $(BIN)/fakeapi ./cmd/fakeapi

## run: the example bot on the plain-HTTP adapter against a local fake Bot API
run: build
	@set -m; trap 'kill %1 %2 2>/dev/null; wait' EXIT INT TERM; \
	SOCIOGRAM_BOT_TOKEN=$(DEV_TOKEN) FAKE_API_ADDR=127.0.0.1:$(API_PORT) $(BIN)/fakeapi & \
	SOCIOGRAM_BOT_TOKEN=$(DEV_TOKEN) SOCIOGRAM_API_URL=http://127.0.0.1:$(API_PORT) PORT=$(PORT) $(BIN)/webhook & \
	sleep 1; \
	echo; echo "Bot on http://127.0.0.1:$(PORT)/webhook; its replies print below as 'fakeapi: ... accepted'. Try:"; \
	echo "  curl -i http://127.0.0.1:$(PORT)/webhook -H 'X-App-Key: $(DEV_TOKEN)' -H 'Content-Type: application/json' \\"; \
	echo "    -d '{\"data\":{\"chat-message\":{\"uid\":12345,\"chatId\":\"507f1f77bcf86cd799439011\",\"message\":{\"text\":\"Hello bot!\"}}}}'"; \
	echo "Ctrl-C stops both."; echo; \
	wait

## test: vet, gofmt, the race-enabled unit tests and the end-to-end tests
test: check-fmt
	$(GO) vet ./...
	KIT_REQUIRE_TOOLS=$${KIT_REQUIRE_TOOLS:-0} $(GO) test -race -count=1 ./...

check-fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## lint: staticcheck, pinned
lint:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(TOOLS)/staticcheck ./...

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## bench: in-process benchmarks (numbers go to BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./handler/ ./botapi/

clean:
	rm -rf $(BIN)
