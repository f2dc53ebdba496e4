# Two commands do everything: `make demo` and `make test`. Each installs what is missing first:
# Debian packages (as root; otherwise it prints the apt-get line to run), a .venv with nnanim, and
# reveal.js and KaTeX from npm (for offline pages; copied into nnanim/vendor, which a wheel carries).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := libcairo2-dev libpango1.0-dev pkg-config ffmpeg graphviz \
	texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm
APT_TEST_PACKAGES := chromium chromium-driver
STAMP_APT := $(VENV)/.apt-ok
STAMP_APT_TEST := $(VENV)/.apt-test-ok
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
VENDOR := nnanim/vendor
STAMP_VENDOR := $(VENV)/.vendor-ok

.PHONY: demo test setup bench wheel

demo: setup
	$(BIN)/nnanim trace -o renders/default.nntrace
	$(BIN)/nnanim trace --data moons -o renders/moons.nntrace
	$(BIN)/nnanim draw -o renders/workshop-graph.svg
	$(BIN)/nnanim draw renders/default.nntrace --after-backward -o renders/default-graph.svg
	$(BIN)/nnanim render --all renders/default.nntrace -q m
	$(BIN)/nnanim render boundary renders/moons.nntrace -q m
	$(BIN)/nnanim explore renders/default.nntrace -o renders/explore.html
	$(BIN)/nnanim slides renders --trace default --trace moons --explore renders/default.nntrace
	$(BIN)/nnanim deck build examples/workshop-deck/slides.md -q m -o renders/workshop-deck
	@echo "demo: open renders/slides/slides.html (or renders/slides/slides.md in Obsidian),"
	@echo "      the workshop's own deck with nnanim's scenes in it: renders/workshop-deck/slides.html,"
	@echo "      and the run to explore, offline: renders/explore.html"

test: setup $(STAMP_APT_TEST)
	$(BIN)/python -m pytest

bench: setup $(STAMP_APT_TEST)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_formula.py
	$(BIN)/python benchmarks/bench_backprop.py
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_calculus.py
	$(BIN)/python benchmarks/bench_trace_scale.py
	$(BIN)/python benchmarks/bench_grade.py
	$(BIN)/python benchmarks/bench_explore.py

setup: $(STAMP_APT) $(STAMP_PY) $(STAMP_NPM) $(STAMP_VENDOR)

# A wheel that writes offline pages wherever it is installed: it carries nnanim/vendor.
wheel: setup
	$(BIN)/pip wheel -q --no-deps -w dist .
	@ls dist/nnanim-*.whl

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "missing system packages; as root run:"; \
			echo "  apt-get update && apt-get install -y --no-install-recommends $$missing"; \
			exit 1; \
		fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

$(STAMP_APT):
	$(call apt_install,$(APT_PACKAGES))
	@mkdir -p $(VENV) && touch $@

$(STAMP_APT_TEST): $(STAMP_APT)
	$(call apt_install,$(APT_TEST_PACKAGES))
	@touch $@

$(STAMP_PY): pyproject.toml $(STAMP_APT)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(STAMP_NPM): package.json package-lock.json $(STAMP_APT)
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" != 0 ]; then echo "npm is missing; as root run: apt-get install -y nodejs npm"; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund
	@touch $@

# What pages need of the npm packages, inside the import package (not committed): nnanim.assets finds it.
$(STAMP_VENDOR): $(STAMP_NPM)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/reveal.js/dist/plugin $(VENDOR)/katex/dist/fonts $(VENDOR)/katex/dist/contrib
	cp node_modules/reveal.js/LICENSE node_modules/reveal.js/package.json $(VENDOR)/reveal.js/
	cp node_modules/reveal.js/dist/reveal.js node_modules/reveal.js/dist/reveal.css \
		node_modules/reveal.js/dist/reset.css $(VENDOR)/reveal.js/dist/
	cp -r node_modules/reveal.js/dist/theme $(VENDOR)/reveal.js/dist/
	cp node_modules/reveal.js/dist/plugin/*.js $(VENDOR)/reveal.js/dist/plugin/
	cp node_modules/katex/LICENSE node_modules/katex/package.json $(VENDOR)/katex/
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css $(VENDOR)/katex/dist/
	cp node_modules/katex/dist/fonts/*.woff2 $(VENDOR)/katex/dist/fonts/
	cp node_modules/katex/dist/contrib/auto-render.min.js $(VENDOR)/katex/dist/contrib/
	@touch $@
