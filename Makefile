# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo-code run test install install-run lint migrate demo worker beat clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("MNR Portal needs Python 3.11 or newer; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Two stamps: running needs only the app's dependencies; testing and linting add the test group.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

install-run: $(VENV)/.installed-run
install: $(VENV)/.installed

# Embedded default: SQLite under var/, Celery tasks in-process, console e-mail.
run: install-run
	@mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_framework fixtures/mnr-2016.yaml
	DEBUG=1 $(BIN)/python manage.py load_framework fixtures/mnr-2016-r2025.yaml
	DEBUG=1 $(BIN)/python manage.py load_crosswalk fixtures/crosswalk-mnr-2016-to-r2025.yaml
	DEBUG=1 $(BIN)/python manage.py load_translations fixtures/translations
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "MNR Portal is starting on http://$(HOST):$(PORT)/ (Ctrl+C stops it)."
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite. Uses DATABASE_URL / CELERY_BROKER_URL when set (CI sets both).
test: install
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Against a broker (CELERY_BROKER_URL): the worker, and beat for the periodic jobs as its own process.
worker: install-run
	$(BIN)/celery -A mnr_portal worker --loglevel=INFO --concurrency=2

beat: install-run
	$(BIN)/celery -A mnr_portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Interface translations (fr, es, ar). The compiled .mo files are committed, so `make run` needs no
# gettext. After editing locale/*/LC_MESSAGES/django.po, `make messages` compiles them (needs msgfmt,
# from the gettext package); to collect new strings first:
#   DEBUG=1 .venv/bin/python manage.py makemessages -l fr -l es -l ar --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete
messages: install-run
	@if command -v msgfmt >/dev/null 2>&1; then \
		DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv; \
	else \
		echo "msgfmt not found (apt-get install gettext): the committed .mo files are used as they are."; \
	fi

clean:
	rm -rf $(VENV) var/db.sqlite3 var/media var/staticfiles

# The current second-factor code of a demo admin or coordinator (see seed_demo).
LOGIN ?= coordinator
demo-code: install-run
	@DEBUG=1 $(BIN)/python manage.py demo_code $(LOGIN)
