#!/usr/bin/env bash
# End-to-end: ardoise installed as a service in a real systemd with logind (a throwaway container), driven through
# real login sessions. `run.sh` runs every case; `run.sh --demo` shows one kiosk session from login to wipe;
# `run.sh --bench` measures logout-to-wiped times and the idle footprint (used by `make bench`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MODE=${1:---test}
FIXTURE=${ARDOISE_FIXTURES:-$ROOT/../shared/fixtures/browser-profiles}/public-profiles.tar.gz
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (it boots a container)" >&2; exit 2; }

# E2E_SUITE=trixie: the same suite on Debian 13.
ROOTFS=$(bash "$HERE/rootfs.sh" "${E2E_SUITE:-bookworm}")
CT_WORK=$(mktemp -d /var/tmp/ardoise-e2e.XXXXXX)
. "$HERE/container.sh"
cleanup() { ct_stop; rm -rf "$CT_WORK"; }
trap cleanup EXIT

make -s -C "$ROOT" install DESTDIR="$CT_WORK/dest" >/dev/null
mkdir -p "$CT_WORK/fixture"
tar -C "$CT_WORK/fixture" -xzf "$FIXTURE"

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1"; [ $# -gt 1 ] && echo "  # $2"; return 0; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "failed: $*"; fi; }
say() { [ "$MODE" = --demo ] && printf '\n\033[1m== %s\033[0m\n' "$*" || true; }

# Journal events in the container matching a Python condition on `e` (each event as `ardoise journal list --format json` gives it).
count_events() {
    local condition=$1; shift
    ct ardoise journal list "$@" --format json 2>/dev/null | python3 -c "import json, sys; print(sum(1 for e in json.load(sys.stdin) if ($condition)))"
}
has_events() { [ "$(count_events "$@")" -ge 1 ]; }

# The fixture's real browser profiles (Firefox ESR, Chromium) in the kiosk home, owned by the kiosk account.
plant_profiles() {
    ct_copy "$CT_WORK/fixture/home-kiosk" /home/kiosque
    ct chown -R kiosque:kiosque /home/kiosque
}

TRACES=(".mozilla/firefox/4144awjv.default-esr/cookies.sqlite" ".mozilla/firefox/4144awjv.default-esr/places.sqlite"
        ".mozilla/firefox/4144awjv.default-esr/logins.json" ".mozilla/firefox/4144awjv.default-esr/formhistory.sqlite"
        ".mozilla/firefox/4144awjv.default-esr/sessionstore.jsonlz4" ".config/chromium/Default/Cookies"
        ".config/chromium/Default/History" ".config/chromium/Default/Login Data" ".config/chromium/Default/Web Data"
        ".cache/chromium/Default/Cache" ".cache/mozilla/firefox/4144awjv.default-esr/cache2" ".local/share/recently-used.xbel"
        "Downloads/attestation-caf.pdf" "Downloads/releve-impots.pdf")
home_is_clean() {
    local trace
    for trace in "${TRACES[@]}"; do
        if ct test -e "/home/kiosque/$trace"; then echo "  # still there: $trace"; return 1; fi
    done
    # No byte of the session's data anywhere in the home (cookie names, login, site, downloaded file names).
    if ct grep -rlaF -e kiosk_pub -e jean.martin -e 127.0.0.1:8642 -e attestation-caf -e releve-impots /home/kiosque; then return 1; fi
    # And ardoise itself finds nothing more to erase.
    [ "$(ct ardoise --config /root/defaults.toml wipe --user kiosque --dry-run --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["found"]["files"] + d["found"]["directories"])')" = 0 ]
}

# Logs a kiosk session in, lets COMMAND run in it, then ends it; prints the session id.
kiosk_session() {
    ct_session kiosque "$1"
}

