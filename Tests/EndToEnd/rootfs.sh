#!/usr/bin/env bash
# Builds (once) the Debian root filesystem the end-to-end container boots, cached outside the repository
# and keyed by its release and package list; prints its path.  usage: rootfs.sh [bookworm|trixie] [wayland]
# `wayland` adds a Wayland desktop (sway, which offers ext-idle-notify-v1 from Debian 13 on), a typing tool (wtype),
# GTK 3 (the countdown window), notify-send (the warnings) and a screenshot tool (grim).
set -euo pipefail
SUITE=${1:-bookworm}
PACKAGES="systemd,systemd-sysv,dbus,libpam-systemd,sudo,libsystemd0,libinotifytools0,libsqlite3-0,libstdc++6,util-linux,procps,passwd,login,inotify-tools,cups-daemon,cups-client"
[ "${2:-}" = wayland ] && PACKAGES="$PACKAGES,sway,wtype,wayland-utils,python3,libgtk-3-0t64,grim,fonts-dejavu-core,libnotify-bin,dbus-user-session"
CACHE=${ARDOISE_E2E_CACHE:-/var/cache/ardoise-e2e}
KEY=$(printf '%s %s minbase' "$PACKAGES" "$SUITE" | sha256sum | cut -c1-16)
ROOTFS="$CACHE/rootfs-$KEY"
# What the container and its checks need on this computer (python3 reads the journal's JSON).
command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null && command -v python3 >/dev/null || {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends systemd-container debootstrap python3 >/dev/null
}
if [ ! -e "$ROOTFS/.complete" ]; then
    # The mirror this machine's apt uses (deb822 "URIs:" or a one-line "deb" entry).
    MIRROR=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -oE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^ ]+/debian/?$' | grep -oE 'https?://.*' | head -1 || true)
    rm -rf "$ROOTFS.tmp"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS.tmp" "${MIRROR:-http://deb.debian.org/debian}" >&2
    chroot "$ROOTFS.tmp" apt-get clean
    # A fixed machine id so journald and logind start quietly; the overlay gives each boot its own copy anyway.
    echo ardoise-e2e > "$ROOTFS.tmp/etc/hostname"
    touch "$ROOTFS.tmp/.complete"
    mv "$ROOTFS.tmp" "$ROOTFS"
fi
echo "$ROOTFS"
