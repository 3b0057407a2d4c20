# ardoise — build, test, benchmark, install.
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BINDIR = $(DESTDIR)$(PREFIX)/bin
CONFDIR = $(DESTDIR)/etc/ardoise

.PHONY: build debug test bench install clean

build:
	$(SWIFT) build -c release --product ardoise

debug:
	$(SWIFT) build

# The command tests run the built binary: build it first, then every test target.
test: debug
	$(SWIFT) build --build-tests
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" $(SWIFT) test

bench:
	$(SWIFT) build -c release
	bash bench/run.sh "$$($(SWIFT) build -c release --show-bin-path)/ardoise"

install: build
	install -D -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/ardoise" $(BINDIR)/ardoise
	install -d -m 0755 $(CONFDIR)
	test -e $(CONFDIR)/ardoise.toml || install -m 0644 Config/ardoise.toml $(CONFDIR)/ardoise.toml

clean:
	rm -rf .build bench/out
