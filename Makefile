# The three commands: `make local` (the platform on this machine), `make plan` (planned offline)
# and `make test` (every suite).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
TOX    := $(VENV)/bin/tox
TF     ?= terraform
ENV    ?=
ZIP    := dist/handlers.zip

# pyenv users: make every installed CPython 3.11-3.13 visible at once, newest first, so
# tox finds python3.13 (the Lambda runtime) and python3.11 (the oldest supported).
ifneq ($(shell command -v pyenv 2>/dev/null),)
PYENV_VERSION := $(shell pyenv versions --bare --skip-aliases 2>/dev/null | grep -E '^3\.1[1-3]\.[0-9]+$$' | sort -t. -k2,2nr -k3,3nr | tr '\n' ':' | sed 's/:$$//')
export PYENV_VERSION
endif
# tox makes its envs with uv (tox-uv): from this machine's interpreters, never a download.
export UV_PYTHON_DOWNLOADS := never

# Where this machine has a provider mirror (no internet), Terraform installs from it;
# elsewhere this is empty and Terraform uses the public registry and your own CLI config.
TF_CLI_CONFIG := $(shell $(PYTHON) tools/tf_cli_config.py --write .build/terraform.tfrc)
ifneq ($(TF_CLI_CONFIG),)
export TF_CLI_CONFIG_FILE := $(TF_CLI_CONFIG)
endif

# Go's collector target for terraform and its provider: ~25% less CPU a plan for ~250 MB more
# memory (tools/tf_cli_config.py, TERRAFORM_GOGC); a GOGC of your own is kept.
export GOGC ?= 400

TF_VARS := -var-file=environments/$(if $(ENV),$(ENV),offline).tfvars

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.ready: requirements/tools.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/tools.txt
	touch $@

.PHONY: tools
tools: $(VENV)/.ready

.PHONY: package
package: tools ## build dist/handlers.zip (python3.13 arm64, reproducible) and print its size; PACKAGE_ARGS="--help" for options
	$(TOX) run -q -e package -- $(PACKAGE_ARGS)

.PHONY: web
web: ## build the web app (npm ci from web/package-lock.json, vite) into dist/web/
	@command -v npm >/dev/null || { echo "make web needs Node.js 20.19+ and npm (Debian: apt-get install -y nodejs npm)" >&2; exit 2; }
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	@touch web/node_modules/.make-npm-ci
	@echo "dist/web: $$(find dist/web -type f | wc -l) files, $$(du -sk dist/web | cut -f1) KiB"

# `make local` rebuilds only what changed, by make's own dependency tracking: the zip when the
# handlers, the pins or the packaging tool changed; `npm ci` when the lock file did; the web
# build when the app's sources did; the tox env when its configuration did. Unchanged, it
# starts the platform at once. (`make package` and `make web` always rebuild.)
ZIP_INPUTS := pyproject.toml tox.ini requirements/lambda-constraints.txt tools/package_lambda.py \
	$(shell find src/handlers -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null)
WEB_INPUTS := web/index.html web/package.json web/vite.config.ts web/tsconfig.json schemas/questionnaires.json \
	$(shell find web/src web/public -type f 2>/dev/null)

$(ZIP): $(ZIP_INPUTS) | tools
	$(TOX) run -q -e package

web/node_modules/.make-npm-ci: web/package-lock.json
	@command -v npm >/dev/null || { echo "make local needs Node.js 20.19+ and npm (Debian: apt-get install -y nodejs npm)" >&2; exit 2; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

dist/web/index.html: $(WEB_INPUTS) web/node_modules/.make-npm-ci
	cd web && npm run --silent build

.tox/local/.make-ready: pyproject.toml tox.ini requirements/lambda-constraints.txt | tools
	$(TOX) run -q -e local --notest
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own download is unreachable here).
.PHONY: browser
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	else echo "the browser tests need Chromium: apt-get install -y chromium (as root)" >&2; exit 2; fi

.PHONY: init
init:
	$(if $(ENV),test -f terraform/environments/$(ENV).tfvars || { echo "no terraform/environments/$(ENV).tfvars" >&2; exit 2; },)
	cd terraform && $(TF) init -input=false -lockfile=readonly

