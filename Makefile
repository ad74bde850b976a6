# Two commands for a newcomer: `make lab` opens the course, `make test` runs every test.
# `make lab` installs only what the lessons and exercises use (pip install -e .) into .venv;
# `make test` adds the test extra (pytest, Playwright, nbgrader, Jupyter Book ...) to the same .venv,
# and the front-end files of the website and the JupyterHub test (npm ci). Nothing needs activating.

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
WEB_STAMP := web/node_modules/.installed-stamp
HUB_STAMP := hub/node_modules/.installed-stamp
CHROMIUM := /usr/bin/chromium
# `make lab` serves the repository root (lessons, exercises and solutions are all reachable) and opens
# lesson 00; .venv/bin comes first on PATH, also in JupyterLab's terminal (after the learner's ~/.bashrc,
# jupyter-settings/terminal.bashrc), so the terminal has the course's python and jupyter.
# LAB_ARGS adds options (the browser test passes --no-browser, a port and a token); nothing else differs.
LAB_START := notebooks/00_start_here.ipynb
LAB_TERMINAL_RC := jupyter-settings/terminal.bashrc
LAB_ARGS ?=
LESSONS := $(sort $(wildcard notebooks/*.ipynb))
SOLUTIONS := $(sort $(wildcard solutions/*.ipynb))

.PHONY: env test-env preflight lab grade test lint browser notebooks exercises slides book bench torch clean

$(STAMP): pyproject.toml
	@echo "==> creating $(VENV) and installing the course (numpy, matplotlib, JupyterLab ...): a few minutes the first time"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --progress-bar on --upgrade pip
	$(PY) -m pip install --progress-bar on -e .
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

# the test extra includes the book extra, so it satisfies `make book` too (no second install)
$(TEST_STAMP): $(STAMP)
	@echo "==> installing the test tools (pytest, nbval, Playwright, nbgrader, Jupyter Book ...)"
	$(PY) -m pip install --progress-bar on -e ".[test]"
	touch $(TEST_STAMP) $(BOOK_STAMP)

$(BOOK_STAMP): $(STAMP)
	@echo "==> installing the website builder (Jupyter Book 1.x)"
	$(PY) -m pip install --progress-bar on -e ".[book]"
	touch $(BOOK_STAMP)

# front-end files from npm: reveal.js, MathJax ... for the decks and the website (web/), and the
# JupyterHub proxy for tests/test_hub.py (hub/); npm ci reinstalls only when a lock file changes
$(WEB_STAMP): web/package-lock.json
	@echo "==> installing the decks' and website's front-end files (npm ci in web/)"
	$(PY) tools/vendor_web.py --install
	touch $@

$(HUB_STAMP): hub/package-lock.json
	@echo "==> installing the JupyterHub proxy for the hub test (npm ci in hub/)"
	cd hub && npm ci --no-audit --no-fund
	touch $@

# what `make test` needs from the machine besides Python: a clear failure, never a silent skip
preflight:
	@command -v npm >/dev/null 2>&1 || { echo "make test needs npm (Node.js). On Debian/Ubuntu: sudo apt-get install npm"; exit 1; }
	@test -x $(CHROMIUM) || { echo "make test needs Debian's chromium for the real-browser tests (Playwright drives it)."; \
	  echo "On Debian/Ubuntu: sudo apt-get update && sudo apt-get install chromium"; exit 1; }

# the learner's environment: lessons and exercises, JupyterLab, RISE; nothing of the test or instructor tools
env: $(STAMP) $(LAB_SETTINGS) $(LAB_EXTENSION)

# the learner's environment plus the test extra and the front-end files
test-env: env $(TEST_STAMP) $(WEB_STAMP) $(HUB_STAMP)

# (--allow-root only when run as root, e.g. in a container)
lab: env
	PATH="$(abspath $(VENV))/bin:$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" LSTM_BPTT_VENV="$(abspath $(VENV))" \
	  exec $(abspath $(VENV))/bin/jupyter lab \
	  --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(LAB_START) \
	  --ServerApp.terminado_settings='{"shell_command": ["bash", "--rcfile", "$(CURDIR)/$(LAB_TERMINAL_RC)", "-i"]}' \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# self-study grading of one exercise: make grade NB=exercises/01_forward_pass.ipynb
grade: env
	@test -n "$(NB)" || { echo "usage: make grade NB=exercises/01_forward_pass.ipynb"; exit 2; }
	@$(PY) -m lstm_core.grade "$(NB)"

# LSTM_BPTT_REQUIRE_BROWSER=1: the browser tests fail (never skip) without chromium
test: export LSTM_BPTT_REQUIRE_BROWSER := 1
test: preflight test-env
	$(PY) -m ruff check .
	$(PY) tools/make_exercises.py --check
	$(PY) -m pytest tests notebooks solutions --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300

lint: test-env
	$(PY) -m ruff check .

# real-browser tests only (JupyterLab, decks and the book in headless chromium); LSTM_BPTT_BROWSER_ALL=1
# covers every notebook
browser: export LSTM_BPTT_REQUIRE_BROWSER := 1
browser: preflight test-env
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
	$(PY) -m pip install --progress-bar on torch==2.13.0

clean:
	rm -rf $(VENV) build test-output slides book/_build web/node_modules *.egg-info
