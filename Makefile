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
REPLY_QUEUE ?=
FUZZTIME  ?= 20s
STATICCHECK_VERSION := v0.8.2
BENCHSTAT_VERSION   := v0.0.0-20260908200009-22c9c6c9d4da
BENCH_OUT := $(BIN)/bench

export GOFLAGS := -buildvcs=false

.PHONY: build run test lint fuzz bench bench-short bench-tools tools check-fmt clean soak

## build: bin/webhook (plain HTTP), bin/fakeapi, bin/emulator and bin/trigger
build:
	$(GO) build -trimpath -o $(BIN)/webhook ./adapters/http/cmd/webhook
	$(GO) build -trimpath -o $(BIN)/gcf ./adapters/gcf/cmd/gcf
	$(GO) build -trimpath -o $(BIN)/fakeapi ./cmd/fakeapi
	$(GO) build -trimpath -o $(BIN)/emulator ./cmd/emulator
	$(GO) build -trimpath -o $(BIN)/trigger ./cmd/trigger
	$(GO) build -trimpath -o $(BIN)/replay-dlq ./cmd/replay-dlq

## run: the example bot and the emulator's chat page, wired to each other
## with a dev token (sociogram dev: builds only the bot, runs the emulator in
## process). Open the URL it prints. Saving a change rebuilds and restarts
## the bot; the chats stay. Ctrl-C stops both. REPLY_QUEUE=local runs the bot
## with its in-process reply queue.
run:
	PORT=$(PORT) EMULATOR_ADDR=$(EMULATOR_ADDR) DEV_TOKEN=$(DEV_TOKEN) REPLY_QUEUE=$(REPLY_QUEUE) GO=$(GO) \
	  $(GO) run ./cmd/sociogram dev

## test: vet, gofmt, the race-enabled unit tests and the end-to-end tests
test: check-fmt
	$(GO) vet ./...
	KIT_REQUIRE_TOOLS=$${KIT_REQUIRE_TOOLS:-0} $(GO) test -race -count=1 ./...

## test-swap: make test on a copy of the kit whose bot/ is another bot (a
## to-do bot): the kit's own tests must not depend on the user's bot
.PHONY: test-swap
test-swap:
	internal/fixture/swap.sh

## test-new: the generator's end-to-end test: `sociogram new -kit $(CURDIR)
## -example $(EXAMPLE)` into a temporary directory, then the new project's make
## test and make build (with the kit's bin/tools on PATH), timed; the project
## is left there when a step fails. EXAMPLE=form starts from the order form.
EXAMPLE ?= menu
.PHONY: test-new
test-new: tools-lambda tools-terraform
	@set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/kit-new-XXXXXX"); proj=$$tmp/newbot; \
	trap 'echo "!! test-new FAILED: the project is left in $$proj" >&2' ERR; \
	secs() { awk -v a="$$1" -v b="$$2" 'BEGIN { printf "%.1f s", b - a }'; }; \
	echo "== test-new: sociogram new -kit $(CURDIR) -example $(EXAMPLE) example.com/newbot $$proj"; \
	t0=$$EPOCHREALTIME; $(GO) run ./cmd/sociogram new -kit $(CURDIR) -example $(EXAMPLE) example.com/newbot $$proj; t1=$$EPOCHREALTIME; \
	echo "== test-new: make test in $$proj"; \
	PATH="$(TOOLS):$$PATH" $(MAKE) -C $$proj --no-print-directory test; t2=$$EPOCHREALTIME; \
	echo "== test-new: make build in $$proj"; \
	$(MAKE) -C $$proj --no-print-directory build; t3=$$EPOCHREALTIME; \
	trap - ERR; rm -rf "$$tmp"; \
	echo "== test-new: PASS (EXAMPLE=$(EXAMPLE)). sociogram new (go run, compile included): $$(secs $$t0 $$t1);" \
	  "first make test: $$(secs $$t1 $$t2); make build: $$(secs $$t2 $$t3)"

## test-slow: the tests too slow for make test, on their own (CI runs it):
## the reply queues' fairness under a 200-reply flood end to end on the
## wall clock, SQS on moto and Pub/Sub push on pstest (about 1 min each)
.PHONY: test-slow
test-slow:
	KIT_SLOW_TESTS=1 KIT_REQUIRE_TOOLS=$${KIT_REQUIRE_TOOLS:-0} $(GO) test -race -count=1 -p 1 -run '^(TestSQSFairMoto|TestPubSubFairE2E)$$' -v ./replyqueue/sqsqueue/ ./replyqueue/pubsubqueue/

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

