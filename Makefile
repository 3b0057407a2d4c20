# ardoise — build, test, benchmark, install, demonstrate.
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BINDIR = $(PREFIX)/bin
DOCDIR = $(PREFIX)/share/doc/ardoise
# Local units and snippets: /etc for the unit and display-manager file, PREFIX/lib for sysusers and tmpfiles.
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
PAMCONFIGDIR ?= /usr/share/pam-configs
LIGHTDMDIR ?= /etc/lightdm/lightdm.conf.d
AUTOSTARTDIR ?= /etc/xdg/autostart
PROFILEDIR ?= /etc/profile.d
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null || echo 0)
DATE = $(shell date -u -d @$$(dpkg-parsechangelog -l debian/changelog -S Timestamp 2>/dev/null || date +%s) +%Y-%m-%d)
GENERATED = .build/generated
# The installed programs carry the Swift runtime: a kiosk needs no Swift. The runtime's few uses of libstdc++ (strings,
# trees, operator new) are linked in from the static library, found first in a folder of its own: the shared library
# cost the service 1 MB of memory at rest.
STATIC_CXX = $(CURDIR)/.build/static-libstdc++
RELEASE = $(SWIFT) build -c release --static-swift-stdlib -Xlinker -L$(STATIC_CXX)
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

.PHONY: build build-programs program-docs install-fleet-files install-console-files debug test screen wayland input e2e bench install install-files man completions deb package-test demo clean deps-build deps-demo deps-test

# The Debian packages each step needs, in one place (Swift itself is not a Debian package). `make demo` and `make test`
# install what is missing first (as root); .ci/run uses the same list.
# What swift.org lists for its Debian 12 toolchain (the toolchain itself does not start without libncurses6, say).
SWIFT_PACKAGES = binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libpython3-dev libsqlite3-0 \
	libstdc++-12-dev libxml2-dev libz3-dev libncurses6 pkg-config tzdata zlib1g-dev
BUILD_PACKAGES = $(SWIFT_PACKAGES) libsystemd-dev libinotifytools0-dev libcups2-dev libsqlite3-dev nettle-dev python3
# The end-to-end container: systemd-nspawn, debootstrap (its Debian root), and what drives it.
DEMO_PACKAGES = $(BUILD_PACKAGES) systemd-container debootstrap tar gzip util-linux sqlite3
# The tests: the fixture, chattr, the journal edited by hand, ACLs, GLib's own reading of user-dirs.dirs, GNU time; the
# notice, warnings and countdown on a virtual screen read back by OCR and through AT-SPI; Debian's real browsers; the package;
# a real kernel under qemu for the input devices (its modules listed by depmod, its root packed by cpio); the fleet store's
# own PostgreSQL server, with a TLS certificate made by openssl.
TEST_PACKAGES = $(DEMO_PACKAGES) e2fsprogs acl python3-gi gir1.2-glib-2.0 time locales qemu-system-x86 cpio kmod \
	xvfb zenity dunst libnotify-bin dbus x11-apps x11-utils netpbm xdotool libxss1 libgtk-3-0 fonts-dejavu-core \
	tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-ukr tesseract-ocr-ara \
	python3-pyatspi libatk-adaptor gir1.2-atspi-2.0 at-spi2-core \
	firefox-esr chromium chromium-driver python3-selenium \
	debhelper dpkg-dev fakeroot lintian man-db zsh fish \
	postgresql openssl curl
# Installs the packages of $(1) that are missing; says what to do when not root.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "make: Debian packages missing: $$(echo $$missing). Run as root, or: sudo apt-get install $$(echo $$missing)" >&2; exit 1; fi; \
		echo "make: installing the Debian packages missing: $$(echo $$missing)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $$missing >/dev/null; \
	fi
endef

deps-build:
	$(call apt_install,$(BUILD_PACKAGES))

deps-demo:
	$(call apt_install,$(DEMO_PACKAGES))

# The on-screen test shows the notice in French and English, as sessions with these locales would.
deps-test:
	$(call apt_install,$(TEST_PACKAGES))
	@locale -a | grep -qx fr_FR.utf8 || localedef -i fr_FR -f UTF-8 fr_FR.UTF-8
	@locale -a | grep -qx en_GB.utf8 || localedef -i en_GB -f UTF-8 en_GB.UTF-8

build:
	@mkdir -p $(STATIC_CXX)
	@# The C++ library of the compiler Swift links with (libstdc++-12-dev on Debian 12).
	archive="$$("$$(dirname "$$(command -v $(SWIFT))")/clang" -print-file-name=libstdc++.a)"; \
		test -f "$$archive" || { echo "libstdc++.a not found (apt-get install libstdc++-12-dev)" >&2; exit 1; }; \
		ln -sfn "$$archive" $(STATIC_CXX)/libstdc++.a
	$(RELEASE) --product ardoise

