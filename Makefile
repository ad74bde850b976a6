# Two commands for a newcomer: `make lab` opens the course, `make test` runs every test.
# `make lab` installs only what the lessons and exercises use (pip install -e .) into .venv;
# `make test` adds the test extra (pytest, Playwright, nbgrader, Jupyter Book ...) to the same .venv.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
BOOK_STAMP := $(VENV)/.installed-book-stamp
# JupyterLab reads <prefix>/share/jupyter/lab/settings/overrides.json as its defaults: the course's
# settings (no news, no update check) so that the first start asks nothing and calls nothing
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# a tiny prebuilt JupyterLab extension of the course that lets sliders render in RISE's slideshow
RISE_WIDGETS := jupyter-settings/labextensions/lstm-bptt-rise-widgets
LAB_EXTENSION := $(VENV)/share/jupyter/labextensions/lstm-bptt-rise-widgets/static/remoteEntry.js
LESSONS := $(sort $(wildcard notebooks/*.ipynb))
SOLUTIONS := $(sort $(wildcard solutions/*.ipynb))

.PHONY: env test-env lab test lint browser notebooks exercises slides book bench torch clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@# a .venv made before the course pinned jupyterlab-rise 0.42 may hold this JupyterLab 3 extension
	$(PY) -m pip uninstall --quiet --yes jupyterlab-mathjax3 2>/dev/null || true
	touch $(STAMP)

$(LAB_SETTINGS): jupyter-settings/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp jupyter-settings/overrides.json $@

$(LAB_EXTENSION): $(RISE_WIDGETS)/package.json $(RISE_WIDGETS)/static/remoteEntry.js $(STAMP)
	rm -rf $(VENV)/share/jupyter/labextensions/lstm-bptt-rise-widgets
	mkdir -p $(VENV)/share/jupyter/labextensions
	cp -r $(RISE_WIDGETS) $(VENV)/share/jupyter/labextensions/

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(TEST_STAMP)

$(BOOK_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[book]"
	touch $(BOOK_STAMP)

# the learner's environment: lessons and exercises, JupyterLab, RISE; nothing of the test or instructor tools
env: $(STAMP) $(LAB_SETTINGS) $(LAB_EXTENSION)

# the learner's environment plus the test extra
test-env: env $(TEST_STAMP)

# (--allow-root only when run as root, e.g. in a container)
lab: env
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

test: test-env
	$(PY) -m ruff check .
	$(PY) tools/make_exercises.py --check
	$(PY) -m pytest tests notebooks solutions --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300

lint: test-env
	$(PY) -m ruff check .

# real-browser tests only (JupyterLab, decks and the book in headless chromium); LSTM_BPTT_BROWSER_ALL=1
# covers every notebook
browser: test-env
	$(PY) -m pytest -m browser tests/test_browser.py tests/test_book.py

# re-run lessons and solutions top to bottom, saving outputs (do this after changing lstm_core)
notebooks: env
	$(PY) tools/run_notebooks.py $(LESSONS) $(SOLUTIONS)

exercises: env
	$(PY) tools/make_exercises.py

# offline reveal.js decks in slides/ (reveal.js, MathJax, require.js, jQuery from npm into slides/_static)
slides: env
	$(PY) tools/make_slides.py

# the course as a static website in book/_build/html (Jupyter Book 1.x, committed outputs, no execution)
book: env $(BOOK_STAMP)
	$(PY) tools/make_book.py

bench: env
	$(PY) benchmarks/bench_lstm.py
	$(PY) benchmarks/bench_widgets.py

# optional: PyTorch (CPU build) for the reference test and the benchmark
torch: env
	$(PY) -m pip install --quiet torch==2.13.0

clean:
	rm -rf $(VENV) build test-output slides book/_build web/node_modules *.egg-info