say "A throwaway computer boots (systemd in a container) and ardoise is installed on it as a service"
ct_boot "$ROOTFS"
ct_copy "$CT_WORK/dest" /
ct systemd-sysusers >/dev/null
ct systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/ardoise.conf
ct useradd -m -u 2001 -s /bin/bash kiosque
ct touch /root/defaults.toml
ct ardoise journal key > "$CT_WORK/verification.key" 2>&1
ct useradd -m -u 1500 -s /bin/bash -G ardoise-admin animatrice
ct useradd -m -u 1600 -s /bin/bash visiteur
cat > "$CT_WORK/ardoise.toml" <<'TOML'
[kiosk]
users = ["kiosque"]
logout_grace_seconds = 2
TOML
ct sh -c 'cat > /etc/ardoise/ardoise.toml' < "$CT_WORK/ardoise.toml"
ct systemctl daemon-reload
ct systemctl enable --now ardoise.service >/dev/null 2>&1
check "the service is active (Type=notify: READY was sent)" test "$(ct systemctl show ardoise -p ActiveState --value)" = active
check "the service reports its status to systemd, with its version" sh -c "nsenter -t $CT_LEADER -a systemctl show ardoise -p StatusText --value | grep -q '^ardoise [0-9][^ ]*: [0-9]* session'"
check "the unit passes systemd-analyze verify" ct systemd-analyze verify /etc/systemd/system/ardoise.service
check "the start-up sweep is journaled" has_events 'e["event"] == "boot-sweep"'
check "a kiosk account without a reference: the service captured one at start, journaled" \
    has_events 'e["event"] == "baseline-captured" and e.get("user") == "kiosque" and e["detail"]["automatic"] == True and e["outcome"] == "ok"'
check "events reach the system journal with their MESSAGE_ID" \
    sh -c "[ -n \"\$(nsenter -t $CT_LEADER -a journalctl -q -o cat MESSAGE_ID=a7d0153e0b2c4c1f9a3e6d52f1c8b401)\" ]"
if [ "$MODE" != --demo ]; then
    ct systemd-analyze security ardoise.service --no-pager > "$CT_WORK/security.txt" 2>&1 || true
    echo "# $(tail -1 "$CT_WORK/security.txt")"
fi

# --- 1. A kiosk session with the real browser profiles, a download, a logout.
say "Someone uses the kiosk: real Firefox and Chromium profiles (history, cookies, a saved password...), then downloads a file"
plant_profiles
[ "$MODE" = --demo ] && ct ardoise wipe --user kiosque --dry-run
# The visitor also plants what would run for the next person, and leaves files outside the home, deep in /tmp and in /dev/shm.
SESSION=$(kiosk_session 'printf "%%PDF-1.4 avis d imposition" > ~/Downloads/releve-impots.pdf; mkdir -p ~/.config/autostart ~/.config/systemd/user /tmp/v/a/b; echo "[Desktop Entry]" > ~/.config/autostart/update.desktop; echo "export LD_PRELOAD=/tmp/v/x.so" >> ~/.bashrc; echo hostile > ~/.config/systemd/user/sync.service; echo hostile > /tmp/v/a/b/deep; echo hostile > /dev/shm/kiosque-left; exec sleep 600')
say "Session $SESSION is open; the person logs out"
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "logout: session start, session end and a wipe with nothing left are journaled" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['left'] == 0 and e['detail']['trigger'] == 'logout'"
check "logout: session start journaled with its seat" has_events "e.get('session') == '$SESSION' and e['event'] == 'session-start' and e.get('seat') == 'seat0'"
check "logout: session end journaled" has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end'"
check "logout: every trace of the session is gone" home_is_clean
DIFF=$(ct ardoise baseline diff --user kiosque 2>&1 || true)
check "logout: the home is exactly its reference again (baseline diff)" test "$(printf '%s' "$DIFF" | grep -c 'identique\|identical')" -ge 1
LEFT=$(ct sh -c 'ls -d /home/kiosque/.config/autostart/update.desktop /home/kiosque/.config/systemd/user/sync.service 2>/dev/null; grep -l LD_PRELOAD /home/kiosque/.bashrc 2>/dev/null' || true)
check "logout: what the visitor planted to run at the next login is gone" test -z "$LEFT"
LEFT=$(ct sh -c 'ls -d /tmp/v/a/b/deep /dev/shm/kiosque-left 2>/dev/null' || true)
check "logout: the account's files outside the home are gone, at any depth (/tmp, /dev/shm)" test -z "$LEFT"
check "logout: the wipe was a reset to the reference" has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['mode'] == 'baseline'"
# After a wipe (its thread, tasks, timers), with a session open and nothing to do, the service sleeps. libdispatch's pool
# monitor, had it started, would wake it every second (40 times here); a look at the screen lock every 30 s, at least
# once. Counted per thread, for the threads alive at both ends (one that ended took its count with it).
daemon_switches() {
    local pid
    pid=$(ct systemctl show ardoise -p MainPID --value)
    ct sh -c "for t in /proc/$pid/task/*; do echo \$(basename \$t) \$(awk '/ctxt_switches/ {s += \$2} END {print s}' \$t/status); done" | sort
}
IDLE_SESSION=$(kiosk_session 'exec sleep 600')
sleep 3
daemon_switches > "$CT_WORK/switches.before"
sleep 40
daemon_switches > "$CT_WORK/switches.after"
WAKEUPS=$(join "$CT_WORK/switches.before" "$CT_WORK/switches.after" | awk '{s += $3 - $2} END {print s + 0}')
check "idle with a session open, after a wipe: the service is not woken periodically ($WAKEUPS wake-ups in 40 s)" test "$WAKEUPS" -lt 5
ct loginctl kill-session "$IDLE_SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$IDLE_SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
if [ "$MODE" = --demo ]; then
    say "What ardoise finds in the home now"
    ct ardoise wipe --user kiosque --dry-run
    say "The access journal (ardoise journal list; the checks' own queries left out)"
    ct ardoise journal list --since 1h --event daemon-start --event boot-sweep --event session-start --event notice-shown \
        --event session-end --event wipe-started --event wipe-finished
    exit 0
