# The two commands of the README: `make run` and `make test`. Both start with `make setup`, as does `make bench`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint check-migrations pytest bench demo clean

$(PY):
	"$$(scripts/find-python)" -m venv $(VENV)

# Re-install when the lock or the project metadata change; otherwise the stamp makes setup instant.
$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The engine's C accelerator, built in place for the venv's Python (its file name carries that Python's
# extension suffix); rebuilt when its source changes. Without a C compiler scripts/build-native says in one
# line that the engine runs on its pure-Python path, and setup carries on.
NATIVE_SUFFIX := $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null \
	|| "$$(scripts/find-python 2>/dev/null)" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
NATIVE := shuangsuiji/engine/_native$(NATIVE_SUFFIX)

$(NATIVE): shuangsuiji/engine/_native.c scripts/build-native | $(PY)
	scripts/build-native

# system-deps.sh is told which goals it serves: the test suite needs Chromium and poppler, the benchmarks wrk.
setup: $(VENV)/.installed node_modules/.installed $(NATIVE)
	scripts/system-deps.sh $(or $(filter test bench,$(MAKECMDGOALS)),run)
	scripts/vendor-assets.sh
	if find shuangsuiji -name '*.po' | grep -q .; then \
		cd shuangsuiji && ../$(PY) ../manage.py compilemessages -v 0; fi
	mkdir -p var
	$(PY) manage.py collectstatic --no-input -v 0

# seed_demo --check first: with DEBUG off (a bureau's environment file read by mistake) it refuses before migrate
# has touched that database; it reads only the settings.
run: setup
	$(PY) manage.py seed_demo --check
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo --if-empty
	@echo "shuangsuiji: http://$(HOST):$(PORT)/  (demo logins: see README.md)"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint:
	$(VENV)/bin/ruff check .

check-migrations:
	$(PY) manage.py makemigrations --check --dry-run

# One test process per core (pytest-xdist); each has its own test database.
pytest:
	$(VENV)/bin/pytest -q -p no:cacheprovider -n auto

test: setup
	$(MAKE) --no-print-directory lint check-migrations pytest

# Each benchmark builds its own population (up to a national one, on PostgreSQL: hours), so `make bench` prepares
# the machine for them and lists them; bench/README.md gives each one's command, database and figures.
bench: setup
	@echo "Benchmarks (each section of bench/README.md gives the command, the database and the figures):"
	@for script in bench/*_bench.py; do echo "  $$script: $$(sed -n '1s/^"""//p' "$$script")"; done

clean:
	rm -rf $(VENV) node_modules var shuangsuiji/static/vendor
