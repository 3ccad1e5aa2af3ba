# unionbase — a thin Makefile over Meson + Ninja and the scripts/ folder.
#
#   make          install what is missing, configure and build build/
#   make run      build, create demo.db if missing, serve it on 127.0.0.1:8080
#   make test     everything: scripts/test.sh (ends with "N passed, N failed")
#   make fuzz     every libFuzzer target of tests/fuzz/ for FUZZ_SECONDS (180)
#                 each, going on from build-fuzz/corpus/ (scripts/fuzz.sh)
#   make lint     clang-tidy + cppcheck over src/, shellcheck over the scripts (scripts/lint.sh)
#   make bench    bench/run.sh (bench-members, bench-imports: the registry,
#                 the import and export of member lists; bench-monthend: the
#                 month-end mix of reads, edits, transfers and imports)
#   make clean    remove build/, build-test/ and build-fuzz/ (and a leftover test PostgreSQL)
#
# Variables: DB=demo.db LISTEN=127.0.0.1:8080 BUILDTYPE=debugoptimized
#            FUZZ_SECONDS=180

DB        ?= demo.db
LISTEN    ?= 127.0.0.1:8080
BUILDTYPE ?= debugoptimized
BUILDDIR  := build

# meson setup that works on a fresh folder and on an already configured one.
# $(1) = build dir, $(2) = options
define meson_setup
	@if [ -f $(1)/meson-private/coredata.dat ]; then \
		meson setup --reconfigure $(1) $(2) >/dev/null || \
		{ echo "meson reconfigure of $(1) failed; wiping it"; meson setup --wipe $(1) $(2); }; \
	else \
		meson setup $(1) $(2) || { rm -rf $(1) && meson setup $(1) $(2); }; \
	fi
endef

FUZZ_SECONDS ?= 180

.PHONY: all deps build run test fuzz lint bench bench-members bench-imports bench-reports bench-generate bench-monthend clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(call meson_setup,$(BUILDDIR),--buildtype=$(BUILDTYPE))
	ninja -C $(BUILDDIR)

run: build
	@if [ ! -e "$(DB)" ]; then \
		echo "creating $(DB) with demo data"; \
		umask 077; \
		$(BUILDDIR)/unionbase init --demo "$(DB)" > "$(DB).login" || { rm -f "$(DB)" "$(DB).login"; exit 1; }; \
	fi
	@if [ -f "$(DB).login" ] && grep -q 'password:' "$(DB).login"; then \
		echo "log in at http://$(LISTEN)/ as $$(grep -o 'user name: [^ ]*' "$(DB).login" | cut -d' ' -f3)" \
		     "with password $$(grep -o 'password: [^ ]*' "$(DB).login" | head -1 | cut -d' ' -f2)" \
		     "(kept in $(DB).login; change it after logging in)"; \
	else \
		echo "log in with the admin password printed when $(DB) was created" \
		     "(or set a new one: build/unionbase user passwd admin --db $(DB))"; \
	fi
	@echo "serving $(DB) at http://$(LISTEN)/"
	$(BUILDDIR)/unionbase serve --db "$(DB)" --listen "$(LISTEN)"

test:
	@scripts/test.sh

fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

lint: build
	@scripts/lint.sh $(BUILDDIR)

bench: build
	@if [ -f bench/run.sh ]; then sh bench/run.sh; \
	else echo "no bench/run.sh yet: nothing to run"; fi

# the member registry's benchmarks (bench/members.py): BENCH_MEMBERS members
# (default 1,000,000) on the generated country, both stores
bench-members: build
	@command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh
	python3 bench/members.py

# imports and exports of member lists (bench/imports.py): BENCH_IMPORT_ROWS
# rows (1,000,000) as CSV and XLSX into each store, rows a second and memory
bench-imports: build
	@command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh
	python3 bench/imports.py

# the whole country generated (bench/generate.py): init, then generate with
# BENCH_MEMBERS members (1,000,000; the target is 20,000,000 in 15 minutes)
bench-generate: build
	python3 bench/generate.py

# the report forms' national roll-up (bench/reports.py): every commune reports
# a six-month period; every indicator for the nation, a province, a commune
bench-reports: build
	python3 bench/reports.py

# the month-end mix (bench/monthend.py, bench/monthend.lua): 64 connections of
# commune officers over BENCH_MEMBERS members (1,000,000): reads, edits and
# transfers by wrk, small imports; requests a second and p99 per kind, search
# p99 during the mix, the server's peak memory; both stores
bench-monthend: build
	@command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh
	python3 bench/monthend.py

clean:
	@scripts/pg-test-server.sh stop 2>/dev/null || true
	rm -rf build build-test build-fuzz build-pg
