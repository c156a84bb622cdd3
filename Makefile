# Two commands on a fresh machine: `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: venv demo test lint format bench clean
venv:
	@tools/venv.sh test

demo: venv
	$(PY) -m audiocnn.genre train

test: venv
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# `make bench BUSY=1` prints every table again with one core kept busy by another process.
BUSY ?= 0
bench:
	@tools/venv.sh bench
	$(PY) bench/dsp.py --busy $(BUSY)
	$(PY) bench/loading.py --busy $(BUSY)
	$(PY) bench/denoise_speed.py --busy $(BUSY)

clean:
	rm -rf .venv build *.egg-info .pytest_cache .ruff_cache
