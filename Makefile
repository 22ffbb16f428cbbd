# falcon: the two entry points a newcomer needs.
#   make run   - install what is missing, build, and run falcon's main job
#   make test  - install what is missing and run every test

CARGO ?= cargo
FALCON := target/release/falcon

.PHONY: all deps deps-test build run test lint fmt clean bench

all: build

deps:
	scripts/install-deps build

deps-test:
	scripts/install-deps test

build: deps
	$(CARGO) build --release --workspace

run: build
	scripts/run-falcon

test: deps-test
	$(CARGO) build --release --workspace --all-targets
	$(CARGO) test --release --workspace -- --nocapture
	scripts/run-integration

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean

# Overhead and sustained-throughput benchmark of live capture (root, eBPF;
# a few minutes, so not part of `make test`).
bench: build
	benches/overhead/run-bench
