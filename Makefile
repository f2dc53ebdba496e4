# Two commands do everything: `make demo` and `make test`. Each installs what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := libcairo2-dev libpango1.0-dev pkg-config ffmpeg graphviz \
	texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm
STAMP_APT := $(VENV)/.apt-ok
STAMP_PY := $(VENV)/.installed

.PHONY: demo test setup bench

demo: setup
	$(BIN)/nnanim trace -o renders/default.nntrace
	$(BIN)/nnanim draw -o renders/workshop-graph.svg
	$(BIN)/nnanim draw renders/default.nntrace --after-backward -o renders/default-graph.svg
	$(BIN)/nnanim render formula renders/default.nntrace -q m
	$(BIN)/nnanim render loss-formula renders/default.nntrace -q m
	$(BIN)/nnanim render backprop -q m
	$(BIN)/nnanim render backprop renders/default.nntrace --neuron 0,3 -q m
	$(BIN)/nnanim render gradient-rules -q m
	$(BIN)/nnanim render neuron renders/default.nntrace -q m
	$(BIN)/nnanim render layer renders/default.nntrace -q m
	$(BIN)/nnanim render mlp renders/default.nntrace -q m
	$(BIN)/nnanim render forward renders/default.nntrace --step -1 -q m
	$(BIN)/nnanim render representations renders/default.nntrace --step -1 --compare -q m
	$(BIN)/nnanim render loss renders/default.nntrace -q m
	$(BIN)/nnanim render training renders/default.nntrace -q m
	$(BIN)/nnanim trace --data moons -o renders/moons.nntrace
	$(BIN)/nnanim render boundary renders/moons.nntrace -q m
	$(BIN)/nnanim render derivative -q m
	$(BIN)/nnanim render descent -q m
	@echo "demo: renders/ holds the default trace, its graph pictures and the rendered scenes"

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_formula.py
	$(BIN)/python benchmarks/bench_backprop.py
	$(BIN)/python benchmarks/bench_training.py

setup: $(STAMP_APT) $(STAMP_PY)

$(STAMP_APT):
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "missing system packages; as root run:"; \
			echo "  apt-get update && apt-get install -y --no-install-recommends $$missing"; \
			exit 1; \
		fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

$(STAMP_PY): pyproject.toml $(STAMP_APT)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@
