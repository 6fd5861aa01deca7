# Two commands do all set-up:  `make run` (the app) and `make test` (the test suite).
# Each creates or refreshes the local .venv by itself when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test venv

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test,train]"
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/hairtint $(ARGS)

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(ARGS)