fi

if [ "$MODE" = --bench ]; then
    . "$HERE/bench.sh"
    exit 0
fi

# --- 2. SIGHUP with a broken configuration: refused with its line and key, the previous one stays.
ct sh -c 'printf "[kiosk]\nusers = \"kiosque\"\n" > /etc/ardoise/ardoise.toml'
ct systemctl reload ardoise.service
wait_for 10 "has_events 'e[\"event\"] == \"config-rejected\"'" || true
check "SIGHUP, broken file: refused with its line and key, journaled" \
    has_events "e['event'] == 'config-rejected' and e['detail'].get('line') == 2 and e['detail'].get('key') == 'kiosk.users'"
check "SIGHUP, broken file: the service goes on" test "$(ct systemctl show ardoise -p ActiveState --value)" = active

# --- 3. A browser still running at logout rewrites its cookies when told to stop: nothing survives (and the old config is still in force).
plant_profiles
COOKIE=.mozilla/firefox/4144awjv.default-esr/cookies.sqlite
ct sh -c "mkdir -p /usr/local/libexec && cat > /usr/local/libexec/browser-like && chmod 755 /usr/local/libexec/browser-like" <<SCRIPT
#!/bin/bash
# Like a browser told to quit: it writes its cookies back on the way out.
trap 'echo kiosk_pub_auth=late > ~/$COOKIE; sleep 0.5; exit 0' TERM
while :; do sleep 0.1; done
SCRIPT
SESSION=$(kiosk_session 'setsid /usr/local/libexec/browser-like < /dev/null > /dev/null 2>&1 & exec sleep 600')
ct loginctl kill-session --kill-whom=leader "$SESSION"
wait_for 40 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "a program left running at logout is stopped before the wipe" test -z "$(ct pgrep -u kiosque)"
check "its cookie written back on the way out is wiped too (old configuration kept after the broken reload)" home_is_clean
ct sh -c 'cat > /etc/ardoise/ardoise.toml' < "$CT_WORK/ardoise.toml"
ct systemctl reload ardoise.service

# --- 4. The daemon killed in the middle of a wipe: systemd restarts it and the wipe completes.
plant_profiles
ct_as kiosque 'mkdir -p ~/Downloads/mass && cd ~/Downloads/mass && seq -f "f%g" 1 300000 | xargs touch'
SESSION=$(kiosk_session 'exec sleep 600')
MASS_SIZE=$(ct stat -c %s /home/kiosque/Downloads/mass)
ct loginctl kill-session "$SESSION"
# The moment the folder starts shrinking, the wipe is under way: the daemon is killed there and then, from inside.
ct sh -c 'pid=$(systemctl show ardoise -p MainPID --value); end=$(($(date +%s) + 30))
    while [ $(stat -c %s /home/kiosque/Downloads/mass) -ge '"$MASS_SIZE"' ] && [ $(date +%s) -lt $end ]; do :; done
    kill -KILL $pid'
check "killed mid-wipe: the wipe had not finished" test "$(count_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished'")" = 0
wait_for 60 "has_events 'e[\"event\"] == \"wipe-finished\" and e[\"detail\"][\"trigger\"] == \"pending\"'" || true
check "killed mid-wipe: systemd restarted the service" test "$(ct systemctl show ardoise -p NRestarts --value)" -ge 1
check "killed mid-wipe: the pending wipe was finished at restart" \
    has_events "e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'pending' and e['detail']['left'] == 0"
