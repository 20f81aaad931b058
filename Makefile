# The two commands: `make demo` and `make test`. Each sets up everything it needs
# (a uv binary in .tools/, the project's .venv from uv.lock) on a fresh clone.

UV_VERSION := 0.13.8
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced

.PHONY: demo test test-postgres lint bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): pyproject.toml uv.lock | $(UV)
	bash scripts/system-deps.sh
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

# The demo writes only into demo/ (issues in demo/out/, store and config in demo/data/), kept for exploring.
demo: $(SYNCED)
	$(VENV)/bin/kuaixun demo --workdir demo

# The suite on both cores (pytest-xdist); whole files per worker, so a module's shared set-up is made once.
# Here, not in pyproject's addopts: `pytest tests/test_x.py` stays one plain process.
PYTEST := $(VENV)/bin/pytest -q -n 2 --dist loadfile
PG_DIR ?= /tmp/kuaixun-pg

# pytest exits 5 when it collects no test: not a failure of the product.
test: $(SYNCED)
	$(PYTEST); status=$$?; if [ $$status -eq 5 ]; then exit 0; fi; exit $$status

# The same suite with every test store on a real PostgreSQL server (started and removed by the script).
test-postgres: $(SYNCED)
	url=$$(bash scripts/postgres.sh start $(PG_DIR)) || exit 1; \
	KUAIXUN_TEST_POSTGRES=$$url $(PYTEST); status=$$?; \
	bash scripts/postgres.sh stop $(PG_DIR); if [ $$status -eq 5 ]; then exit 0; fi; exit $$status

lint: $(SYNCED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint Dockerfile

# Figures, not tests: each prints its table beside a reference measured in the same run (< 15 min in
# all on 2 idle cores). Left out: bench/soak.py (hours) and bench/ingest_overlap.py (one run, for
# before/after comparisons). The 100,000-notice store is made in a temporary folder, removed after.
bench: $(SYNCED)
	$(VENV)/bin/python bench/extract_speed.py --repeat 3
	$(VENV)/bin/python bench/startup.py --runs 7
	$(VENV)/bin/python bench/crawl_cycle.py --sizes 0,1800,9600 --reps 3,2,1
	$(VENV)/bin/python bench/match_subscriptions.py --subscriptions 10000 --notices 100 1000 --runs 3
	$(VENV)/bin/python bench/render_digest.py
	store=$$(mktemp -d) && trap 'rm -rf "$$store"' EXIT && \
	$(VENV)/bin/python bench/make_store.py "sqlite:///$$store/kuaixun.db" --notices 100000 && \
	$(VENV)/bin/python bench/store_queries.py "sqlite:///$$store/kuaixun.db" --runs 3

# Never data/ or out/: they hold the real store and issues. demo/ only if the demo made it.
clean:
	rm -rf .tools $(VENV)
	if [ -f demo/.kuaixun-demo ]; then rm -rf demo; fi
