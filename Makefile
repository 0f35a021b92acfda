# The portal's two everyday commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format venv db migrate demo messages stop-db clean bench

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# Starts the embedded PostgreSQL when DATABASE_URL is unset, and creates the database if missing.
db: venv
	$(PY) manage.py ensure_db

migrate: db
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The web server and one worker of the task queue together; Ctrl-C stops both.
run: demo
	@$(PY) manage.py procrastinate worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' INT TERM EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite over one process per core (pytest-xdist), each on its own test database; a file's tests stay together.
TEST_PROCESSES ?= $(shell nproc 2>/dev/null || echo 2)
test: db
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile

# The benchmark (README.md, "Benchmark"): generates SIZE products (100k or 1m) into its own database,
# ocop_bench, measures, prints the table and writes var/bench/result-$(SIZE).json.
SIZE ?= 100k
bench: db
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		apt-get install -y -qq wrk >/dev/null 2>&1; } || \
		echo "wrk is not installed: the benchmark uses its slower Python load generator"
	$(PY) -m bench --size $(SIZE) $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext; the compiled .mo files are committed so that running the portal does not.
messages: venv
	$(PY) manage.py makemessages --locale vi --locale en --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

stop-db: venv
	$(PY) -c "import pgserver, pathlib; pgserver.get_server(pathlib.Path('var/pgdata').resolve(), cleanup_mode='stop')"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
