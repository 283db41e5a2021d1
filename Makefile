# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install lint migrate demo worker clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("MNR Portal needs Python 3.11 or newer; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

# Embedded default: SQLite under var/, Celery tasks in-process, console e-mail.
run: install
	@mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_framework fixtures/mnr-2016.yaml
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "MNR Portal is starting on http://$(HOST):$(PORT)/ (Ctrl+C stops it)."
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite. Uses DATABASE_URL / CELERY_BROKER_URL when set (CI sets both).
test: install
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

worker: install
	$(BIN)/celery -A mnr_portal worker --loglevel=INFO --concurrency=2

clean:
	rm -rf $(VENV) var/db.sqlite3 var/media var/staticfiles
