# Sotong: `make build` sets everything up and builds the sample site;
# `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOTONG := $(BIN)/sotong
SETTINGS ?= pelicanconf.py
PYTEST_ARGS ?=
LOCALE := sotong/locale
CATALOG := $(LOCALE)/ko/LC_MESSAGES/sotong

NPM := $(shell command -v npm 2>/dev/null)
# The standards checks' tools (axe-core, vnu-jar, caniemail: package.json),
# when npm is there; without it those tests are skipped (failed in CI).
NODE_TOOLS := $(if $(NPM),node_modules/.installed)

.PHONY: build test setup catalogs devserver publish check clean benchmarks floors performance screenshots mutants

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed $(CATALOG).mo

# The messages' Korean (sotong/i18n.py, SPEC §12): `make catalogs` adds the
# messages new in the code to the .po (to translate there) and compiles it;
# every target compiles the .mo from the .po when the .po changed.
catalogs: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F babel.cfg --no-location --sort-output --no-wrap \
		--project=sotong -o $(LOCALE)/sotong.pot sotong plugins \
		$$($(BIN)/python -c 'import click, os; print(os.path.dirname(click.__file__))')
	$(BIN)/pybabel --quiet update -D sotong -i $(LOCALE)/sotong.pot -d $(LOCALE) -l ko \
		--no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date
	$(MAKE) $(CATALOG).mo

$(CATALOG).mo: $(CATALOG).po | $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -D sotong -d $(LOCALE) -l ko

# --ignore-scripts: vnu-jar's install script would download a Java; Debian's is used.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

build: setup
	$(SOTONG) build -s $(SETTINGS)
	$(SOTONG) subscribers import sample/subscribers.csv -s $(SETTINGS)
	$(SOTONG) bundles --issue $$($(SOTONG) newsletter next -s $(SETTINGS)) -s $(SETTINGS)

check: setup
	$(SOTONG) check -s $(SETTINGS)

# loadfile: a test file runs in one worker, so its module-scoped builds (and the
# standards checks' Chromium, vnu and sample bundle) are made once, not once per worker.
test: setup $(NODE_TOOLS)
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The README's pictures: the homepage and an email on a 375px phone, first screen.
screenshots: setup $(NODE_TOOLS)
	SOTONG_DOCS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser \
		-k "homepage-375px or test_email_is_accessible_and_readable and 375px"

# The staff's live preview (sotong devserver): its own build folder under .cache/, never output/.
devserver: setup
	$(SOTONG) devserver -s $(SETTINGS)

publish: setup
	$(SOTONG) build -s publishconf.py

benchmarks: setup
	$(BIN)/python benchmarks/build.py

# Issue #16's floors, each beside its baseline in alternating runs (README, Performance).
floors: setup
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/import.py --count 100000 --pairs 5
	$(BIN)/python benchmarks/serve.py --count 20000 --requests 10000 --pairs 5

# The README's performance table measured again (README, Performance), on a
# quiet machine: each row's benchmark at the row's size, 5 alternating pairs,
# one after another, each under the benchmarks' lock and a timeout (an
# interrupt, so that it stops its servers; killed a minute later); their
# output appended to $(PERFORMANCE_LOG). Issue #16's rows first; build.py's
# one run gives both build rows, serve.py's three runs the three collector
# rows. About 40 minutes on a quiet machine (each step's estimate below).
PERFORMANCE_LOG ?= benchmarks/last-run.txt
# $(call measure,estimate,timeout in seconds,benchmark and its arguments)
define measure
	@echo "--- benchmarks/$(3) (about $(1) on a quiet machine): $$(date -u '+%F %T') UTC," \
		"load $$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $(PERFORMANCE_LOG)
	@{ PYTHONUNBUFFERED=1 flock /tmp/sotong-bench.lock timeout -s INT -k 60 $(2) $(BIN)/python benchmarks/$(3) \
		|| echo "benchmarks/$(3) FAILED (exit $$?)"; } 2>&1 | tee -a $(PERFORMANCE_LOG)
endef
performance: setup
	@{ echo "=== make performance: about 40 minutes on a quiet machine; started $$(date -u '+%F %T') UTC," \
		"main at $$(git rev-parse --short HEAD), load $$(cut -d' ' -f1-3 /proc/loadavg)"; } | tee -a $(PERFORMANCE_LOG)
	$(call measure,0.5 min,300,startup.py --rounds 7)
	$(call measure,2 min,900,import.py --count 100000 --pairs 5)
	$(call measure,1 min,600,serve.py --only unsubscribes --count 20000 --requests 10000 --pairs 5)
	$(call measure,11 min,2400,build.py --notices 5000 --pairs 5)
	$(call measure,8 min,2400,opinions.py --count 100000 --pairs 5)
	$(call measure,4 min,1200,bundles.py --count 100000 --pairs 5)
	$(call measure,3 min,900,send.py --count 20000 --pairs 5)
	$(call measure,2 min,900,serve.py --count 20000 --requests 10000 --pairs 5)
	$(call measure,1 min,600,serve.py --only subscriptions --count 20000 --requests 10000 --pairs 5)
	$(call measure,5 min,1800,devserver.py --sizes 42 2000 --saves 10 3)
	$(call measure,3 min,900,bounces.py --count 10000 --pairs 5)
	$(call measure,2 min,600,db_copy.py --count 100000 --pairs 3)
	@echo "=== make performance ended $$(date -u '+%F %T') UTC, load $$(cut -d' ' -f1-3 /proc/loadavg)" \
		| tee -a $(PERFORMANCE_LOG)

# Mutation testing of the rules that decide who gets what (README, "Tests and
# standards checks"); not part of `make test`. MUTANTS=sms limits it to some modules.
MUTANTS ?=
mutants: $(VENV)/.mutants-installed
	$(BIN)/python mutation/run.py $(MUTANTS)

$(VENV)/.mutants-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,mutants]'
	touch $@

clean:
	rm -rf output .output-a .output-b .output-a.state.json .output-b.state.json .cache .mutants
