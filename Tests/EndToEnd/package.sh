#!/usr/bin/env bash
# The Debian package in a real systemd with logind (a throwaway Debian 12 or 13 container): installed with apt from the file
# (no network: the container's root holds its dependencies), the service active, a kiosk session wiped at logout, the
# journal verifies; upgraded to a higher version (configuration, journal and reference kept, the journal verifies, the
# service restarted once); removed (stopped, disabled, PAM hook off, journal kept); purged (configuration gone, the
# journal kept and its place said). With the ardoise-fleet package: installed beside it, its timer's service sends the
# kiosk's journal to a real PostgreSQL on this machine (its socket seen inside), and the store's copy verifies with the
# kiosk's key. With the ardoise-console package: its service, once a staff account is added, shows the kiosk's session
# to that account signed in, and nothing to anyone else.
# usage: package.sh bookworm|trixie ardoise_VERSION_amd64.deb [ardoise-fleet_VERSION_amd64.deb [ardoise-console_VERSION_amd64.deb]]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SUITE=$1
DEB=$(readlink -f "$2")
[ "$(id -u)" = 0 ] || { echo "package.sh: needs root (it boots a container)" >&2; exit 2; }
FLEET_DEB=${3:+$(readlink -f "$3")}
CONSOLE_DEB=${4:+$(readlink -f "$4")}
ROOTFS=$(bash "$HERE/rootfs.sh" "$SUITE")
echo "# Debian $SUITE"
CT_WORK=$(mktemp -d /var/tmp/ardoise-package.XXXXXX)
. "$HERE/container.sh"
cleanup() {
    ct_stop
    [ -z "${PG_DATA:-}" ] || runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$CT_WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
check() { local name=$1; shift; if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $name"; else FAILED=$((FAILED + 1)); echo "not ok - $name"; fi; }
events() { ct ardoise journal list --format json 2>/dev/null | python3 -c "import json, sys; print(sum(1 for e in json.load(sys.stdin) if ($1)))"; }
apt_ct() { ct env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }

# The same package one version up, for the upgrade.
VERSION=$(dpkg-deb -f "$DEB" Version)
mkdir -p "$CT_WORK/next/pkg"
dpkg-deb -R "$DEB" "$CT_WORK/next/pkg"
sed -i "s/^Version: .*/Version: $VERSION+1/" "$CT_WORK/next/pkg/DEBIAN/control"
dpkg-deb -b -Zgzip "$CT_WORK/next/pkg" "$CT_WORK/next/ardoise_next.deb" >/dev/null

# The fleet store: PostgreSQL on this machine, on a Unix socket only, in a folder the container sees as /run/ardoise-fleet.
if [ -n "$FLEET_DEB" ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PG_DATA=$CT_WORK/pg/data
    mkdir -p "$CT_WORK/pg/socket" && chown -R postgres "$CT_WORK/pg" && chmod 755 "$CT_WORK" "$CT_WORK/pg" "$CT_WORK/pg/socket"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    printf 'local all postgres trust\nlocal all all scram-sha-256\n' > "$PG_DATA/pg_hba.conf"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$CT_WORK/pg/log" -w -t 60 \
        -o "-c listen_addresses='' -k $CT_WORK/pg/socket -c fsync=off" start >/dev/null
    runuser -u postgres -- psql -X -q -h "$CT_WORK/pg/socket" -U postgres -c "CREATE DATABASE ardoise"
    export CT_BIND=$CT_WORK/pg/socket:/run/ardoise-fleet
    mkdir -p "$CT_WORK/fleet-host"
    dpkg-deb -x "$FLEET_DEB" "$CT_WORK/fleet-host"
    FLEET_OWNER="postgresql://postgres@/ardoise?host=$CT_WORK/pg/socket"
fi

ct_boot "$ROOTFS"
mkdir -p "$CT_WORK/in"
cp "$DEB" "$CT_WORK/in/ardoise.deb"
cp "$CT_WORK/next/ardoise_next.deb" "$CT_WORK/in/ardoise-next.deb"
ct mkdir -p /root/debs
ct_copy "$CT_WORK/in" /root/debs
ct useradd -m -u 2001 -s /bin/bash kiosque

apt_ct install /root/debs/ardoise.deb > "$CT_WORK/install.log" 2>&1 || { cat "$CT_WORK/install.log"; exit 1; }
check "apt installs the package from the file, with no network" sh -c "nsenter -t $CT_LEADER -a dpkg -s ardoise >/dev/null"
check "the service is enabled and active" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl is-enabled ardoise.service)\" = enabled ] && [ \"\$(nsenter -t $CT_LEADER -a systemctl is-active ardoise.service)\" = active ]"
check "the administrators' group exists" sh -c "nsenter -t $CT_LEADER -a getent group ardoise-admin >/dev/null"
check "the PAM hook is on" ct grep -q "ardoise session-end" /etc/pam.d/common-session
check "one program: ardoised is a link to ardoise" test "$(ct readlink /usr/bin/ardoised)" = ardoise
check "the manual pages and completions are in place" ct sh -c 'test -s /usr/share/man/man8/ardoise.8.gz && test -s /usr/share/man/man5/ardoise.toml.5.gz && test -s /usr/share/bash-completion/completions/ardoise && test -s /usr/share/zsh/vendor-completions/_ardoise && test -s /usr/share/fish/vendor_completions.d/ardoise.fish'
check "the configuration is a conffile" ct sh -c 'dpkg-query -W -f="\${Conffiles}" ardoise | grep -q /etc/ardoise/ardoise.toml'

# A browser installed after ardoise (a package standing for Debian's firefox-esr): its policies are written at once.
mkdir -p "$CT_WORK/browser/DEBIAN" "$CT_WORK/browser/usr/lib/firefox-esr"
printf 'Package: browser-standin\nVersion: 1\nArchitecture: all\nMaintainer: test <test@example.org>\nDescription: stands for a browser\n' > "$CT_WORK/browser/DEBIAN/control"
printf '#!/bin/sh\n' > "$CT_WORK/browser/usr/lib/firefox-esr/firefox-esr"
chmod 755 "$CT_WORK/browser/usr/lib/firefox-esr/firefox-esr"
dpkg-deb -b "$CT_WORK/browser" "$CT_WORK/in/browser-standin.deb" >/dev/null
ct_copy "$CT_WORK/in" /root/debs
check "no browser yet: no policy file" sh -c "! nsenter -t $CT_LEADER -a test -e /etc/firefox/policies/policies.json"
apt_ct install /root/debs/browser-standin.deb > "$CT_WORK/browser.log" 2>&1 || { cat "$CT_WORK/browser.log"; exit 1; }
check "a browser installed afterwards gets its policies at once (dpkg trigger)" ct grep -q '"PasswordManagerEnabled" : false' /etc/firefox/policies/policies.json
apt_ct purge browser-standin > /dev/null 2>&1

# A kiosk account named in the configuration, a session, a logout: wiped.
# The administrator edits the shipped file, as the README says: the account named, a shorter grace.
ct sed -i 's/^users = \[\]$/users = ["kiosque"]/; s/^logout_grace_seconds = 5$/logout_grace_seconds = 2/' /etc/ardoise/ardoise.toml
ct systemctl restart ardoise.service
check "the configuration with the kiosk account loads" ct grep -q '^users = \["kiosque"\]$' /etc/ardoise/ardoise.toml
ct ardoise journal key > "$CT_WORK/key.txt" 2>&1 || true
SESSION=$(ct_session kiosque 'mkdir -p ~/Downloads && echo "avis d imposition" > ~/Downloads/releve-impots.pdf; exec sleep 600')
ct loginctl kill-session "$SESSION"
wait_for 60 "[ \$(events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"') -ge 1 ]" || true
wiped() { [ "$(events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['left'] == 0")" = 1 ] && ! ct test -e /home/kiosque/Downloads/releve-impots.pdf; }
check "a kiosk session is wiped at logout" wiped
check "the journal verifies" sh -c "nsenter -t $CT_LEADER -a ardoise journal verify >/dev/null"

if [ -n "$FLEET_DEB" ]; then
    cp "$FLEET_DEB" "$CT_WORK/in/ardoise-fleet.deb"
    FLEET="$CT_WORK/fleet-host/usr/bin/ardoise-fleet"
    "$FLEET" init --database "$FLEET_OWNER" >/dev/null
    "$FLEET" enroll epn-test --out "$CT_WORK/in/fleet.password" --database "$FLEET_OWNER" >/dev/null
    ct_copy "$CT_WORK/in" /root/debs
    apt_ct install /root/debs/ardoise-fleet.deb > "$CT_WORK/fleet.log" 2>&1 || { cat "$CT_WORK/fleet.log"; exit 1; }
    check "fleet: apt installs ardoise-fleet from the file" sh -c "nsenter -t $CT_LEADER -a dpkg -s ardoise-fleet >/dev/null"
    check "fleet: its timer is installed, not enabled before the store is set" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl is-enabled ardoise-fleet-upload.timer 2>/dev/null)\" = disabled ]"
    check "fleet: ardoise fleet runs ardoise-fleet" sh -c "nsenter -t $CT_LEADER -a ardoise fleet --version | grep -qx '$(dpkg-deb -f "$FLEET_DEB" Version | sed 's/-.*//')'"
    # The administrator sets the store as README says: the shipped [fleet] section's keys, the kiosk's account, its
    # password in a file of root's.
    ct install -m 0600 /root/debs/fleet.password /etc/ardoise/fleet.password
    ct sed -i 's|^# database = .*|database = "postgresql://ardoise_kiosk_epn_test@/ardoise?host=/run/ardoise-fleet"|; s|^# password_file = .*|password_file = "/etc/ardoise/fleet.password"|' /etc/ardoise/ardoise.toml
    ct systemctl enable --now ardoise-fleet-upload.timer >/dev/null 2>&1
    check "fleet: the timer is enabled and waiting" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl is-active ardoise-fleet-upload.timer)\" = active ]"
    LOCAL_EVENTS=$(events True)
    ct systemctl start ardoise-fleet-upload.service || true
    check "fleet: the timer's service sends the journal (it succeeds)" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl show ardoise-fleet-upload.service -p Result --value)\" = success ]"
    [ "$(ct systemctl show ardoise-fleet-upload.service -p Result --value)" = success ] || ct journalctl -u ardoise-fleet-upload.service -o cat --no-pager | tail -5
    STORED=$(runuser -u postgres -- psql -X -q -A -t -h "$CT_WORK/pg/socket" -U postgres -d ardoise -c "SELECT count(*) FROM ardoise_fleet.event")
    check "fleet: the store has every event of the kiosk's journal ($STORED of $LOCAL_EVENTS listed)" test "$STORED" -ge "$LOCAL_EVENTS"
    check "fleet: the store's copy verifies, seals included, with the kiosk's key" sh -c "
        grep -o 'ardoise-vk1:[^ ]*' '$CT_WORK/key.txt' > '$CT_WORK/fleet-keys.txt' &&
        LANG=en_GB.UTF-8 '$FLEET' verify --key-file '$CT_WORK/fleet-keys.txt' --database '$FLEET_OWNER' | grep -q '^epn-test.*intact (.*, seals checked)\$'"
    check "fleet: the kiosk's session is in the store, named by its kiosk" sh -c "
        '$FLEET' list --kiosk epn-test --session '$SESSION' --event wipe-finished --format csv --database '$FLEET_OWNER' | grep -q '^epn-test,'"
    ct systemctl start ardoise-fleet-upload.service || true
    check "fleet: a second upload sends nothing more and succeeds" sh -c "nsenter -t $CT_LEADER -a journalctl -u ardoise-fleet-upload.service -o cat | grep -q '^0 event(s) sent\|^0 événement(s) envoyé(s)'"