# ardoise-fleet (the fleet store) and ardoise-console (the staff web console), each in a package of its own: a kiosk
# carries no network code unless it is given one of them.
PROGRAMS = ardoise-fleet ardoise-console
build-programs: build
	for program in $(PROGRAMS); do $(RELEASE) --product $$program || exit 1; done

# Their manual pages and completions, made as ardoise's are.
program-docs: build-programs
	mkdir -p $(GENERATED)/man $(GENERATED)/completions
	for program in $(PROGRAMS); do \
		"$$($(RELEASE) --show-bin-path)/$$program" --experimental-dump-help > $(GENERATED)/$$program-help.json && \
		python3 man/make-man.py --program $$program $(GENERATED)/$$program-help.json $(GENERATED)/man $(VERSION) $(DATE) && \
		for shell in bash zsh fish; do "$$($(RELEASE) --show-bin-path)/$$program" --generate-completion-script $$shell | sed '1{/^#!/d}' > $(GENERATED)/completions/$$program.$$shell; done \
		|| exit 1; \
	done

# PROGRAM's executable, manual page and completions.
define install_program
	install -D -s -m 0755 "$$($(RELEASE) --show-bin-path)/$(1)" $(DESTDIR)$(BINDIR)/$(1)
	install -D -m 0644 $(GENERATED)/man/$(1).8 $(DESTDIR)$(MANDIR)/man8/$(1).8
	install -D -m 0644 $(GENERATED)/completions/$(1).bash $(DESTDIR)$(BASHCOMPDIR)/$(1)
	install -D -m 0644 $(GENERATED)/completions/$(1).zsh $(DESTDIR)$(ZSHCOMPDIR)/_$(1)
	install -D -m 0644 $(GENERATED)/completions/$(1).fish $(DESTDIR)$(FISHCOMPDIR)/$(1).fish
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
endef

install-fleet-files: build-programs program-docs
	$(call install_program,ardoise-fleet)
	$(SUBST) systemd/fleet/ardoise-fleet-upload.service > $(DESTDIR)$(UNITDIR)/ardoise-fleet-upload.service
	install -m 0644 systemd/fleet/ardoise-fleet-upload.timer $(DESTDIR)$(UNITDIR)/ardoise-fleet-upload.timer

install-console-files: build-programs program-docs
	$(call install_program,ardoise-console)
	$(SUBST) systemd/console/ardoise-console.service > $(DESTDIR)$(UNITDIR)/ardoise-console.service
	install -D -m 0644 systemd/console/ardoise-console.default $(DESTDIR)/etc/default/ardoise-console

# ardoise(8) from the program's own description of its commands, ardoise.toml(5) from Config/ardoise.toml's comments.
man: build
	mkdir -p $(GENERATED)/man
	"$$($(RELEASE) --show-bin-path)/ardoise" --experimental-dump-help > $(GENERATED)/help.json
	python3 man/make-man.py $(GENERATED)/help.json Config/ardoise.toml $(GENERATED)/man $(VERSION) $(DATE)

# Completions for bash, zsh and fish, from the argument parser.
completions: build
	mkdir -p $(GENERATED)/completions
	@# A completion file is sourced, not run: no `#!` line.
	for shell in bash zsh fish; do "$$($(RELEASE) --show-bin-path)/ardoise" --generate-completion-script $$shell | sed '1{/^#!/d}' > $(GENERATED)/completions/ardoise.$$shell; done

# The Debian packages, ../ardoise_VERSION_amd64.deb, ../ardoise-fleet_... and ../ardoise-console_... (dpkg-buildpackage,
# debhelper), then moved here.
DEBS = ardoise_$(VERSION)_amd64.deb ardoise-fleet_$(VERSION)_amd64.deb ardoise-console_$(VERSION)_amd64.deb
deb:
	dpkg-buildpackage -b -us -uc
	mkdir -p .build/deb && for file in $(DEBS) ardoise_$(VERSION)_amd64.buildinfo ardoise_$(VERSION)_amd64.changes; do mv ../$$file .build/deb/ || exit 1; done
	@echo "ardoise: $(addprefix .build/deb/,$(DEBS))"

debug:
	$(SWIFT) build

# The command tests run the built binary: build it first, then every test target, then the end-to-end suite.
test: deps-test
	$(MAKE) debug
	$(SWIFT) build --build-tests
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" $(SWIFT) test --skip SessionLimitsTests
	# The session limits' tests count real seconds: run alone, so that no other test starves their timers.
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" $(SWIFT) test --skip-build --filter SessionLimitsTests
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Screen/run.sh
	# Debian's real firefox-esr and chromium with the policies installed, broken and removed (skipped when not installed).
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Browsers/run.sh
	$(MAKE) wayland
	$(MAKE) input
	$(MAKE) e2e
	$(MAKE) package-test

