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
# The installed programs carry the Swift runtime: a kiosk needs no Swift.
RELEASE = $(SWIFT) build -c release --static-swift-stdlib
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

.PHONY: build debug test screen e2e bench install demo clean

build:
	$(RELEASE) --product ardoise

debug:
	$(SWIFT) build

# The command tests run the built binary: build it first, then every test target, then the end-to-end suite.
test: debug
	$(SWIFT) build --build-tests
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" $(SWIFT) test --skip SessionLimitsTests
	# The session limits' tests count real seconds: run alone, so that no other test starves their timers.
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" $(SWIFT) test --skip-build --filter SessionLimitsTests
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Screen/run.sh
	# Debian's real firefox-esr and chromium with the policies installed, broken and removed (skipped when not installed).
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Browsers/run.sh
	$(MAKE) e2e

# The notice and the warnings on a virtual screen (Xvfb, zenity, dunst), read back by OCR; refreshes docs/*.png.
screen: debug
	ARDOISE_BIN="$$($(SWIFT) build --show-bin-path)/ardoise" bash Tests/Screen/run.sh docs

# A real systemd with logind, booted in a container, with ardoise installed as a service.
e2e: build
	bash Tests/EndToEnd/run.sh

demo: build
	bash Tests/EndToEnd/run.sh --demo

bench:
	$(SWIFT) build -c release
	bash bench/run.sh "$$($(SWIFT) build -c release --show-bin-path)/ardoise"

install: build
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
