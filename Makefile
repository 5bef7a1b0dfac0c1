# Both entry commands build .venv from nothing, so a fresh clone needs only python3.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE ?= samples/002_de489847e14864e5.txt

.PHONY: setup demo docs test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/xlgoals import $(SAMPLE) -o out/unit.xlsx
	$(BIN)/xlgoals validate out/unit.xlsx --write-back out/unit_checked.xlsx || test $$? -eq 1
	$(BIN)/xlgoals rollup out/unit.xlsx --write-back out/unit_summary.xlsx
	$(BIN)/xlgoals consolidate out/unit.xlsx -o out/department_summary.xlsx --csv out/department_csv
	$(BIN)/xlgoals template -o out/xlgoals_template.xlsm --xlsm
	$(BIN)/xlgoals selfeval out/unit.xlsx -o out/unit_selfeval.xlsx

# The README's pictures: the demo's workbooks printed by LibreOffice, as a budget officer would print them.
docs: demo
	$(BIN)/python docs/pictures.py

lint: $(STAMP)
	$(BIN)/ruff check xlgoals tests benchmarks docs
	$(BIN)/ruff format --check xlgoals tests benchmarks docs

typecheck: $(STAMP)
	$(BIN)/mypy xlgoals

test: $(STAMP) lint typecheck
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/validate_bench.py
	$(BIN)/python benchmarks/consolidate_bench.py
	$(BIN)/python benchmarks/consolidate_bench.py --live --units 200
	$(BIN)/python benchmarks/click_bench.py
	$(BIN)/python benchmarks/archive_bench.py
	$(BIN)/python benchmarks/serve_bench.py
	$(BIN)/python benchmarks/writeback_bench.py
	$(BIN)/python benchmarks/live_bench.py
	$(BIN)/python benchmarks/live_bench.py --selfeval

# Time per file and memory at 1,000/2,000/4,000 files: generating 4,000 workbooks takes minutes, so apart.
.PHONY: bench-scale
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/consolidate_bench.py --scale 4000 --repeat 1

clean:
	rm -rf $(VENV) out
