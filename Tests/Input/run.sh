#!/usr/bin/env bash
# The last resort for a desktop session whose agent does not run: the service reads the seat's input devices. A
# container has none, so this runs a real kernel (Debian 12's, under qemu) with a PS/2 keyboard, booting the end-to-end
# root with ardoise installed as a service. Keys are pressed from outside, through qemu's monitor.
# usage: run.sh (as root; `make input`)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 2; }
for tool in qemu-system-x86_64 cpio depmod; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (make deps-test)" >&2; exit 2; }
done
ROOTFS=$(bash "$ROOT/Tests/EndToEnd/rootfs.sh" bookworm)
CACHE=${ARDOISE_E2E_CACHE:-/var/cache/ardoise-e2e}

# Debian 12's kernel, from the machine's mirror, kept beside the container roots.
PACKAGE=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$PACKAGE" ] || { apt-get update -qq >/dev/null; PACKAGE=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'); }
KERNEL=$CACHE/kernel-$PACKAGE
if [ ! -e "$KERNEL/.complete" ]; then
    rm -rf "$KERNEL.tmp"
    mkdir -p "$KERNEL.tmp/deb"
    (cd "$KERNEL.tmp/deb" && apt-get download -qq "$PACKAGE" >/dev/null)
    dpkg-deb -x "$KERNEL.tmp"/deb/*.deb "$KERNEL.tmp/x"
    VERSION=$(ls "$KERNEL.tmp/x/lib/modules")
    cp "$KERNEL.tmp/x/boot/vmlinuz-$VERSION" "$KERNEL.tmp/vmlinuz"
    # Only evdev (the /dev/input/event* nodes) is a module; the PS/2 keyboard is built in.
    install -D -m 0644 "$KERNEL.tmp/x/lib/modules/$VERSION/kernel/drivers/input/evdev.ko" "$KERNEL.tmp/modules/lib/modules/$VERSION/kernel/drivers/input/evdev.ko"
    cp "$KERNEL.tmp/x/lib/modules/$VERSION/modules.order" "$KERNEL.tmp/x/lib/modules/$VERSION/modules.builtin"* "$KERNEL.tmp/modules/lib/modules/$VERSION/"
    depmod -b "$KERNEL.tmp/modules" "$VERSION"
    rm -rf "$KERNEL.tmp/deb" "$KERNEL.tmp/x"
    touch "$KERNEL.tmp/.complete"
    mv "$KERNEL.tmp" "$KERNEL"
fi

WORK=$(mktemp -d /var/tmp/ardoise-input.XXXXXX)
QEMU=
cleanup() { if [ -n "$QEMU" ]; then kill "$QEMU" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
make -s -C "$ROOT" install DESTDIR="$WORK/dest" >/dev/null

# What the computer runs once booted: the test, its output on the serial line; no login prompt there.
EXTRA=$WORK/extra
mkdir -p "$EXTRA/etc/systemd/system/multi-user.target.wants" "$EXTRA/etc/modules-load.d" "$EXTRA/usr/local/lib/ardoise-test" "$EXTRA/etc/ardoise"
# Under usr/: the root's /lib is a link to usr/lib, which an archive's own lib/ would replace.
mkdir -p "$EXTRA/usr"
cp -a "$KERNEL/modules/lib" "$EXTRA/usr/"
echo evdev > "$EXTRA/etc/modules-load.d/evdev.conf"
ln -s /dev/null "$EXTRA/etc/systemd/system/serial-getty@ttyS0.service"
cat > "$EXTRA/etc/systemd/system/ardoise-input-test.service" <<'UNIT'
[Unit]
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/bash /usr/local/lib/ardoise-test/inside.sh
StandardOutput=file:/dev/ttyS0
StandardError=inherit
UNIT
ln -s ../ardoise-input-test.service "$EXTRA/etc/systemd/system/multi-user.target.wants/ardoise-input-test.service"
cat > "$EXTRA/etc/ardoise/ardoise.toml" <<'TOML'
[kiosk]
users = ["kiosque"]
logout_grace_seconds = 2
[sessions]
idle_minutes = 0.25
warning_seconds = 10
lock_screen = "ignore"
TOML
cat > "$EXTRA/usr/local/lib/ardoise-test/inside.sh" <<'INSIDE'
set -uo pipefail
check() { local name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi; }
echo "# booted in $(cut -d' ' -f1 /proc/uptime) s"
systemd-sysusers >/dev/null 2>&1
systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/ardoise.conf >/dev/null 2>&1
useradd -m -u 2001 -s /bin/bash kiosque
systemctl daemon-reload
systemctl enable --now ardoise.service >/dev/null 2>&1
for i in $(seq 1 100); do ls /dev/input/event* >/dev/null 2>&1 && break; sleep 0.2; done
check "the kernel gives the keyboard as an input device" sh -c "grep -q 'AT Translated Set 2 keyboard' /proc/bus/input/devices && ls /dev/input/event* >/dev/null"
check "the service is running" systemctl is-active --quiet ardoise.service
echo "# $(systemd-analyze security ardoise.service --no-pager 2>/dev/null | tail -1)"
# A desktop session (type x11, on seat0) whose agent never starts, and of which logind knows no idleness.
XDG_SEAT=seat0 XDG_VTNR=7 XDG_SESSION_TYPE=x11 XDG_SESSION_CLASS=user script -qfec "su -l kiosque -c 'exec sleep 600'" /dev/null >/dev/null 2>&1 &
SESSION=
for i in $(seq 1 100); do
    # The account's session of class user (a newer systemd opens one of class manager beside it).
    for id in $(loginctl list-sessions --no-legend | awk '$3 == "kiosque" {print $1}'); do
        [ "$(loginctl show-session "$id" -p Class --value)" = user ] && SESSION=$id
    done
    [ -n "$SESSION" ] && break
    sleep 0.2
done
OPENED=$(date +%s)
check "a desktop session of the kiosk account is open ($(loginctl show-session "$SESSION" -p Type --value 2>/dev/null))" \
    test "$(loginctl show-session "$SESSION" -p Type --value 2>/dev/null)" = x11
# The agent's time (7.5 s) passes: the service reads the keyboard, and with no key the countdown would run from 22.5 s
# to 32.5 s after the start. Keys are pressed from outside from 12 s to about 22 s: the countdown waits for 15 s more.
until_second() { while [ $(($(date +%s) - OPENED)) -lt "$1" ]; do sleep 0.2; done; }
until_second 12
echo "ARDOISE-TEST press"
until_second 29
check "the service lists the session's idle time" sh -c "ardoise sessions --format json | grep -Eq '\"idleSeconds\" *: *[0-9]'"
check "keys pressed on the keyboard restarted the idle clock: no countdown $(($(date +%s) - OPENED)) s after the start" \
    sh -c "ardoise sessions --format json | grep -q '\"$SESSION\"' && ! ardoise sessions --format json | grep -q '\"countdown\"'"
has_event() { ardoise journal list --event "$1" --session "$SESSION" --format json 2>/dev/null | grep -q "\"$1\""; }
for i in $(seq 1 60); do has_event session-end && break; sleep 1; done
for i in $(seq 1 60); do has_event wipe-finished && break; sleep 1; done
# The session's events, read on the host (which has Python).
echo "ARDOISE-TEST journal $(ardoise journal list --session "$SESSION" --format json | tr -d '\n')"
# What the service said, shown by the host when something failed.
journalctl -q -o short-monotonic -u ardoise.service --no-pager | tail -25 | sed 's/^/ARDOISE-LOG /'
echo "ARDOISE-TEST done"
systemctl poweroff
INSIDE

# The computer's root: the end-to-end root, ardoise as `make install` lays it, the test's own files; one archive after
# the other (the kernel lays each over the one before).
(cd "$ROOTFS" && find . -mindepth 1 | cpio -o -H newc --quiet) > "$WORK/initrd"
(cd "$WORK/dest" && find . -mindepth 1 | cpio -o -H newc --quiet) >> "$WORK/initrd"
(cd "$EXTRA" && find . -mindepth 1 | cpio -o -H newc --quiet) >> "$WORK/initrd"

# Software emulation: the same on every machine (a nested hypervisor may not be there, or not work).
qemu-system-x86_64 -accel tcg -m 2048 -smp 2 -kernel "$KERNEL/vmlinuz" -initrd "$WORK/initrd" \
    -append "rdinit=/lib/systemd/systemd console=ttyS0 quiet loglevel=3 systemd.show_status=0 systemd.firstboot=off" \
    -serial "file:$WORK/serial.log" -display none -no-reboot -monitor "unix:$WORK/monitor.sock,server,nowait" &
QEMU=$!
monitor() { python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.2); s.recv(4096)
for line in sys.argv[2:]:
    s.sendall((line + '\n').encode()); time.sleep(0.3)
" "$WORK/monitor.sock" "$@"; }
DEADLINE=$(($(date +%s) + 600))
PRESSED=
while kill -0 "$QEMU" 2>/dev/null && [ "$(date +%s)" -lt "$DEADLINE" ]; do
    if [ -z "$PRESSED" ] && grep -q "ARDOISE-TEST press" "$WORK/serial.log" 2>/dev/null; then
        # Eight keys, a second or so apart.
        for key in a r d o i s e s; do monitor "sendkey $key"; sleep 0.7; done
        PRESSED=1
    fi
    grep -q "ARDOISE-TEST done" "$WORK/serial.log" 2>/dev/null && break
    sleep 0.2
done
for i in $(seq 1 100); do kill -0 "$QEMU" 2>/dev/null || break; sleep 0.2; done
tr -d '\r' < "$WORK/serial.log" | grep -E "^(ok|not ok) - |^# " > "$WORK/results" || true
# What the journal says of the session's end, from the line the computer printed.
tr -d '\r' < "$WORK/serial.log" | sed -n 's/^ARDOISE-TEST journal //p' | python3 -c '
import json, sys
text = sys.stdin.read().strip()
events = json.loads(text) if text else []
ends = [e for e in events if e["event"] == "session-end"]
wipes = [e for e in events if e["event"] == "wipe-finished"]
def say(ok, name): print(("ok - " if ok else "not ok - ") + name)
say(len(ends) == 1 and ends[0]["outcome"] == "idle", "then nobody: the session ends by itself, for idleness (journaled: idle)")
say(len(ends) == 1 and ends[0]["detail"].get("idle_source") == "input-devices" and ends[0]["detail"].get("idle_measured") is True,
    "its idleness was measured on the seat'"'"'s input devices (idle_source = input-devices)")
say(len(wipes) == 1 and wipes[0]["detail"]["left"] == 0, "and its home is wiped, nothing left")
' >> "$WORK/results" || echo "not ok - the journal of the session could be read" >> "$WORK/results"
cat "$WORK/results"
PASSED=$(grep -c "^ok" "$WORK/results" || true)
FAILED=$(grep -c "^not ok" "$WORK/results" || true)
if ! grep -q "ARDOISE-TEST done" "$WORK/serial.log" 2>/dev/null; then
    echo "not ok - the test inside the computer ran to its end"
    FAILED=$((FAILED + 1))
    tr -d '\r' < "$WORK/serial.log" | tail -30 | sed 's/^/#   /'
fi
if [ "$FAILED" != 0 ]; then
    echo "# the service said:"
    tr -d '\r' < "$WORK/serial.log" | sed -n 's/^ARDOISE-LOG /#   /p'
fi
echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