## bench: in-process benchmarks, then the load benchmark (bench/load) of the
## kit against its hand-written floor on each path: plain HTTP (bin/webhook,
## bench/floor), Cloud Functions (bin/gcf, bench/gcffloor, both on
## functions-framework-go) and Lambda (the bootstrap, bench/lambdafloor, both
## under aws-lambda-rie): CPU per 1k requests with confidence intervals, peak
## RSS, cold start, binary size, instructions per request under callgrind;
## then the plain-HTTP grid and bursts. Writes the numbers into BENCHMARKS.md
## and the plots into docs/bench. About 13 minutes. BENCH_ARGS: more flags.
BENCH_ARGS ?=
bench: bench-tools
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./handler/ ./botapi/ | tee $(BENCH_OUT)/inprocess.txt
	@if GOBIN=$(TOOLS) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION); then \
	  $(TOOLS)/benchstat $(BENCH_OUT)/inprocess.txt > $(BENCH_OUT)/inprocess-stat.txt; \
	else echo "!! benchstat could not be installed: BENCHMARKS.md gets the raw output" >&2; \
	  grep '^Benchmark' $(BENCH_OUT)/inprocess.txt > $(BENCH_OUT)/inprocess-stat.txt; fi
	$(BENCH_OUT)/load -bin $(BENCH_OUT) -rie $(BIN)/tools/aws-lambda-rie -out docs/bench -md BENCHMARKS.md \
	  -inprocess $(BENCH_OUT)/inprocess.txt -inprocess-stat $(BENCH_OUT)/inprocess-stat.txt $(BENCH_ARGS)

## bench-short: a smoke run of the load benchmark on the three paths, with
## instruction counts (well under a minute); its output stays in bin/bench-short
bench-short: bench-tools
	$(BENCH_OUT)/load -short -bin $(BENCH_OUT) -rie $(BIN)/tools/aws-lambda-rie -out $(BIN)/bench-short

## bench-tools: the binaries of the load benchmark in bin/bench: each path's
## kit as built for deploy (make build's flags; the bootstrap with
## LAMBDA_BUILD's for this machine) and its floor with the same flags; the
## kit's mains with a counted exit (bench/kitexit) and the Lambda floor with
## symbols, for callgrind; the harness. Needs aws-lambda-rie and valgrind.
BENCH_LAMBDA = CGO_ENABLED=0 GOOS=linux GOARCH=$$($(GO) env GOARCH) $(GO) build -tags lambda.norpc -trimpath
bench-tools: tools-lambda tools-valgrind
	@mkdir -p $(BENCH_OUT)
	$(GO) build -trimpath -o $(BENCH_OUT)/webhook ./adapters/http/cmd/webhook
	$(GO) build -trimpath -o $(BENCH_OUT)/floor ./bench/floor
	$(GO) build -trimpath -o $(BENCH_OUT)/gcf ./adapters/gcf/cmd/gcf
	$(GO) build -trimpath -o $(BENCH_OUT)/gcffloor ./bench/gcffloor
	$(BENCH_LAMBDA) -ldflags='-s -w -buildid=' -o $(BENCH_OUT)/bootstrap ./adapters/lambda/cmd/bootstrap
	$(BENCH_LAMBDA) -ldflags='-s -w -buildid=' -o $(BENCH_OUT)/lambdafloor ./bench/lambdafloor
	$(GO) build -trimpath -o $(BENCH_OUT)/kitexit-webhook ./bench/kitexit/webhook
	$(GO) build -trimpath -o $(BENCH_OUT)/kitexit-gcf ./bench/kitexit/gcf
	$(BENCH_LAMBDA) -o $(BENCH_OUT)/kitexit-bootstrap ./bench/kitexit/bootstrap
	$(BENCH_LAMBDA) -o $(BENCH_OUT)/lambdafloor-syms ./bench/lambdafloor
	$(GO) build -trimpath -o $(BENCH_OUT)/load ./bench/load

## tools-valgrind: Debian's valgrind (callgrind counts the benchmark's
## instructions per request), when it is missing (needs apt-get and root or
## sudo; says loudly when it cannot, and the benchmark then skips the counts)
.PHONY: tools-valgrind
tools-valgrind:
	@if ! command -v valgrind >/dev/null 2>&1; then \
	  echo "== installing valgrind (instruction counts of make bench)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  if command -v apt-get >/dev/null 2>&1; then \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq valgrind >/dev/null; \
	  fi; \
	  command -v valgrind >/dev/null 2>&1 || echo "!! valgrind could not be installed: make bench and bench-short will NOT count instructions per request" >&2; \
	fi
tools: tools-valgrind