check "killed mid-wipe: nothing is left" sh -c "! nsenter -t $CT_LEADER -a test -e /home/kiosque/Downloads/mass"

# --- 5. Traces at start with no session open (power cut): swept. And the hook while the service is down.
ct systemctl stop ardoise.service
plant_profiles
ct sh -c 'PAM_TYPE=close_session PAM_USER=kiosque ardoise session-end' > "$CT_WORK/hook-alone.out" 2>&1 || true
check "hook with the service down: it wipes by itself" home_is_clean
check "hook with the service down: journaled as such" \
    has_events "e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'hook-without-service' and e['detail']['left'] == 0"
plant_profiles
ct systemctl start ardoise.service
check "start-up with traces and no session: the home is swept" home_is_clean
check "start-up sweep: journaled" has_events "e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'boot-sweep' and e['user'] == 'kiosque' and e['detail']['removed'] > 0"

# --- 6. The PAM hook: pam_exec at close_session asks the service to wipe and waits.
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable ardoise
check "PAM: the profile is in common-session" ct grep -q "ardoise session-end" /etc/pam.d/common-session
plant_profiles
SESSION=$(kiosk_session 'printf "%%PDF" > ~/Downloads/releve-impots.pdf; exec sleep 600')
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "PAM: the wipe was asked by the hook" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'session-end-hook' and e['detail']['left'] == 0"
check "PAM: the home is clean" home_is_clean
ct sh -c 'PAM_TYPE=close_session PAM_USER=kiosque ardoise session-end' > "$CT_WORK/hook.out" 2>&1
check "PAM: the hook run by hand answers at once (already clean)" grep -qx ok "$CT_WORK/hook.out"
check "session-end refuses anyone but root (exit 3)" sh -c "nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise session-end --user kiosque >/dev/null 2>&1; [ \$? = 3 ]"
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --remove ardoise

