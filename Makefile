# LLM Interview Lab: `make run` serves the lab, `make test` runs every test. Both install what is missing.
# Each install step is a stamp file that depends on what it installs from, so a second run reinstalls nothing.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Where a machine keeps a local wheel folder (this workplace keeps torch's CPU build there), use it even if
# PIP_FIND_LINKS is not in the environment: PyPI's default torch for Linux is the multi-GB CUDA build.
LOCAL_WHEELS := $(wildcard /opt/wheels)
PIP_INSTALL := $(PY) -m pip --disable-pip-version-check install $(if $(LOCAL_WHEELS),--find-links $(LOCAL_WHEELS))
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test bench train static lint pygments-css clean help

help:
	@echo "make run    install what is missing, migrate var/lab.db, serve on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing (test tools and Chromium too) and run every test"
	@echo "make bench  run the benchmarks (medians and p95s)"
	@echo "make train  train the lab's tokenizer and small transformer from scratch"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP_INSTALL) --progress-bar on -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PIP_INSTALL) --progress-bar on -r requirements-dev.txt
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/vendor/htmx.min.js: node_modules/.package-lock.json
	@mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

static: static/vendor/htmx.min.js

$(CHROMIUM):
	@if [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "Browser tests need Debian's Chromium at $(CHROMIUM): run 'sudo apt-get install -y chromium', then 'make test' again." >&2; \
		exit 1; \
	fi

run: $(VENV)/.runtime-installed static
	$(PY) -m app

test: $(VENV)/.dev-installed static $(CHROMIUM)
	$(PY) -m pytest

bench: $(VENV)/.dev-installed static $(CHROMIUM)
	$(PY) -m bench

train: $(VENV)/.runtime-installed
	$(PY) -m app.lm.train

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check app tests bench migrations

pygments-css: $(VENV)/.runtime-installed
	$(PY) -m app.lessons.highlight_css static/css/pygments.css

clean:
	rm -rf $(VENV) node_modules static/vendor