## bench-state: per-user state (bench/state): store calls per kind of turn on
## memstore, DynamoDB (moto) and Firestore (emulator), then a stateful turn of
## the kit against a hand-written floor in alternating trials (in memory, and
## on DynamoDB under moto), then BenchmarkTurn 5 times (kit and floors
## interleaved); prints the tables, also kept in bin/bench/state.md. About
## 3 minutes; needs moto_server, gcloud and java (STATE_ARGS: more flags).
STATE_ARGS ?=
.PHONY: bench-state
bench-state:
	@mkdir -p $(BENCH_OUT); rm -f $(BENCH_OUT)/state.md
	KIT_REQUIRE_TOOLS=1 $(GO) test -count=1 -timeout 30m -run '^(TestCallsPerTurn|TestKitVsFloor)$$' ./bench/state/ \
	  -args -state.full -state.out $(CURDIR)/$(BENCH_OUT)/state.md $(STATE_ARGS) > $(BENCH_OUT)/state-test.txt \
	  || { cat $(BENCH_OUT)/state-test.txt; exit 1; }
	@set -o pipefail; for i in 1 2 3 4 5; do $(GO) test -count=1 -run '^$$' -bench . -benchmem ./bench/state/ || exit 1; done \
	  | tee $(BENCH_OUT)/state-bench.txt
	@{ echo; echo '```'; grep -E '^(goos|goarch|cpu):' $(BENCH_OUT)/state-bench.txt | sort -u; \
	  grep '^Benchmark' $(BENCH_OUT)/state-bench.txt | sort -s -k1,1; echo '```'; } >> $(BENCH_OUT)/state.md
	@echo; cat $(BENCH_OUT)/state.md

## deploy-gcp: the bot on Google Cloud Functions: the upload computed from the
## build and built the buildpack's way (sociogram gcf-source writes
## terraform/.build/source-files.json), then terraform init + apply in
## terraform/ (variables from terraform/terraform.tfvars or TF_VAR_*)
TERRAFORM         ?= $(shell command -v terraform 2>/dev/null || echo $(TOOLS)/terraform)
TERRAFORM_VERSION := v1.5.7
.PHONY: deploy-gcp destroy-gcp tools-terraform
deploy-gcp: tools-terraform
	$(GO) run ./cmd/sociogram gcf-source
	$(TERRAFORM) -chdir=terraform init -input=false
	$(TERRAFORM) -chdir=terraform apply
	@echo "Webhook URL (enter it in the Sociogram Developer Portal): $$($(TERRAFORM) -chdir=terraform output -raw webhook_url)"

## destroy-gcp: remove everything deploy-gcp created
destroy-gcp: tools-terraform
	$(TERRAFORM) -chdir=terraform destroy

## logs-gcp: the deployed function's latest log lines (LOGS_LIMIT, default
## 50); its name, region and project come from terraform/'s state
LOGS_LIMIT ?= 50
.PHONY: logs-gcp
logs-gcp: tools-terraform
	@command -v gcloud >/dev/null 2>&1 || { echo "logs-gcp needs the Google Cloud CLI (gcloud): https://cloud.google.com/sdk/docs/install" >&2; exit 1; }
	@attr() { echo "google_cloudfunctions2_function.bot.$$1" | $(TERRAFORM) -chdir=terraform console 2>/dev/null | tr -d '"'; }; \
	name=$$(attr name); region=$$(attr location); project=$$(attr project); \
	case "$$name" in ""|*"("*) echo "logs-gcp: no function in terraform/'s state: make deploy-gcp first" >&2; exit 1;; esac; \
	gcloud functions logs read "$$name" --gen2 --region "$$region" --project "$$project" --limit $(LOGS_LIMIT)

## tools-terraform: terraform v1.5.7 into bin/tools when none is on PATH (~4.5 min)
tools-terraform:
	@if ! command -v terraform >/dev/null 2>&1 && [ ! -x $(TOOLS)/terraform ]; then \
	  echo "== installing terraform $(TERRAFORM_VERSION) into bin/tools (about 4.5 min)"; \
	  GOBIN=$(TOOLS) $(GO) install github.com/hashicorp/terraform@$(TERRAFORM_VERSION); \
	fi
tools: tools-terraform
test: tools

## tools-browser: Debian's chromium for the emulator's browser test, when it
## is missing (needs apt-get and root or sudo; says loudly when it cannot)
.PHONY: tools-browser
tools-browser:
	@if ! command -v chromium >/dev/null 2>&1; then 	  echo "== installing chromium (browser test of the emulator's chat page)"; 	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; 	  if command -v apt-get >/dev/null 2>&1; then 	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; 	  fi; 	  command -v chromium >/dev/null 2>&1 || echo "!! chromium could not be installed: the browser test will skip (fail under KIT_REQUIRE_TOOLS=1)" >&2; 	fi
tools: tools-browser

## soak: the plain-HTTP server under steady load with 5% Bot API faults
## (SOAK_DURATION, default 60s): no reply lost or duplicated, goroutines and
## heap back to their level
SOAK_DURATION ?= 60s
soak:
	$(GO) test -tags soak -run '^TestSoak$$' -count=1 -v -timeout 10m ./adapters/http/ -args -soak.duration=$(SOAK_DURATION)

