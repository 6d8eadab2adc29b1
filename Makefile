# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,distributed]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	@echo "staffcast dashboard on http://localhost:8501 (Ctrl-C stops it)"
	$(VENV)/bin/streamlit run app.py --server.headless true

test: $(STAMP_TEST)
	$(PY) -m pytest -n 2 -q

# Benchmarks run in their own environment: the peers (statsforecast) pin older pandas than the runtime.
BENCH_VENV := .venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: pyproject.toml
	test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet -e '.[bench,distributed]'
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) bench/queueing_bench.py
	$(BENCH_PY) bench/simulation_bench.py
	$(BENCH_PY) bench/forecast_bench.py
	$(BENCH_PY) bench/pipeline_bench.py
	$(BENCH_PY) bench/schedule_bench.py
	$(BENCH_PY) bench/capacity_bench.py
	$(BENCH_PY) bench/dashboard_bench.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) *.egg-info .pytest_cache .hypothesis
