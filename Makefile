# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BROWSE_STAMP := $(VENV)/.installed-browse

.PHONY: run test typecheck docs browse browser install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

# Only what publishing needs (Datasette and its Atom plugin), not the test extras.
$(BROWSE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[datasette]'
	touch $(STAMP) $@

install: $(STAMP)
install-test: $(TEST_STAMP)

# The nightly flow once, over the embedded sample corpus, into data/sentinella.db.
run: $(STAMP)
	$(BIN)/sentinella run

# The whole test suite (pytest's "no tests collected", exit 5, counts as a failure).
test: $(TEST_STAMP) browser typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Debian's headless chromium and its driver for the browser test (tests/test_browser.py),
# installed when missing (CI runs as root); where apt-get cannot, the test says it is skipped.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium chromium-driver >/dev/null) || \
	  echo "chromium/chromium-driver could not be installed: the browser test will be skipped"

# Regenerate the generated parts of the documentation (docs/cli.md).
docs: $(TEST_STAMP)
	$(BIN)/cog -r -I tools docs/cli.md

# mypy over the installed layout (tools/typecheck.py says why it needs a tree of links).
typecheck: $(TEST_STAMP)
	$(BIN)/python tools/typecheck.py

# Publish the knowledge base read-only in Datasette on http://127.0.0.1:8001
browse: $(BROWSE_STAMP)
	$(BIN)/sentinella browse --db data/sentinella.db --port 8001

clean:
	rm -rf $(VENV) data build *.egg-info