fi

if [ -n "$CONSOLE_DEB" ]; then
    cp "$CONSOLE_DEB" "$CT_WORK/in/ardoise-console.deb"
    ct_copy "$CT_WORK/in" /root/debs
    apt_ct install /root/debs/ardoise-console.deb > "$CT_WORK/console.log" 2>&1 || { cat "$CT_WORK/console.log"; exit 1; }
    check "console: apt installs ardoise-console; its service waits for a staff account" sh -c "
        [ \"\$(nsenter -t $CT_LEADER -a systemctl is-enabled ardoise-console.service 2>/dev/null)\" = disabled ]"
    printf '%s\n' 'un mot de passe assez long' | ct ardoise-console add-staff animatrice >/dev/null
    check "console: the staff file is root's alone" test "$(ct stat -c '%U %a' /etc/ardoise/console-staff)" = "root 600"
    ct systemctl enable --now ardoise-console.service >/dev/null 2>&1
    # The browser is this machine's curl, in the container's network (127.0.0.1 there).
    web() { nsenter -t "$CT_LEADER" -n curl -s --max-time 20 "$@"; }
    for i in $(seq 1 100); do web -o /dev/null http://127.0.0.1:8470/sign-in && break; sleep 0.1; done
    check "console: a stranger is sent to the sign-in page" sh -c "[ \"\$(nsenter -t $CT_LEADER -n curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:8470/events)\" = '303 http://127.0.0.1:8470/sign-in' ]"
    COOKIE=$(web -D - -o /dev/null --data-urlencode name=animatrice --data-urlencode 'password=un mot de passe assez long' http://127.0.0.1:8470/sign-in |
        tr -d '\r' | sed -n 's/^Set-Cookie: \(ardoise_console=[0-9a-f]*\);.*/\1/p')
    check "console: the staff member signs in" test -n "$COOKIE"
    web -H "Cookie: $COOKIE" "http://127.0.0.1:8470/events?event=wipe-finished" > "$CT_WORK/console-events.html"
    check "console: the kiosk's wiped session is on the events page" grep -q "<td>$SESSION</td>" "$CT_WORK/console-events.html"
    check "console: each look is in the console's log with the staff member's name" sh -c "nsenter -t $CT_LEADER -a journalctl -u ardoise-console.service -o cat | grep -q 'animatrice listed'"
    ct systemctl disable --now ardoise-console.service >/dev/null 2>&1
fi
CONFIG_SUM=$(ct sha256sum /etc/ardoise/ardoise.toml | cut -d' ' -f1)
EVENTS_BEFORE=$(events 'True')
STARTS_BEFORE=$(events 'e["event"] == "daemon-start"')
INVOCATION=$(ct systemctl show ardoise -p InvocationID --value)

# Upgrade.
apt_ct install /root/debs/ardoise-next.deb > "$CT_WORK/upgrade.log" 2>&1 || { cat "$CT_WORK/upgrade.log"; exit 1; }
check "upgrade: the new version is installed" test "$(ct dpkg-query -W -f='${Version}' ardoise)" = "$VERSION+1"
check "upgrade: the configuration is kept as the administrator left it" test "$(ct sha256sum /etc/ardoise/ardoise.toml | cut -d' ' -f1)" = "$CONFIG_SUM"
kept() { [ "$(events True)" -gt "$EVENTS_BEFORE" ] && ct ardoise journal verify >/dev/null; }
check "upgrade: the journal is kept, every event there, and verifies" kept
check "upgrade: the kiosk account's reference is kept" ct test -d /var/lib/ardoise/baseline/kiosque
restarted_once() {
    [ "$(ct systemctl show ardoise -p InvocationID --value)" != "$INVOCATION" ] && [ "$(events 'e["event"] == "daemon-start"')" = $((STARTS_BEFORE + 1)) ] &&
        [ "$(ct systemctl is-active ardoise)" = active ]
}
check "upgrade: the service was restarted once, and is active" restarted_once
restarted_once || ct journalctl -u ardoise.service -o cat --no-pager | tail -8
check "upgrade: the verification key's state is kept (nothing waiting)" sh -c "! nsenter -t $CT_LEADER -a sh -c 'ls /var/lib/ardoise/verification-key.*.pending' >/dev/null 2>&1"

# Removal.
apt_ct remove ardoise > "$CT_WORK/remove.log" 2>&1 || { cat "$CT_WORK/remove.log"; exit 1; }
check "remove: the service is stopped" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl is-active ardoise.service)\" != active ]"
check "remove: the service is no longer enabled" sh -c "[ \"\$(nsenter -t $CT_LEADER -a systemctl is-enabled ardoise.service 2>/dev/null)\" != enabled ]"
check "remove: the PAM hook is off" sh -c "! nsenter -t $CT_LEADER -a grep -q 'ardoise session-end' /etc/pam.d/common-session"
check "remove: the journal is kept" ct test -s /var/lib/ardoise/journal.sqlite
check "remove: the configuration is kept (until purge)" ct test -e /etc/ardoise/ardoise.toml

# Purge.
apt_ct purge ardoise > "$CT_WORK/purge.log" 2>&1 || { cat "$CT_WORK/purge.log"; exit 1; }
check "purge: the configuration is gone" sh -c "! nsenter -t $CT_LEADER -a test -e /etc/ardoise"
check "purge: the access journal is kept" ct test -s /var/lib/ardoise/journal.sqlite
check "purge: it says where the journal is kept" grep -q "/var/lib/ardoise" "$CT_WORK/purge.log"

echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ]
