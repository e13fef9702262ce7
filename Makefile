# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run test bench lint clean catalogue

# The virtualenv is rebuilt whenever the pinned requirements change.
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Apache Kafka's jars, fetched by Maven from Maven Central once (devstack/kafka/pom.xml).
KAFKA_STAMP := .cache/kafka/.installed-$(shell sed -n 's/^KAFKA_VERSION = "\([^"]*\)".*/\1/p' devstack/kafka.py)

$(KAFKA_STAMP): devstack/kafka/pom.xml devstack/kafka.py $(STAMP)
	@command -v java >/dev/null || { echo "the embedded Kafka broker needs Java 17+ (java on the PATH)"; exit 1; }
	@command -v mvn >/dev/null || { echo "the embedded Kafka broker's jars come from Maven Central: install Maven"; exit 1; }
	$(PY) -m devstack.kafka
	touch $(KAFKA_STAMP)

# The message catalogues, compiled from the .po files in git (adapters/l10n.py).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/*.po))

$(CATALOGUES): %.mo: %.po $(STAMP)
	$(PY) -m adapters.l10n compile

install: $(STAMP) $(KAFKA_STAMP) $(CATALOGUES)

catalogue: install ## after marking new words: merge them into each language's .po to translate
	$(PY) -m adapters.l10n update

run: install ## the marketplace with demo data on the embedded services
	$(PY) -m devstack run

# The browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	@echo "installing Debian's chromium and chromium-driver for the browser tests..."
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

# axe-core, the accessibility checks the browser tests run on every page, from npm (package-lock.json).
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian's nodejs and npm for axe-core..."; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(AXE)

# The unit layer first, alone, with the share of core/ it covers (issue 18: at least 85%).
COVERAGE := $(PY) -m coverage
COV_DATA := .data/coverage.unit

test: install $(CHROMIUM) $(AXE) ## every test, against real embedded services and a real browser
	@mkdir -p .data
	$(COVERAGE) run --data-file=$(COV_DATA) --source=core -m pytest -q -p no:cacheprovider tests/unit
	$(COVERAGE) report --data-file=$(COV_DATA) --skip-covered --skip-empty --fail-under=85
	$(PY) -m pytest

bench: install ## the booking storm, the bare stack's ceiling and catalogue reads (bench/README.md)
	$(PY) -m bench $(BENCH_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .data .cache .pytest_cache .ruff_cache .mypy_cache
