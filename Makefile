# Sociogram bot kit. `make run` and `make test` are the two commands a fresh
# machine needs; both install what they use.
SHELL := /bin/bash
.DEFAULT_GOAL := build

GO        ?= go
BIN       := bin
TOOLS     := $(CURDIR)/bin/tools
DEV_TOKEN ?= dev-token
PORT      ?= 8080
EMULATOR_ADDR ?= 127.0.0.1:8090
FUZZTIME  ?= 20s
STATICCHECK_VERSION := v0.8.2

export GOFLAGS := -buildvcs=false

.PHONY: build run test lint fuzz bench tools check-fmt clean soak

## build: bin/webhook (plain HTTP), bin/fakeapi, bin/emulator and bin/trigger
build:
	$(GO) build -trimpath -o $(BIN)/webhook ./adapters/http/cmd/webhook
	$(GO) build -trimpath -o $(BIN)/gcf ./adapters/gcf/cmd/gcf
	$(GO) build -trimpath -o $(BIN)/fakeapi ./cmd/fakeapi
	$(GO) build -trimpath -o $(BIN)/emulator ./cmd/emulator
	$(GO) build -trimpath -o $(BIN)/trigger ./cmd/trigger

## run: the example bot (bin/webhook) and the emulator's chat page, wired to
## each other with a dev token. Open the URL it prints; Ctrl-C stops both.
run: build
	@set -m; trap 'kill %1 %2 2>/dev/null; wait' EXIT INT TERM; \
	SOCIOGRAM_BOT_TOKEN=$(DEV_TOKEN) EMULATOR_ADDR=$(EMULATOR_ADDR) BOT_URL=http://127.0.0.1:$(PORT)/webhook \
	  $(BIN)/emulator >/dev/null & \
	SOCIOGRAM_BOT_TOKEN=$(DEV_TOKEN) SOCIOGRAM_API_URL=http://$(EMULATOR_ADDR) PORT=$(PORT) $(BIN)/webhook & \
	addr=$(EMULATOR_ADDR); for i in $$(seq 50); do \
	  (exec 3<>/dev/tcp/$${addr%:*}/$${addr##*:}) 2>/dev/null && break; sleep 0.1; done; \
	echo; echo "  Open http://$(EMULATOR_ADDR)/ to chat with the example bot."; \
	echo "  (bot: http://127.0.0.1:$(PORT)/webhook; its log follows; Ctrl-C stops both)"; echo; \
	wait -n

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

## deploy-gcp: the bot on Google Cloud Functions (terraform init + apply in
## terraform/; variables from terraform/terraform.tfvars or TF_VAR_*)
TERRAFORM         ?= $(shell command -v terraform 2>/dev/null || echo $(TOOLS)/terraform)
TERRAFORM_VERSION := v1.5.7
.PHONY: deploy-gcp destroy-gcp tools-terraform
deploy-gcp: tools-terraform
	$(TERRAFORM) -chdir=terraform init -input=false
	$(TERRAFORM) -chdir=terraform apply
	@echo "Webhook URL (enter it in the Sociogram Developer Portal): $$($(TERRAFORM) -chdir=terraform output -raw webhook_url)"

## destroy-gcp: remove everything deploy-gcp created
destroy-gcp: tools-terraform
	$(TERRAFORM) -chdir=terraform destroy

## tools-terraform: terraform v1.5.7 into bin/tools when none is on PATH (~4.5 min)
tools-terraform:
	@if ! command -v terraform >/dev/null 2>&1 && [ ! -x $(TOOLS)/terraform ]; then \
	  echo "== installing terraform $(TERRAFORM_VERSION) into bin/tools (about 4.5 min)"; \
	  GOBIN=$(TOOLS) $(GO) install github.com/hashicorp/terraform@$(TERRAFORM_VERSION); \
	fi
tools: tools-terraform
test: tools

## soak: the plain-HTTP server under steady load with 5% Bot API faults
## (SOAK_DURATION, default 60s): no reply lost or duplicated, goroutines and
## heap back to their level
SOAK_DURATION ?= 60s
soak:
	$(GO) test -tags soak -run '^TestSoak$$' -count=1 -v -timeout 10m ./adapters/http/ -args -soak.duration=$(SOAK_DURATION)

clean:
	rm -rf $(BIN)
