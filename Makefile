# Two commands do all set-up:  `make run` (the app) and `make test` (the test suite).
# Each creates or refreshes the local .venv by itself when pyproject.toml changes.
#   make run   installs only what the app needs (no PyTorch, no converter), then checks for the display and
#              the system libraries Qt needs (hairtint_desktop/qtenv.py: one line naming what to install);
#   make test  installs the test and train extras too, runs ruff, then pytest. The two-minute training
#              smoke test runs only where CI is set (CI=true make test), as .ci/run does.
#   make quick the quick tier while working: ruff, then the tests not marked slow (under a minute; the
#              import contracts included). make test runs them all.
#   make bundle  builds the one-folder app in dist/hairtint/ with PyInstaller (the `bundle` extra,
#              installed into the .venv on first use; the spec puts the installer beside it) and runs
#              the bundle's --self-test from outside the source tree. CI builds it too (tests/packaging,
#              where CI is set).
#   make fuzz  the long, randomized tier of the fuzz suite (tests/fuzz/tiers.py): over 10,000 examples of
#              photos, masks, palettes, split files, settings, rollout state files, registries and command
#              arguments, with the real model in eval and recolor; a new seed each run, printed first and
#              last (again with: make fuzz FUZZ_SEED=N). make test runs the quick tier (a fixed seed).
PYTHON ?= python3
VENV := .venv
HASH := $(shell cat pyproject.toml setup.py | sha256sum | cut -c1-12)
APP := $(VENV)/.installed-app-$(HASH)
ALL := $(VENV)/.installed-all-$(HASH)

.PHONY: run test quick venv bundle fuzz

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(APP): pyproject.toml setup.py | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-app-*
	@touch $@

$(ALL): pyproject.toml setup.py | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e ".[test,train]"
	@rm -f $(VENV)/.installed-all-* $(VENV)/.installed-app-*
	@touch $@ $(APP)

venv: $(ALL)

run: $(APP)
	@$(VENV)/bin/python -m hairtint_desktop.qtenv --check $(ARGS)
	$(VENV)/bin/hairtint $(ARGS)

test: $(ALL)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest $(ARGS)

quick: $(ALL)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -m "not slow" $(ARGS)

fuzz: $(ALL)
	@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "make fuzz: seed $$seed (to run these examples again: make fuzz FUZZ_SEED=$$seed)"; \
	HAIRTINT_FUZZ=long $(VENV)/bin/python -m pytest tests/fuzz -q -p no:cacheprovider --hypothesis-seed=$$seed $(ARGS)

bundle: $(APP)
	$(VENV)/bin/python -m pip install --quiet -e ".[bundle]"
	$(VENV)/bin/python -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/hairtint.spec
	cd / && "$(CURDIR)/dist/hairtint/hairtint" --self-test
