# LLM Interview Lab: `make run` serves the lab, `make test` runs every test. Both install what is missing.
# Each install step is a stamp file that depends on what it installs from, so a second run reinstalls nothing.

# Python: the first supported interpreter on PATH, unless PYTHON names one. Only versions whose full test suite
# has passed with the pinned packages are listed (pyproject.toml's requires-python says the same).
SUPPORTED_PYTHONS := 3.11 3.12
PYTHON ?= $(firstword $(foreach v,$(SUPPORTED_PYTHONS),$(shell command -v python$(v) 2>/dev/null)))
VENV := .venv
PY := $(VENV)/bin/python
# torch: the CPU build unless told otherwise. PyPI's default torch for Linux is the multi-GB CUDA build, so
# pip also looks in a local wheel folder holding torch (this workplace keeps the CPU build in /opt/wheels) or,
# where there is none, in PyTorch's CPU index, whose 2.13.0+cpu outranks PyPI's 2.13.0.
# For a CUDA build: TORCH_INDEX=https://download.pytorch.org/whl/cu130 make run
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(TORCH_CPU_INDEX)
LOCAL_WHEELS ?= /opt/wheels
LOCAL_TORCH := $(wildcard $(LOCAL_WHEELS)/torch-*.whl)
ifeq ($(TORCH_INDEX)$(if $(LOCAL_TORCH),local),$(TORCH_CPU_INDEX)local)
TORCH_SOURCE := --find-links $(LOCAL_WHEELS)
else
TORCH_SOURCE := --extra-index-url $(TORCH_INDEX)
endif
PIP_INSTALL := $(PY) -m pip --disable-pip-version-check install $(TORCH_SOURCE)
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test bench bench-load train static lint pygments-css clean help

help:
	@echo "make run    install what is missing, migrate var/lab.db, serve on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing (test tools and Chromium too) and run every test"
	@echo "make bench  run the benchmarks (medians and p95s)"
	@echo "make bench-load  simulated learners against real servers (LEARNERS=100 SECONDS=60 CONFIGS=... STEPS=20,50,100)"
	@echo "make train  train the lab's tokenizer and small transformer from scratch"

# Checked only when the virtual environment must be made; $(error) stops make with this one line.
PYTHON_OK = $(if $(PYTHON),$(shell "$(PYTHON)" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null \
	| grep -xF -e $(subst $() , -e ,$(SUPPORTED_PYTHONS))))

$(PY):
	$(if $(PYTHON_OK),,$(error the lab needs Python $(subst $() , or ,$(SUPPORTED_PYTHONS)) with venv and pip ($(if $(PYTHON),'$(PYTHON)' is not that,none is on PATH)): install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11) or set PYTHON=/path/to/python3.11))
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

# Load: LEARNERS simulated learners for SECONDS against each of CONFIGS (sqlite-N, postgres-N, bare); STEPS=20,50,100
# steps the learner count instead and reports the sustainable throughput. About 6 minutes with the defaults.
LEARNERS ?= 100
SECONDS ?= 60
CONFIGS ?= sqlite-1,sqlite-2,postgres-2,bare
bench-load: $(VENV)/.dev-installed static
	$(PY) -m bench.load --learners $(LEARNERS) --seconds $(SECONDS) --configs $(CONFIGS) $(if $(STEPS),--steps $(STEPS))

train: $(VENV)/.runtime-installed
	$(PY) -m app.lm.train

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check app tests bench migrations

pygments-css: $(VENV)/.runtime-installed
	$(PY) -m app.lessons.highlight_css static/css/pygments.css

clean:
	rm -rf $(VENV) node_modules static/vendor
