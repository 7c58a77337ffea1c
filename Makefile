# commbench: build, test, demo and benchmarks. `make help` lists the targets.
SHELL := /bin/bash
GO    ?= go
PKGS  ?= ./...

# The pact build tag links pact-go (the reference implementation) against libpact_ffi, which
# scripts/install-pact-ffi.sh puts in .tools/pact/lib.
PACT_LIB       := $(CURDIR)/.tools/pact/lib
export CGO_LDFLAGS     := -L$(PACT_LIB) $(CGO_LDFLAGS)
export LD_LIBRARY_PATH := $(PACT_LIB):$(LD_LIBRARY_PATH)
export PACT_DO_NOT_TRACK := true
TAGS ?= pact

.PHONY: help build test test-deps fmt-check vet unit demo bench bench-rss bench-peers fuzz clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/commbench
	$(GO) build -o bin/commbench ./cmd/commbench

test: test-deps fmt-check vet unit ## everything CI runs: gofmt check, go vet, go test -race (with the pact tag)

test-deps: ## install or start what the tests need (RabbitMQ, libpact_ffi, the pact CLI, Chromium, xmllint)
	@bash scripts/ensure-rabbitmq.sh
	@bash scripts/install-pact-ffi.sh >/dev/null
	@bash scripts/install-pact-cli.sh >/dev/null
	@bash scripts/ensure-chromium.sh >/dev/null
	@bash scripts/ensure-xmllint.sh >/dev/null

fmt-check: ## fail on files gofmt would change
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet -tags $(TAGS) $(PKGS)

unit: ## go test -race -count=1
	$(GO) test -tags $(TAGS) -race -count=1 $(PKGS)

demo: ## the main job: the embedded demo, reports in commbench-demo/
	@echo "make demo: compiling bin/commbench (a first build on a fresh machine compiles every dependency: about 2 minutes on 2 CPUs; later builds take seconds)"
	@$(GO) build -o bin/commbench ./cmd/commbench
	./bin/commbench demo

bench: ## go test benchmarks of the hot paths (formats, matcher, load engine)
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

bench-rss: ## peak RSS of the binary on large and hostile inputs (decode --ocf, verify of large pacts)
	COMMBENCH_RSS=1 $(GO) test -run '^$$' -bench RSS -benchtime 1x ./cmd/commbench

fuzz: ## run every fuzz target for FUZZTIME each (default 20s), corpus kept in testdata/fuzz
	FUZZTIME=$(or $(FUZZTIME),20s) bash scripts/fuzz.sh

bench-peers: ## compare commbench with wrk, hey and ghz on local targets
	bash scripts/bench-peers.sh

clean: ## remove build outputs and reports
	rm -rf bin commbench-demo reports-out
