# Ta steget — the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# make test: one test process per core and one more (pytest-xdist), which
# works while the others wait on the servers their tests start;
# TEST_PROCESSES=0 runs one.
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: run test test-fast two-nodes lint-hooks install install-test-tools bench-tools check lint format messages clean

# Creates the virtualenv and installs the pinned requirements (again only
# when a requirements file changes).
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; $$python -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

## Command 1: set everything up and run the site with its task worker.
# Admin links (printed login, e-mails) point at the address actually served.
# tasteget.settings.dev (DEBUG, public key) loads only with this flag.
run messages: export TASTEGET_DEVELOPMENT = 1
run: export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_content
	$(PY) manage.py update_index --verbosity 0
	$(PY) manage.py ensure_admin
	@echo "Starting the web server on http://$(HOST):$(PORT)/, the task worker and the scheduler (Ctrl+C stops all)."
	@# The worker and the scheduler (the delivery sweep, scheduled publishing,
	@# digests, pruning: tasteget/scheduling.py) survive database outages
	@# themselves; the supervisor restarts them if they die anyway (kill -9, a crash).
	@trap 'kill 0' EXIT INT TERM; \
	  scripts/supervise --name worker -- $(PY) manage.py run_worker --queue-name '*' & \
	  scripts/supervise --name scheduler -- $(PY) manage.py run_scheduler & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# Chromium (Debian's), gettext and axe-core for the browser tests.
install-test-tools: install
	@scripts/install-test-tools

# wrk and Varnish for the benchmarks under bench/ (docs/performance.md).
bench-tools: install
	@scripts/install-bench-tools

## Command 2: install what the tests need and run the whole suite.
test: install-test-tools lint-hooks
	DJANGO_SETTINGS_MODULE=tasteget.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

# Daily work: everything but the browser tests and the slow files
# (tests/conftest.py: SLOW), in one process per core. CI runs `make test`.
test-fast: install
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup -m "not browser and not slow" $(PYTEST_ARGS)

# The two-node proof (tests/test_two_nodes.py) for the customer's full
# 10 minutes with the jobs' real periods; `make test` runs the same test for
# 90 s with shortened periods on PostgreSQL. Needs DATABASE_URL=postgres://…
# (two machines never share a SQLite file); prints the figures
# (docs/performance.md, "Two nodes"). TWO_NODES_SECONDS=… runs longer or shorter.
TWO_NODES_SECONDS ?= 600
two-nodes: install-test-tools
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make two-nodes needs DATABASE_URL=postgres://… (two machines share PostgreSQL)"; exit 1;; esac
	@for tool in varnishd redis-server; do command -v $$tool >/dev/null || test -x /usr/sbin/$$tool \
	  || { echo "make two-nodes needs $$tool (scripts/install-test-tools)"; exit 1; }; done
	TWO_NODES_SECONDS=$(TWO_NODES_SECONDS) TWO_NODES_REAL_PERIODS=1 \
	  $(VENV)/bin/pytest tests/test_two_nodes.py -p no:randomly -s -q $(PYTEST_ARGS)

# The production settings must pass Django's deployment checks: once as
# configured here, and once exactly as docker compose starts the image from a
# `.env` copied from .env.example (image default settings module, then
# .env.example's values, then only the REQUIRED ones filled in).
CHECK_SECRETS = SECRET_KEY=check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') ALLOWED_HOSTS=tasteget.nu \
	  CRM_BACKEND=webhook CRM_WEBHOOK_URL=https://crm.example.org/hook EMAIL_HOST=smtp.example.org \
	  CRM_WEBHOOK_SECRET=whsec_$$(head -c 32 /dev/urandom | base64) \
	  MEDIA_S3_BUCKET=tasteget-media MEDIA_S3_ACCESS_KEY_ID=tasteget-app MEDIA_S3_SECRET_ACCESS_KEY=check-media-secret \
	  REDIS_URL=redis://127.0.0.1:6379/0
check: install
	env -u TASTEGET_DEVELOPMENT $(CHECK_SECRETS) DATABASE_URL=postgres://tasteget@127.0.0.1:5432/tasteget \
	  ERASURE_LEDGER_S3_BUCKET=tasteget-erasure-ledger \
	  $(PY) manage.py check --deploy --fail-level WARNING --settings=tasteget.settings.production
	env -u TASTEGET_DEVELOPMENT DJANGO_SETTINGS_MODULE=tasteget.settings.production \
	  scripts/with-env-file .env.example $(CHECK_SECRETS) -- $(PY) manage.py check --deploy --fail-level WARNING

# The house checks of .pre-commit-config.yaml (ruff, ruff format, djhtml,
# django-upgrade), all local: nothing is downloaded.
lint lint-hooks: install
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/djhtml $$(git ls-files '*.html')

# Extract user-facing strings into locale/*/LC_MESSAGES/django.po, then compile.
messages: install
	$(PY) manage.py makemessages --locale sv --locale en --locale de --locale ar --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) node_modules staticfiles var/test-media
