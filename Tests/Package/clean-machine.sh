#!/usr/bin/env bash
# The README's set-up on a clean Debian 12 (the end-to-end root, which has no build or test package, in a throwaway
# overlay, with the Debian mirror reachable): a fresh clone; `make deps-build` installs what building needs and the
# program builds; `make deps-test` installs what the tests need, and every program, library and Python module the
# tests use is then there. So nobody has to read further than the two commands.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "clean-machine.sh: needs root (systemd-nspawn)" >&2; exit 2; }
ROOTFS=$(bash "$ROOT/Tests/EndToEnd/rootfs.sh" bookworm)
SWIFT_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
WORK=$(mktemp -d /var/tmp/ardoise-clean.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" bundle create "$WORK/ardoise.bundle" HEAD >/dev/null 2>&1
cat > "$WORK/inside.sh" <<'INSIDE'
set -eu
export DEBIAN_FRONTEND=noninteractive PATH=/opt/swift-toolchain/bin:/usr/sbin:/usr/bin:/sbin:/bin
# What the README asks for besides Swift: git and make.
apt-get update -qq && apt-get install -y -qq --no-install-recommends git make ca-certificates >/dev/null
git -c advice.detachedHead=false clone -q /work/ardoise.bundle /work/ardoise
cd /work/ardoise
if command -v pkg-config >/dev/null; then echo "the clean machine already has pkg-config" >&2; exit 1; fi
make deps-build
swift build --product ardoise > /work/build.log 2>&1 || { tail -20 /work/build.log; exit 1; }
test -x .build/debug/ardoise
echo "built: $(.build/debug/ardoise --help | head -1)"
make deps-test
INSIDE
# The programs, libraries and Python modules the tests use (as they call them).
cat > "$WORK/needed.sh" <<'NEEDED'
missing=0
for tool in Xvfb zenity dunst notify-send tesseract xwd xwdtopnm pnmcrop pnmtopng pamscale dbus-daemon python3 xdotool \
    xwininfo sqlite3 chattr lsattr setfacl getfacl setpriv prlimit unshare nsenter /usr/bin/time systemd-nspawn debootstrap \
    firefox-esr chromium chromedriver groff man lintian dpkg-buildpackage dh fakeroot zsh fish tar gzip localedef \
    qemu-system-x86_64 cpio depmod psql openssl curl; do
    command -v "$tool" >/dev/null || { echo "missing program: $tool"; missing=1; }
done
for library in libXss.so.1 libgtk-3.so.0; do
    ldconfig -p | grep -q "$library" || { echo "missing library: $library"; missing=1; }
done
for module in gi selenium pyatspi; do
    /usr/bin/python3 -c "import $module" 2>/dev/null || { echo "missing Python module: $module"; missing=1; }
done
for language in fra eng ukr ara; do
    tesseract --list-langs 2>/dev/null | grep -qx "$language" || { echo "missing OCR language: $language"; missing=1; }
done
for locale in fr_FR.utf8 en_GB.utf8; do locale -a | grep -qx "$locale" || { echo "missing locale: $locale"; missing=1; }; done
exit $missing
NEEDED
# As the end-to-end container is started (container.sh): a private mount namespace, a tmpfs over /run/systemd.
unshare --mount --propagation private sh -c "mount -t tmpfs -o mode=755 tmpfs /run/systemd &&
    exec systemd-nspawn -q -D '$ROOTFS' --volatile=overlay --register=no --keep-unit \
        --bind-ro='$SWIFT_ROOT':/opt/swift-toolchain --bind-ro=/opt/swift-packages --bind-ro=/etc/gitconfig \
        --bind='$WORK':/work --setenv=HOME=/root /bin/sh -c 'sh /work/inside.sh && sh /work/needed.sh'" \
    > "$WORK/log" 2>&1 && code=0 || code=$?
sed 's/^/  # /' "$WORK/log" | grep -v '^  # $' | tail -20
if [ "$code" = 0 ]; then echo "ok - a clean Debian 12: make deps-build builds it, make deps-test brings every tool the tests use"; echo "1 passed, 0 failed"
else echo "not ok - a clean Debian 12: make deps-build builds it, make deps-test brings every tool the tests use"; echo "0 passed, 1 failed"; exit 1; fi
