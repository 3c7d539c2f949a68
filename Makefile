# Lägesbild — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO    ?= go
ADDR  ?= 127.0.0.1:8080
BIN   := bin/lagesbild

.PHONY: run test db build bench bench-scale soak vet fmt clean-db page glyphs

## build: compile bin/lagesbild
build:
	$(GO) build -o $(BIN) ./cmd/lagesbild

## db: bring up only the local database; the last line is DATABASE_URL=<url>
db:
	@.ci/db.sh lagesbild

## run: install what is missing, set up the database, load the demo and serve on $(ADDR)
run: build
	@if [ -z "$${DATABASE_URL:-}" ]; then export $$(.ci/db.sh lagesbild | tail -n 1); fi; \
	$(BIN) migrate; \
	$(BIN) demo load; \
	exec $(BIN) serve --demo --addr $(ADDR)

## test: the whole suite against a real PostGIS (a separate test database) and a streaming standby of it
test:
	@.ci/deps.sh test
	@cd web/page && npm ci --no-audit --no-fund --loglevel=error   # axe-core for the browser test
	@if [ -z "$${DATABASE_URL:-}" ]; then export $$(.ci/db.sh lagesbild_test | tail -n 1); fi; \
	if [ -z "$${STANDBY_DATABASE_URL:-}" ]; then export $$(.ci/standby.sh lagesbild_test | tail -n 1); fi; \
	$(GO) vet ./...; \
	$(GO) test -race -count=1 -timeout 30m ./...

## page: rebuild the map page into web/static (committed, embedded by the binary)
page:
	cd web/page && npm ci --no-audit --no-fund --loglevel=error && npm run build

## glyphs: the map's label glyphs (web/page/glyphs, committed) from Debian's fonts-dejavu-core; then make page
glyphs:
	$(GO) run ./cmd/glyphs --font /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf --name DejaVuSans-Bold --out web/page/glyphs
	cp /usr/share/doc/fonts-dejavu-core/copyright web/page/glyphs/DejaVuSans-Bold/LICENSE.txt

## bench: Lägesbild beside pg_tileserv and pg_featureserv (../shared/bench/peers), one run, A B A B (README, "Benchmarks")
bench: build
	@.ci/deps.sh bench
	@if [ -z "$${DATABASE_URL:-}" ]; then export $$(.ci/db.sh lagesbild_bench | tail -n 1); fi; \
	.ci/bench.sh

## bench-scale: the scale benchmark of issue 16 (not CI; SCALE_ROWS, default 20 M; see docs/operations.md)
bench-scale: build
	@.ci/deps.sh bench
	@if [ -z "$${DATABASE_URL:-}" ]; then export $$(.ci/db.sh lagesbild_scale | tail -n 1); fi; \
	.ci/bench-scale.sh

## soak: load and soak test of issue 12 on ../shared/bench, about eight minutes (see README, "Soak")
soak: build
	@.ci/deps.sh bench
	@if [ -z "$${DATABASE_URL:-}" ]; then export $$(.ci/db.sh lagesbild_soak | tail -n 1); fi; \
	.ci/soak.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w .

## clean-db: stop the local cluster and delete it
clean-db:
	@pgdata=$$(readlink -f .data/pg || true); if [ -n "$$pgdata" ] && [ -s "$$pgdata/PG_VERSION" ]; then \
	  if [ "$$(id -u)" -eq 0 ]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$$pgdata" stop -m fast || true; \
	  else /usr/lib/postgresql/15/bin/pg_ctl -D "$$pgdata" stop -m fast || true; fi; \
	  case "$$pgdata" in /var/lib/lagesbild/*) rm -rf "$$(dirname "$$pgdata")" ;; esac; fi
	rm -rf .data