# The Debian package: its manual pages, completions and lintian, then installed, upgraded, removed and purged in a
# Debian 12 and a Debian 13 container (the package built on Debian 12 serves both).
package-test: deb
	bash Tests/Package/run.sh $(GENERATED) $(addprefix .build/deb/,$(DEBS))
	@# A clean Debian 12: what make deps-build and make deps-test install is enough to build and to test.
	bash Tests/Package/clean-machine.sh
	bash Tests/EndToEnd/package.sh bookworm $(addprefix .build/deb/,$(DEBS))
	bash Tests/EndToEnd/package.sh trixie $(addprefix .build/deb/,$(DEBS))

# The notice and the warnings on a virtual screen (Xvfb, zenity, dunst), read back by OCR; refreshes docs/*.png.
screen: debug
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Screen/run.sh docs

# The session agent on a Wayland desktop (sway, headless, in a Debian 13 container): idleness from ext-idle-notify-v1.
wayland: build
	bash Tests/Wayland/run.sh "$$($(RELEASE) --show-bin-path)/ardoise"

# A desktop session without its agent: the service reads the seat's keyboard (Debian 12's kernel under qemu, keys pressed
# through qemu's monitor).
input: build
	bash Tests/Input/run.sh

# A real systemd with logind, booted in a container, with ardoise installed as a service: Debian 12, then Debian 13.
e2e: build
	bash Tests/EndToEnd/run.sh
	E2E_SUITE=trixie bash Tests/EndToEnd/run.sh

demo: deps-demo
	$(MAKE) build
	bash Tests/EndToEnd/run.sh --demo

bench:
	$(SWIFT) build -c release
	bash bench/run.sh "$$($(SWIFT) build -c release --show-bin-path)/ardoise"

# The files only (what the Debian package ships); `install` also sets the running system up.
install-files: build man completions
	install -D -s -m 0755 "$$($(RELEASE) --show-bin-path)/ardoise" $(DESTDIR)$(BINDIR)/ardoise
	@# One program; `ardoised` (the service's earlier name) is a link to it.
	ln -sf ardoise $(DESTDIR)$(BINDIR)/ardoised
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(PAMCONFIGDIR) $(DESTDIR)$(LIGHTDMDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(AUTOSTARTDIR) $(DESTDIR)$(PROFILEDIR)
	$(SUBST) systemd/ardoise.service > $(DESTDIR)$(UNITDIR)/ardoise.service
	$(SUBST) systemd/pam/ardoise > $(DESTDIR)$(PAMCONFIGDIR)/ardoise
	$(SUBST) systemd/lightdm/50-ardoise.conf > $(DESTDIR)$(LIGHTDMDIR)/50-ardoise.conf
	$(SUBST) systemd/autostart/ardoise-notice.desktop > $(DESTDIR)$(AUTOSTARTDIR)/ardoise-notice.desktop
	$(SUBST) systemd/profile.d/ardoise-notice.sh > $(DESTDIR)$(PROFILEDIR)/ardoise-notice.sh
	install -m 0644 systemd/sysusers.d/ardoise.conf $(DESTDIR)$(SYSUSERSDIR)/ardoise.conf
	install -m 0644 systemd/tmpfiles.d/ardoise.conf $(DESTDIR)$(TMPFILESDIR)/ardoise.conf
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d -m 0755 $(DESTDIR)/etc/ardoise
	test -e $(DESTDIR)/etc/ardoise/ardoise.toml || install -m 0644 Config/ardoise.toml $(DESTDIR)/etc/ardoise/ardoise.toml
	install -D -m 0644 $(GENERATED)/man/ardoise.8 $(DESTDIR)$(MANDIR)/man8/ardoise.8
	install -D -m 0644 $(GENERATED)/man/ardoise.toml.5 $(DESTDIR)$(MANDIR)/man5/ardoise.toml.5
	echo ".so man8/ardoise.8" > $(DESTDIR)$(MANDIR)/man8/ardoised.8
	install -D -m 0644 $(GENERATED)/completions/ardoise.bash $(DESTDIR)$(BASHCOMPDIR)/ardoise
	install -D -m 0644 $(GENERATED)/completions/ardoise.zsh $(DESTDIR)$(ZSHCOMPDIR)/_ardoise
	install -D -m 0644 $(GENERATED)/completions/ardoise.fish $(DESTDIR)$(FISHCOMPDIR)/ardoise.fish

install: install-files
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemd-sysusers $(SYSUSERSDIR)/ardoise.conf && systemd-tmpfiles --create $(TMPFILESDIR)/ardoise.conf && \
		systemctl daemon-reload && systemctl enable --now ardoise.service && \
		if command -v pam-auth-update >/dev/null; then pam-auth-update --package --enable ardoise; fi; \
		systemctl reload ardoise.service; \
		echo "ardoise: service enabled and started (systemctl status ardoise)"; \
	fi
	@# The browsers' policies (no password saved...), for every browser installed; an administrator's own files are kept.
	@if [ -z "$(DESTDIR)" ]; then $(BINDIR)/ardoise policies install || echo "ardoise: see above; then sudo ardoise policies install"; fi

clean:
	rm -rf .build bench/out
