# Two commands on a fresh machine with only Python 3.11+ and make:
#   make run   — set up, load the demo network, run today's daily run, serve http://127.0.0.1:8000
#   make test  — set up and run the whole suite on SQLite and PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint bench bench-reports bench-staff bench-portal bench-sip2 clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/lidgeld migrate
	$(BIN)/lidgeld demo --if-empty
	$(BIN)/lidgeld tick --allow-catch-up
	@echo "staff pages: http://127.0.0.1:8000/staff/ (gent-balie, gent-coordinator, gent-beheerder or balie / lidgeld-demo)  portal: http://127.0.0.1:8000/portal/ (any demo card, PIN 1234)"
	$(BIN)/lidgeld serve

test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# BENCH_ARGS go to the daily-run benchmark; each other benchmark has its own *_ARGS.
# All of them run on PostgreSQL with 1,000,000 borrowers (docs/performance.md).
bench: install
	$(BIN)/python bench/tick_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/reports_bench.py $(REPORTS_BENCH_ARGS)
	$(BIN)/python bench/staff_bench.py $(STAFF_BENCH_ARGS)
	$(BIN)/python bench/portal_bench.py $(PORTAL_BENCH_ARGS)

bench-reports: install
	$(BIN)/python bench/reports_bench.py $(REPORTS_BENCH_ARGS)

bench-staff: install
	$(BIN)/python bench/staff_bench.py $(STAFF_BENCH_ARGS)

bench-portal: install
	$(BIN)/python bench/portal_bench.py $(PORTAL_BENCH_ARGS)

bench-sip2: install
	$(BIN)/python bench/sip2_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .hypothesis