clean:
	rm -rf $(BIN)

## ---- AWS Lambda (adapters/lambda, template.yaml, samconfig.toml) ----
## The functions' architecture is chosen in one place: template.yaml's
## Globals (Function: Architectures: [arm64] or [x86_64]). The Lambda builds
## read it from there, so sam build always builds what the template deploys.
## LAMBDA_ARCH=amd64 (or arm64) on the command line builds for another
## machine, e.g. to run a bootstrap under aws-lambda-rie; sam passes none.
LAMBDA_ARCH   := $(shell sed -n 's/^ *Architectures: *\[ *\([a-z0-9_]*\) *\].*/\1/p' template.yaml 2>/dev/null)
LAMBDA_GOARCH_arm64  := arm64
LAMBDA_GOARCH_x86_64 := amd64
LAMBDA_GOARCH_amd64  := amd64
LAMBDA_GOARCH  = $(or $(LAMBDA_GOARCH_$(LAMBDA_ARCH)),$(error Lambda architecture "$(LAMBDA_ARCH)": want arm64 or x86_64, set once in template.yaml as Globals: Function: Architectures: [arm64] on one line (LAMBDA_ARCH=amd64 or arm64 on the command line for a local build)))
LAMBDA_BUILD   = CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_GOARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w -buildid='
## sam build's targets write $(ARTIFACTS_DIR)/bootstrap: without it, refuse
## (rather than write /bootstrap)
NEED_ARTIFACTS_DIR = @[ -n "$(ARTIFACTS_DIR)" ] || { echo "$@: ARTIFACTS_DIR is not set (sam build sets it; by hand: make $@ ARTIFACTS_DIR=DIR)" >&2; exit 2; }
RIE_VERSION   := v0.0.0-20261030222936-bef5c4ba774d
.PHONY: build-lambda build-WebhookFunction deploy-aws destroy-aws logs-aws tools-lambda lint-template bench-lambda

build: build-lambda
## build-lambda: bin/lambda/bootstrap for provided.al2023: static, trimmed,
## -tags lambda.norpc, for template.yaml's architecture (`make build
## LAMBDA_ARCH=amd64` for an x86_64 machine)
build-lambda:
	$(LAMBDA_BUILD) -o $(BIN)/lambda/bootstrap ./adapters/lambda/cmd/bootstrap
	$(LAMBDA_BUILD) -o $(BIN)/lambda/sender/bootstrap ./adapters/lambda/cmd/sender

## build-WebhookFunction: what `sam build` runs for the function
## (Metadata: BuildMethod: makefile); sam sets ARTIFACTS_DIR
build-WebhookFunction:
	$(NEED_ARTIFACTS_DIR)
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./adapters/lambda/cmd/bootstrap

## build-SenderFunction: the reply queue's sender (template.yaml,
## QueueReplies=on), built the same way
.PHONY: build-SenderFunction
build-SenderFunction:
	$(NEED_ARTIFACTS_DIR)
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./adapters/lambda/cmd/sender

## deploy-aws: sam build && sam deploy (guided the first time, i.e. while
## samconfig.toml has no region; GUIDED=1 forces it)
deploy-aws:
	@command -v sam >/dev/null 2>&1 || { echo "deploy-aws needs the AWS SAM CLI (and AWS credentials): https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html" >&2; exit 1; }
	sam build
	@if [ -n "$(GUIDED)" ] || ! grep -q '^region' samconfig.toml; then sam deploy --guided; else sam deploy; fi

## destroy-aws: delete the stack (function, API, secret, log group)
destroy-aws:
	sam delete

## logs-aws: follow the function's logs
logs-aws:
	sam logs --name WebhookFunction --tail

## tools-lambda: aws-lambda-rie (the Lambda runtime interface emulator) into bin/tools
tools-lambda:
	@if [ ! -x $(TOOLS)/aws-lambda-rie ]; then \
	  echo "== installing aws-lambda-rie into bin/tools (about 1 min)"; \
	  GOBIN=$(TOOLS) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION); \
	fi
tools: tools-lambda

## lint-template: cfn-lint (with the SAM translator) on template.yaml, with the
## reply queue off (the default) and on; fails loudly when cfn-lint is missing
lint-template:
	@command -v cfn-lint >/dev/null 2>&1 || { echo "!! cfn-lint is not installed: template.yaml is NOT checked (pip install cfn-lint)" >&2; exit 1; }
	cfn-lint template.yaml
	cfn-lint --parameters QueueReplies=on BotToken=lint-only -- template.yaml

## bench-lambda: bootstrap size, cold start and warm latency under the
## emulator, beside the minimal aws-lambda-go function in bench/lambdafloor
bench-lambda: tools-lambda
	$(GO) run ./bench/lambdabench -rie $(TOOLS)/aws-lambda-rie