# --- 7. Administrators without sudo: the group may read the journal through the service; others get exit 3.
check "ardoise-admin member: journal list works" sh -c "nsenter -t $CT_LEADER -a runuser -u animatrice -- ardoise journal list --event session-start --format json | grep -q kiosque"
check "ardoise-admin member: export writes the file as that member" sh -c "
    nsenter -t $CT_LEADER -a runuser -u animatrice -- ardoise journal export --since 1d --until 2099-01-01 --out /home/animatrice/journal.csv >/dev/null &&
    [ \"\$(nsenter -t $CT_LEADER -a stat -c %U /home/animatrice/journal.csv)\" = animatrice ] &&
    nsenter -t $CT_LEADER -a grep -q session-start /home/animatrice/journal.csv"
check "ardoise-admin member: verify works" sh -c "nsenter -t $CT_LEADER -a runuser -u animatrice -- ardoise journal verify >/dev/null"
check "the query is journaled under the member's name" has_events "e['event'] == 'admin-query' and e['user'] == 'animatrice'"
check "ordinary account: refused with exit 3" sh -c "nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise journal list >/dev/null 2>&1; [ \$? = 3 ]"
check "ordinary account: the database itself is unreadable" sh -c "! nsenter -t $CT_LEADER -a runuser -u visiteur -- cat /var/lib/ardoise/journal.sqlite >/dev/null 2>&1"

# --- 9. The notice and the live warnings.
plant_profiles
ct sh -c 'printf "[kiosk]\nusers = [\"kiosque\"]\n[notice]\nrequire_acknowledgement = true\n" > /etc/ardoise/ack.toml'
SESSION=$(kiosk_session 'exec sleep 600')
wait_for 10 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"notice-shown\"'" || true
check "notice: shown at the start of a text session (profile.d), journaled" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'notice-shown' and e['user'] == 'kiosque'"
OTHER=$(ct_session visiteur 'exec sleep 600')
sleep 1
check "notice: not shown to an account that is not a kiosk account" test "$(count_events "e.get('session') == '$OTHER' and e['event'] == 'notice-shown'")" = 0
ct loginctl kill-session "$OTHER"
printf '\n' | ct runuser -u kiosque -- ardoise --config /etc/ardoise/ack.toml notice --text --session "$SESSION" > "$CT_WORK/notice.txt"
check "notice: the French text says what is recorded, for how long, and that everything is erased" \
    sh -c "grep -q 'heure de connexion' '$CT_WORK/notice.txt' && grep -q '1 an' '$CT_WORK/notice.txt' && grep -q 'efface' '$CT_WORK/notice.txt'"
check "notice: the acknowledgement reaches the service" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'notice-acknowledged' and e['user'] == 'kiosque'"
check "notice: another account cannot acknowledge for this session (exit 3)" sh -c "
    printf '\n' | nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise --config /etc/ardoise/ack.toml notice --text --session $SESSION >/dev/null 2>&1; [ \$? = 3 ]"
check "notice: nothing was recorded for the other account" \
    test "$(count_events "e.get('session') == '$SESSION' and e['event'].startswith('notice-') and e.get('user') != 'kiosque'")" = 0
ct runuser -u kiosque -- env LANG=en_GB.UTF-8 ardoise notice --text --listen --session "$SESSION" > "$CT_WORK/warnings.txt" 2>&1 &
LISTENER=$!
sleep 1
ct_as kiosque 'printf "%%PDF" > ~/Downloads/avis.pdf.part && mv ~/Downloads/avis.pdf.part ~/Downloads/avis.pdf'
ct_as kiosque 'cd ~/.mozilla/firefox/4144awjv.default-esr && cp logins.json logins.json.tmp && mv logins.json.tmp logins.json'
wait_for 10 "grep -q 'password was saved' '$CT_WORK/warnings.txt' && grep -q 'File downloaded' '$CT_WORK/warnings.txt'" || true
check "warnings: the agent is told of the download and of the saved password, in its language" \
    sh -c "grep -q 'password was saved' '$CT_WORK/warnings.txt' && grep -q 'File downloaded' '$CT_WORK/warnings.txt'"
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "warnings: the journal keeps counts only (1 password, 1 download)" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['detail'].get('passwords_saved') == 1 and e['detail'].get('downloads') == 1"
wait $LISTENER 2>/dev/null || true
check "warnings: the agent stops when its session ends" sh -c "! kill -0 $LISTENER 2>/dev/null"

# --- 10. Sessions that end by themselves (idle, time limit) with a countdown on their terminal, and staff ending them.
ct cp /etc/ardoise/ardoise.toml /etc/ardoise/base.toml
limits() { ct sh -c "cat /etc/ardoise/base.toml > /etc/ardoise/ardoise.toml; printf '[sessions]\n$1\n' >> /etc/ardoise/ardoise.toml"; ct systemctl reload ardoise.service; sleep 1; }
session_gone() { ! ct loginctl show-session "$1" -p State --value 2>/dev/null | grep -qx active; }
session_active() { ct loginctl show-session "$1" -p State --value 2>/dev/null | grep -qx active; }
shown() { ct grep -q "$2" "$1"; }
limits 'idle_minutes = 0.2\nwarning_seconds = 8\nlock_screen = "ignore"'
SESSION=$(ct_session kiosque 'exec sleep 600' /root/ts-idle)
wait_for 45 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"session-end\"'" || true
check "idle: the countdown was shown on the session's terminal, in French" ct grep -q "Vous êtes toujours là" /root/ts-idle
check "idle: it said how many seconds were left" ct grep -q "se fermera dans [0-9]* secondes" /root/ts-idle
check "idle: logind terminated the session" session_gone "$SESSION"
check "idle: the session end is journaled with the reason idle" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['outcome'] == 'idle' and e['detail'].get('idle_measured') == True"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "idle: the home was wiped, trigger idle" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'idle' and e['detail']['left'] == 0"
limits 'idle_minutes = 0.2\nwarning_seconds = 20\nlock_screen = "ignore"'
SESSION=$(ct_session kiosque 'exec sleep 600' /root/ts-input)
wait_for 40 "shown /root/ts-input 'toujours là'" || true
# A key press read by the shell moves the terminal's access time, which is what logind reads: the same, from outside.
TTY=$(ct loginctl show-session "$SESSION" -p TTY --value)
ct touch -a "/dev/$TTY"
wait_for 10 "shown /root/ts-input 'La session continue'" || true
check "idle: input during the countdown stops it (said on the terminal)" shown /root/ts-input 'La session continue'
sleep 3
check "idle: and the session stays open" session_active "$SESSION"
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "idle: a session ended by its user afterwards is a logout" has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['outcome'] == 'logout'"
# A screen locked while someone types: nobody is there from the lock (logind announces it; the service does not look).
limits 'idle_minutes = 0.1\nwarning_seconds = 5\nlock_screen = "end"'
SESSION=$(ct_session kiosque 'exec sleep 600' /root/ts-lock)
TTY=$(ct loginctl show-session "$SESSION" -p TTY --value)
( for _ in $(seq 60); do ct touch -a "/dev/$TTY" 2>/dev/null; sleep 1; done ) &
TYPING=$!
sleep 3
OBJECT=$(ct busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager GetSession s "$SESSION" | awk '{print $2}' | tr -d '"')
ct busctl call org.freedesktop.login1 "$OBJECT" org.freedesktop.login1.Session SetLockedHint b true
wait_for 45 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"session-end\"'" || true
kill $TYPING 2>/dev/null || true
wait $TYPING 2>/dev/null || true
check "lock: a screen locked while someone types ends the session, journaled with the reason locked" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['outcome'] == 'locked'"
check "lock: logind terminated the session" session_gone "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
limits 'idle_minutes = 0\nmax_minutes = 0.3\nmax_warning_minutes = 0.2\nwarning_seconds = 8'
SESSION=$(ct_session kiosque 'exec sleep 600' /root/ts-limit)
wait_for 45 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"session-end\"'" || true
check "time limit: a first warning on the terminal" shown /root/ts-limit 'Plus que 1 minute'
check "time limit: then the countdown" shown /root/ts-limit 'Le temps est écoulé'
check "time limit: the session end is journaled with the reason time-limit" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['outcome'] == 'time-limit'"
check "time limit: logind terminated the session" session_gone "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
limits 'idle_minutes = 0\nmax_minutes = 90'
SESSION=$(ct_session kiosque 'exec sleep 600')
LISTED=$(nsenter -t "$CT_LEADER" -a runuser -u animatrice -- env LANG=en_GB.UTF-8 ardoise sessions 2>&1 || true)
check "staff: an ardoise-admin member lists the open session (account, seat, time left)" \
    sh -c "printf '%s' \"\$1\" | grep -q kiosque && printf '%s' \"\$1\" | grep -q seat0 && printf '%s' \"\$1\" | grep -q '89 min'" _ "$LISTED"
check "staff: the list gives how long the session has been idle" sh -c "nsenter -t $CT_LEADER -a runuser -u animatrice -- ardoise sessions --format json |
    python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin) if x[\"session\"] == \"$SESSION\"]; sys.exit(0 if s and s[0][\"idleSeconds\"] is not None else 1)'"
check "staff: an ordinary account may not list sessions (exit 3)" sh -c "nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise sessions >/dev/null 2>&1; [ \$? = 3 ]"
check "staff: an ordinary account may not end one (exit 3)" sh -c "nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise sessions end --session $SESSION --now >/dev/null 2>&1; [ \$? = 3 ]"
check "staff: the member extends the session by 30 minutes" nsenter -t "$CT_LEADER" -a runuser -u animatrice -- ardoise sessions extend --seat seat0 --minutes 30
check "staff: the member ends it at once" nsenter -t "$CT_LEADER" -a runuser -u animatrice -- ardoise sessions end --session "$SESSION" --now
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "staff: the end is journaled with the reason staff and the member's name" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'session-end' and e['outcome'] == 'staff' and e['detail'].get('by') == 'animatrice'"
check "staff: the session was terminated" session_gone "$SESSION"
check "staff: and wiped, trigger staff" has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'staff'"
check "staff: every use is journaled under the member's name" has_events "e['event'] == 'admin-query' and e['user'] == 'animatrice' and e['detail'].get('command') == 'sessions-end'"
check "journal stats counts the sessions ended per reason" sh -c "nsenter -t $CT_LEADER -a ardoise journal stats --since 1d --format json |
    python3 -c 'import json,sys; t={}; [t.update({k: t.get(k, 0) + v}) for p in json.load(sys.stdin) for k, v in p[\"sessions_ended\"].items()]; sys.exit(0 if t[\"idle\"] >= 1 and t[\"time-limit\"] >= 1 and t[\"staff\"] >= 1 else 1)'"
ct cp /etc/ardoise/base.toml /etc/ardoise/ardoise.toml
ct systemctl reload ardoise.service

# --- 12. Printing: the kiosk account's jobs (done, pending, held) are purged from CUPS at logout; another account's stay.
# DirtyCleanInterval 0: CUPS writes its job files at once (by default within 30 s), so the test sees what is on disk.
ct sh -c 'echo "FileDevice Yes" >> /etc/cups/cups-files.conf; echo "DirtyCleanInterval 0" >> /etc/cups/cupsd.conf; systemctl restart cups.service'
wait_for 20 "ct test -S /run/cups/cups.sock" || true
ct lpadmin -p epn -E -v file:/dev/null -m raw > /dev/null 2>&1 || true
lpstat_of() { ct lpstat -W all -u "$1" 2>/dev/null | grep -c epn || true; }
ct_as kiosque 'lp -d epn -o raw -t PRINTMARK-done /etc/hostname' > /dev/null
wait_for 20 "ct lpstat -W completed -u kiosque 2>/dev/null | grep -q epn" || true
ct cupsdisable epn
SESSION=$(kiosk_session 'lp -d epn -o raw -t PRINTMARK-pending /etc/hostname; lp -d epn -o raw -H hold -t PRINTMARK-held /etc/hostname; exec sleep 600')
ct_as visiteur 'lp -d epn -o raw -H hold -t other-account /etc/hostname' > /dev/null
wait_for 10 "[ \$(lpstat_of kiosque) -ge 3 ]" || true
check "printing: before logout, the session's jobs (done, pending, held) are in CUPS" test "$(lpstat_of kiosque)" -ge 3
check "printing: before logout, their names are in CUPS's spool" ct grep -rqa PRINTMARK /var/spool/cups
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || true
check "printing: after logout, no job of the kiosk account is left" test "$(lpstat_of kiosque)" = 0
check "printing: after logout, the documents' names are nowhere in CUPS's spool" sh -c "! nsenter -t $CT_LEADER -a grep -rqa PRINTMARK /var/spool/cups"
check "printing: another account's job is untouched" test "$(lpstat_of visiteur)" = 1
check "printing: journaled as a count, never a name" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail'].get('print_jobs') == 3 and e['detail']['left'] == 0"
check "printing: the wipe is clean" has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['outcome'] == 'ok'"
ct cupsenable epn
ct cancel -a -x > /dev/null 2>&1 || true
# A kiosk set up right keeps no print history, no printed documents and no page log.
ct sh -c 'printf "PreserveJobHistory No\nPreserveJobFiles No\nPageLogFormat \"\"\n" >> /etc/cups/cupsd.conf; : > /var/log/cups/page_log; systemctl restart cups.service'

# --- 11. ardoise check: a kiosk set up right, then one fault at a time, each named with its fix.
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable ardoise
kiosk_check() { local code=0; ct ardoise check > "$CT_WORK/check.txt" 2>&1 || code=$?; echo "$code" > "$CT_WORK/check.code"; }
check_says() { [ "$(cat "$CT_WORK/check.code")" = "$1" ] && { [ -z "${2:-}" ] || grep -qF -- "$2" "$CT_WORK/check.txt"; }; }
kiosk_check
check "check: a kiosk set up right, exit 0" check_says 0 "Tout est en ordre"
[ "$(cat "$CT_WORK/check.code")" = 0 ] || sed 's/^/  # /' "$CT_WORK/check.txt"
check "check: an ardoise-admin member may run it through the service" sh -c "nsenter -t $CT_LEADER -a runuser -u animatrice -- ardoise check >/dev/null"
check "check: an ordinary account may not (exit 3)" sh -c "nsenter -t $CT_LEADER -a runuser -u visiteur -- ardoise check >/dev/null 2>&1; [ \$? = 3 ]"
ct systemctl stop ardoise.service
kiosk_check
check "check: the service stopped is named, with its fix" check_says 1 "systemctl enable --now ardoise.service"
ct systemctl start ardoise.service
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --remove ardoise
kiosk_check
check "check: the PAM profile off is named, with its fix" check_says 1 "pam-auth-update --enable ardoise"
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable ardoise
ct mv /var/lib/ardoise/baseline/kiosque /var/lib/ardoise/baseline-kiosque-aside
kiosk_check
check "check: a kiosk account without a baseline is named, with its fix" check_says 1 "baseline capture --user kiosque"
ct mv /var/lib/ardoise/baseline-kiosque-aside /var/lib/ardoise/baseline/kiosque
grep '^ardoise-vk1:' "$CT_WORK/verification.key" | ct sh -c 'cat > /var/lib/ardoise/verification-key.e2e.pending'
kiosk_check
check "check: a verification key left on the computer is named, with its fix" check_says 1 "ardoise journal key"
ct rm /var/lib/ardoise/verification-key.e2e.pending
ct loginctl enable-linger kiosque
kiosk_check
check "check: lingering of a kiosk account is named, with its fix" check_says 1 "loginctl disable-linger kiosque"
ct loginctl disable-linger kiosque
# A browser (its program's place, standing for Debian's firefox-esr): without its policies, with them, with a broken file.
ct sh -c 'mkdir -p /usr/lib/firefox-esr && : > /usr/lib/firefox-esr/firefox-esr'
kiosk_check
check "check: a browser without its policies is named, with its fix" check_says 1 "sudo ardoise policies install"
ct ardoise policies install > /dev/null
kiosk_check
check "check: with its policies installed, all is well" check_says 0
ct cp /etc/firefox/policies/policies.json /root/policies.json.good
ct sed -i '0,/{/s//{,/' /etc/firefox/policies/policies.json
kiosk_check
check "check: a policies.json that does not parse is named, with its fix" check_says 1 "/etc/firefox/policies/policies.json"
ct cp /root/policies.json.good /etc/firefox/policies/policies.json
check "policies remove: ardoise's file goes" sh -c "nsenter -t $CT_LEADER -a ardoise policies remove >/dev/null && ! nsenter -t $CT_LEADER -a test -e /etc/firefox/policies/policies.json"
ct rm /usr/lib/firefox-esr/firefox-esr
# The journal edited behind the service's back (the copy taken before is put back afterwards).
ct systemctl stop ardoise.service
JOURNAL_DIR=/proc/$CT_LEADER/root/var/lib/ardoise
mkdir -p "$CT_WORK/journal-aside"
cp -a "$JOURNAL_DIR"/journal.* "$CT_WORK/journal-aside/"
# Edited on a copy brought out and put back: SQLite resolves /proc/PID/root textually, and would open the host's file.
cp "$JOURNAL_DIR/journal.sqlite" "$CT_WORK/edited.sqlite"
sqlite3 "$CT_WORK/edited.sqlite" "UPDATE event SET user = 'quelqu''un' WHERE seq = 2"
cp "$CT_WORK/edited.sqlite" "$JOURNAL_DIR/journal.sqlite"
kiosk_check
check "check: an edited journal is named, with its fix" check_says 1 "ardoise journal verify"
rm -f "$JOURNAL_DIR"/journal.*
cp -a "$CT_WORK/journal-aside/"* "$JOURNAL_DIR/"
ct systemctl start ardoise.service
kiosk_check
check "check: all well again once each fault is put right" check_says 0
ct env DEBIAN_FRONTEND=noninteractive pam-auth-update --package --remove ardoise

# --- 8. SIGTERM in the middle of a wipe: the wipe finishes, then the service stops and says so.
ct_as kiosque 'mkdir -p ~/Downloads/mass && cd ~/Downloads/mass && seq -f "f%g" 1 200000 | xargs touch'
SESSION=$(kiosk_session 'exec sleep 600')
MASS_SIZE=$(ct stat -c %s /home/kiosque/Downloads/mass)
ct loginctl kill-session "$SESSION"
STOP_AT=$(ct sh -c 'end=$(($(date +%s) + 30))
    while [ $(stat -c %s /home/kiosque/Downloads/mass) -ge '"$MASS_SIZE"' ] && [ $(date +%s) -lt $end ]; do :; done
    systemctl show ardoise -p StatusText --value; systemctl stop ardoise.service')
check "SIGTERM mid-wipe: the stop came while the wipe was under way" grep -q "wipe under way" <<< "$STOP_AT"
check "SIGTERM mid-wipe: the wipe finished before the service stopped" \
    has_events "e.get('session') == '$SESSION' and e['event'] == 'wipe-finished' and e['detail']['left'] == 0"
check "SIGTERM mid-wipe: then the stop is journaled" test "$(ct ardoise journal list --event wipe-finished --event daemon-stop --format json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["event"])')" = daemon-stop
check "SIGTERM mid-wipe: nothing is left" sh -c "! nsenter -t $CT_LEADER -a test -e /home/kiosque/Downloads/mass"

echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ]
