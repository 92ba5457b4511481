# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= http://127.0.0.1:8000

.PHONY: demo test serve locust bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per requirements file: edit a file and the next make installs it again.
$(VENV)/.site-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.site-installed $@

demo: $(VENV)/.site-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
