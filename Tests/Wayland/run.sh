#!/usr/bin/env bash
# The session agent on a Wayland desktop: sway (headless, Debian 13, which offers ext-idle-notify-v1) in a container.
# The agent measures idleness through the compositor, the service (its stand-in) answers with the countdown, shown by
# GTK on Wayland and read back by OCR; typing (wtype, a virtual keyboard) stops it; a second idle period ends the session.
# usage: run.sh ARDOISE (the release program: the container has no Swift runtime)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ARDOISE=$(realpath "$1")
ROOTFS=$(bash "$HERE/../EndToEnd/rootfs.sh" trixie wayland) || { echo "not ok - the Wayland root could not be built"; exit 1; }
command -v tesseract >/dev/null || { echo "tesseract is missing (make deps-test)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/ardoise-wayland.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# What runs inside: its checks are printed as they pass or fail, its screenshots left in /work.
cat > "$WORK/inside.sh" <<'INSIDE'
set -uo pipefail
check() { local name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi; }
useradd -m -u 2001 kiosque
export XDG_RUNTIME_DIR=/run/user/2001
install -d -m 700 -o kiosque -g kiosque "$XDG_RUNTIME_DIR" /work/c1
chown kiosque /work/c1
as_kiosque() { setpriv --reuid=kiosque --regid=kiosque --init-groups env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR HOME=/home/kiosque "$@"; }
printf 'xwayland disable\noutput HEADLESS-1 resolution 1280x800\n' > /work/sway.config
as_kiosque env WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 sway -c /work/sway.config > /work/sway.log 2>&1 &
for i in $(seq 1 100); do [ -S "$XDG_RUNTIME_DIR/wayland-1" ] && break; sleep 0.1; done
export WAYLAND_DISPLAY=wayland-1
# Version 2 adds the notification that ignores idle inhibitors (what the agent asks for when offered); Debian 13's sway has 1.
NOTIFIER_VERSION=$(as_kiosque wayland-info | tee /work/c1/wayland-info | grep "ext_idle_notifier_v1" | grep -o "version: *[0-9]*" | grep -o "[0-9]*$")
check "sway offers ext-idle-notify-v1 (version ${NOTIFIER_VERSION:-none})" test -n "$NOTIFIER_VERSION"
SOURCE=ext-idle-notify
[ "${NOTIFIER_VERSION:-0}" -ge 2 ] || SOURCE=ext-idle-notify-inhibitable
printf '[notice]\nenabled = false\n[sessions]\nidle_minutes = 0.05\nwarning_seconds = 20\n' > /work/idle.toml
touch /work/c1/countdown-mode
# No dialog program on this desktop: the agent still watches idleness and shows the countdown (GTK).
rm -f /usr/bin/notify-send
as_kiosque python3 /tests/Screen/fake_service.py /work/c1 &
for i in $(seq 1 100); do [ -S /work/c1/control.sock ] && break; sleep 0.05; done
as_kiosque env WAYLAND_DISPLAY=wayland-1 XDG_CURRENT_DESKTOP=sway LANG=fr_FR.UTF-8 ARDOISE_SOCKET=/work/c1/control.sock XDG_SESSION_ID=c1 \
    ardoise --config /work/idle.toml notice > /work/c1/agent.log 2>&1 &
AGENT=$!
for i in $(seq 1 300); do grep -q "^idle" /work/c1/activity 2>/dev/null && break; sleep 0.05; done
check "idle: the agent, on a desktop without a dialog program, measures it with ext-idle-notify-v1, says so ($SOURCE) and tells the service" grep -qx "idle $SOURCE" /work/c1/activity
SWAYSOCK=$(ls "$XDG_RUNTIME_DIR"/sway-ipc.*.sock 2>/dev/null | head -1)
window() { as_kiosque swaymsg -s "$SWAYSOCK" -t get_tree 2>/dev/null | grep -q 'toujours'; }
no_window() { ! window; }
for i in $(seq 1 100); do window && break; sleep 0.1; done
check "the countdown window is on the Wayland screen" window
sleep 1.5
as_kiosque env WAYLAND_DISPLAY=wayland-1 grim /work/c1/countdown-wayland.png
as_kiosque env WAYLAND_DISPLAY=wayland-1 wtype a
for i in $(seq 1 100); do tail -1 /work/c1/activity | grep -q "^active" && break; sleep 0.05; done
check "idle: typing (a virtual keyboard) is seen at once and told to the service" sh -c "tail -1 /work/c1/activity | grep -qx 'active $SOURCE'"
for i in $(seq 1 60); do window || break; sleep 0.1; done
check "idle: the countdown window closes when someone comes back" no_window
for i in $(seq 1 400); do kill -0 $AGENT 2>/dev/null || break; sleep 0.05; done
check "idle: a second idle period ends the session (the service reports idle)" test -e /work/c1/ended-idle
check "idle: the agent ends with its session" sh -c "! kill -0 $AGENT 2>/dev/null"
INSIDE

# As the end-to-end container: unregistered, in this unit, with a tmpfs over the host's /run/systemd.
unshare --mount --propagation private sh -c "mount -t tmpfs -o mode=755 tmpfs /run/systemd &&
    exec systemd-nspawn -q -D '$ROOTFS' --volatile=overlay --register=no --keep-unit --private-network --console=pipe \
        --bind-ro='$ARDOISE:/usr/local/bin/ardoise' --bind='$WORK:/work' --bind-ro='$HERE/..:/tests' /bin/bash /work/inside.sh" \
    > "$WORK/results" 2>"$WORK/errors"
cat "$WORK/results"
PASSED=$(grep -c "^ok" "$WORK/results")
FAILED=$(grep -c "^not ok" "$WORK/results")
read_on_screen() { tesseract "$WORK/c1/$1.png" - -l fra 2>/dev/null | tr '\n' ' ' | grep -qi "$2"; }
for pair in "toujours là" "dans 1[0-9] secondes" "clé USB"; do
    if [ -e "$WORK/c1/countdown-wayland.png" ] && read_on_screen countdown-wayland "$pair"; then
        echo "ok - French countdown on the Wayland screen: $pair"; PASSED=$((PASSED + 1))
    else
        echo "not ok - French countdown on the Wayland screen: $pair"; FAILED=$((FAILED + 1))
    fi
done
if [ "$FAILED" != 0 ] || [ "$PASSED" = 0 ]; then
    echo "# the container said:"; sed 's/^/#   /' "$WORK/errors" | tail -20
    echo "# sway said:"; sed 's/^/#   /' "$WORK/sway.log" 2>/dev/null | tail -20
    echo "# the agent said:"; sed 's/^/#   /' "$WORK/c1/agent.log" 2>/dev/null | tail -20
    echo "# wayland-info said:"; grep -i -A2 "idle" "$WORK/c1/wayland-info" 2>/dev/null | sed "s/^/#   /" | head -8
fi
echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