.PHONY: plan
plan: package web init ## terraform plan of the platform (offline by default; ENV=dev for a real account)
	cd terraform && $(TF) plan -input=false $(TF_VARS)

.PHONY: apply
apply: package web init ## terraform apply ENV=<env> with your own AWS credentials
	@test -n "$(ENV)" || { echo "make apply needs ENV=<environment> (terraform/environments/<env>.tfvars)" >&2; exit 2; }
	cd terraform && $(TF) apply -input=false $(TF_VARS)

.PHONY: local
local: $(ZIP) dist/web/index.html .tox/local/.make-ready ## the platform on this machine (127.0.0.1, no AWS account); ARGS="--help" for options
	.tox/local/bin/python -m local_runtime $(ARGS)

.PHONY: ops
ops: ## platform-ops: ARGS="list" | "show <queue>" | "redrive <queue> [--yes]" | "replay ..."; ENV=<env> for AWS, else make local's
	$(TOX) run -q -e local --notest
	.tox/local/bin/python -m platform_ops $(if $(ENV),--terraform-dir terraform,--outputs dist/local/outputs.json) $(ARGS)

.PHONY: load
load: ## platform-load on make local's outputs (ARGS="--subscribers 200 --rate 50 ..."; ARGS="--outputs FILE ..." for a deployment; ARGS="--help")
	$(TOX) run -q -e local --notest
	.tox/local/bin/python -m platform_load $(ARGS)

.PHONY: test
# Three suites at a time, the longest first, on this 2-core machine: the apply suite mostly
# waits (the AWS provider's propagation waits, ~25 s a queue or function, even on moto), so a
# third lane fills the cores the other two leave idle; every suite but the local one (the
# critical path) runs at nice 10 (tox.ini's TEST_NICENESS). docs/testing.md has the times. A
# suite that fails prints its whole output; one that passes, its summary line.
test: package web browser ## every suite, three at a time: terraform, local (+ browser), apply (moto), checkov, unit (py3.13; the local runtime and tools on py3.11 too), type, build, docs site, web, lint
	$(TOX) run-parallel --parallel 3 --parallel-no-spinner -e terraform,local,apply,security,py313,py311,type,build,docs,web,lint

.PHONY: bench
bench: package web init ## benchmark: cold init, warm publish, package size, plan time, local platform -> dist/bench.json, docs/performance.md
	$(TOX) run -q -e bench -- $(ARGS)
	$(PYTHON) tools/bench_docs.py --merge dist/bench.json

.PHONY: plan-fixture
plan-fixture: package web ## the trimmed local plan the fast tests start the platform from
	$(PYTHON) tools/plan_fixture.py

.PHONY: mutation
mutation: tools ## mutation testing (mutmut) of the identity rules, history cursors and pattern matcher; score >= 90% (not a test)
	$(TOX) run -q -e mutation

.PHONY: crosscheck
crosscheck: ## the event-pattern corpus through a second implementation (MiniStack, own venv; not a test)
	$(PYTHON) tools/cross_check_patterns.py

.PHONY: lint
lint: tools ## ruff check + ruff format --check
	$(TOX) run -e lint

.PHONY: fmt
fmt: tools ## format Python (ruff) and Terraform (terraform fmt)
	$(TOX) run -q -e format
	$(TF) fmt -recursive terraform
	$(TF) fmt -recursive modules
	$(TF) fmt -recursive tests/terraform/fixtures
	$(TF) fmt -recursive tests/apply

.PHONY: schemas
schemas: tools ## regenerate terraform/contracts.json, schemas/*.json and docs/asyncapi.json (+ its page, asyncapi.md) from the event models
	$(TOX) exec -q -e py313 -- python tools/export_contracts.py
	$(TOX) exec -q -e py313 -- python tools/asyncapi.py

.PHONY: docs
docs: tools ## the module READMEs' Inputs/Outputs tables, then the docs site into dist/site (a broken link fails it)
	$(TOX) exec -q -e py313 -- python tools/module_docs.py
	$(TOX) run -q -e docs

.PHONY: clean
clean: ## remove build output, tox envs and Terraform working dirs
	rm -rf dist .build .tox $(VENV) build
	find . -name .terraform -type d -prune -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
