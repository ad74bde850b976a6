# Two commands for a newcomer: `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment in .venv first if it is missing.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LESSONS := $(sort $(wildcard notebooks/*.ipynb))
SOLUTIONS := $(sort $(wildcard solutions/*.ipynb))

.PHONY: env lab test lint browser notebooks exercises slides bench torch clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

env: $(STAMP)

# (--allow-root only when run as root, e.g. in a container)
lab: env
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

test: env
	$(PY) -m ruff check .
	$(PY) tools/make_exercises.py --check
	$(PY) -m pytest tests notebooks solutions --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300

lint: env
	$(PY) -m ruff check .

# real-browser tests only (JupyterLab in headless chromium); LSTM_BPTT_BROWSER_ALL=1 covers every notebook
browser: env
	$(PY) -m pytest -m browser tests/test_browser.py

# re-run lessons and solutions top to bottom, saving outputs (do this after changing lstm_core)
notebooks: env
	$(PY) tools/run_notebooks.py $(LESSONS) $(SOLUTIONS)

exercises: env
	$(PY) tools/make_exercises.py

slides: env
	$(PY) tools/make_slides.py

bench: env
	$(PY) benchmarks/bench_lstm.py
	$(PY) benchmarks/bench_widgets.py

# optional: PyTorch (CPU build) for the reference test and the benchmark
torch: env
	$(PY) -m pip install --quiet torch==2.13.0

clean:
	rm -rf $(VENV) build test-output slides *.egg-info
