# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= http://127.0.0.1:8000
AXE    := node_modules/axe-core/axe.min.js

.PHONY: demo test check lint format lock locust bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per lock: change a lock (make lock) and the next make installs it again. The locks pin every package,
# the ones pulled in too, with the hash of each file (pyproject.toml's list, resolved by uv): pip refuses any other.
$(VENV)/.site-installed: requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	touch $(VENV)/.site-installed $@

# After an edit of pyproject.toml's dependencies: the two locks again (the versions they hold stay where they can).
lock: $(VENV)/.dev-installed
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -o requirements.lock -q
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
		-o requirements-dev.lock -q

# axe-core, which the browser tests inject into the site's pages (WCAG 2 A/AA), pinned in package-lock.json.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Served by gunicorn, not runserver: runserver stalls every keep-alive response by ~40 ms (config/gunicorn.py says why).
demo: $(VENV)/.site-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	@# With DEBUG, the browser lab's same-site front end on the next port (lab/); evil.localhost needs no bind of its own.
	@# The authorization server on PORT+2: a second gunicorn (the same code, the same database) that oauth2-introspect
	@# asks about each token over HTTP (OAUTH2_INTROSPECT_URL). Ctrl-C reaches both; if the site stops, so does it.
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1}; export DJANGO_DEBUG; \
	if [ "$$DJANGO_DEBUG" = 1 ]; then lab="--bind 127.0.0.1:$$(($(PORT) + 1))"; echo "The browser lab: http://127.0.0.1:$(PORT)/lab/"; fi; \
	auth=127.0.0.1:$$(($(PORT) + 2)); \
	echo "The authorization server that oauth2-introspect asks about each token: http://$$auth/o/introspect/"; \
	$(VENV)/bin/gunicorn -c config/gunicorn.py --bind $$auth --access-logformat 'authorization server: "%(r)s" %(s)s' \
		config.wsgi & authorization=$$!; \
	OAUTH2_INTROSPECT_URL=http://$$auth/o/introspect/ \
		$(VENV)/bin/gunicorn -c config/gunicorn.py --bind 127.0.0.1:$(PORT) $$lab config.wsgi & site=$$!; \
	trap 'kill -TERM $$site $$authorization 2>/dev/null' INT TERM; \
	while kill -0 $$site 2>/dev/null; do wait $$site; done; \
	kill -TERM $$authorization 2>/dev/null; while kill -0 $$authorization 2>/dev/null; do wait $$authorization; done

# Everything: the fast tier and the slow one (real servers, subprocesses, chromium, the benchmark's run), in two
# runs: first every test that may run beside another, on both cores (pytest-xdist; tests/conftest.py keeps each
# slow module on one worker), then the tests marked alone (they pin processes to cores and measure other work on
# them), with nothing beside them. docs/development.md says where the time goes.
test: $(VENV)/.dev-installed $(AXE)
	$(PY) -m pytest -m "not alone" -n $${TEST_WORKERS:-2} --dist loadgroup
	$(PY) -m pytest -m alone

# The fast tier, for a developer's loop: the tests that start no server, subprocess or browser
# (tests/conftest.py fails one that does without the slow marker), on both cores.
check: $(VENV)/.dev-installed
	$(PY) -m pytest -m "not slow" -n $${CHECK_WORKERS:-2}

# ruff's linter and its formatter, in check mode, over the whole tree (pyproject.toml says which rules).
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Apply what lint would complain about: the safe fixes and the formatting.
format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The capacity run and the light-load run, headless, against a pinned gunicorn it starts and stops (benchmarks/run.py).
# BENCH_MODE=all (default), capacity, latency or growth; `benchmarks/run.py --help` lists every option (docs/benchmarks.md).
bench: $(VENV)/.dev-installed
	$(PY) benchmarks/run.py

# Locust's web UI (pick the user classes) against a server already running on HOST, with its database's bench accounts.
# The user classes come from $(HOST)/api/ (LOCUST_HOST); the accounts from seed_bench --json.
locust: $(VENV)/.dev-installed
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_bench --users 100 --json > $(VENV)/bench-accounts.json
	LOCUST_HOST=$(HOST) BENCH_ACCOUNTS_FILE=$(VENV)/bench-accounts.json $(VENV)/bin/locust -f benchmarks/locustfile.py \
		--class-picker --web-host 127.0.0.1 --web-port $${LOCUST_PORT:-8089}

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
