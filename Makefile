# The two commands: `make run` (install everything, then start web + worker + beat on embedded defaults)
# and `make test` (install everything, then run the whole test suite).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: run test install system-packages python-packages assets check bench clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  政务服务大厅 is starting at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "  Hall kiosk: /hall/kiosk/   hall display: /hall/display/   tracking: /track/"
	@echo "  Web, Celery worker and Celery beat run together; Ctrl-C stops all three."
	@echo ""
	WEB_BIND=$(HOST):$(PORT) PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)/} PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start

# The whole suite, one pytest-xdist worker per core; PYTEST_ARGS adds to it (a file, -k, -m, --lf, ...).
# Bytecode is cached even where the environment turns that off: each worker imports (and pytest rewrites)
# every test module again, and that costs seconds per worker without the cache.
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

install: system-packages python-packages assets

system-packages:
	@scripts/install-system-packages

python-packages: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed"; exit 1; }
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: node_modules/.installed staticfiles/.collected

node_modules/.installed: package.json
	npm install --no-audit --no-fund --no-package-lock --loglevel=error
	touch $@

staticfiles/.collected: node_modules/.installed $(VENV)/.installed $(shell find static portal/locale -type f 2>/dev/null)
	cd portal && ../$(BIN)/python ../manage.py compilemessages --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	touch $@

check: install
	$(BIN)/ruff check .
	$(BIN)/mypy portal items licences applications intermediaries approvals
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles
