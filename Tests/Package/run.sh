#!/usr/bin/env bash
# The package's documents, as an administrator meets them: the manual pages render with no warning from groff and name
# every command and every configuration key; the completions load in bash, zsh and fish; lintian accepts the package.
# The same for ardoise-fleet's and ardoise-console's pages, completions and packages.
# usage: run.sh GENERATED-FOLDER [ardoise.deb ardoise-fleet.deb ardoise-console.deb]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GENERATED=$1
DEB=${2:-}
FLEET_DEB=${3:-}
CONSOLE_DEB=${4:-}
PASSED=0
FAILED=0
check() { local name=$1; shift; if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $name"; else FAILED=$((FAILED + 1)); echo "not ok - $name"; fi; }
quiet_groff() { [ -z "$(LANG=C.UTF-8 groff -K utf8 -man -Tutf8 -ww -z "$1" 2>&1)" ]; }

for page in ardoise.8 ardoise.toml.5 ardoise-fleet.8 ardoise-console.8; do
    check "man $page: groff has no warning" quiet_groff "$GENERATED/man/$page"
    check "man $page: man -l renders it" sh -c "LANG=C.UTF-8 MANWIDTH=100 man -l '$GENERATED/man/$page' 2>&1 | grep -q '^ARDOISE'"
done
every_command() {
    python3 - "$GENERATED/$1" "$GENERATED/man/$2" <<'PY'
import json, sys
page = open(sys.argv[2], encoding="utf-8").read()
def walk(command, path):
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            name = " ".join(path + [sub["commandName"]])
            if ".SS " + name.replace("-", "-") not in page:
                sys.exit("missing: " + name)
            walk(sub, path + [sub["commandName"]])
walk(json.load(open(sys.argv[1]))["command"], [])
PY
}
check "man ardoise.8: every command of the program has its section" every_command help.json ardoise.8
check "man ardoise-fleet.8: every command of ardoise-fleet has its section" every_command ardoise-fleet-help.json ardoise-fleet.8
check "man ardoise-console.8: every command of ardoise-console has its section" every_command ardoise-console-help.json ardoise-console.8
every_key() {
    python3 - "$ROOT/Config/ardoise.toml" "$GENERATED/man/ardoise.toml.5" <<'PY'
import re, sys
page = open(sys.argv[2], encoding="utf-8").read()
for line in open(sys.argv[1], encoding="utf-8"):
    key = re.match(r"^([A-Za-z0-9_-]+)\s*=", line)
    if key and ("\\fB" + key.group(1).replace("-", "\\-") + "\\fR") not in page:
        sys.exit("missing: " + key.group(1))
PY
}
check "man ardoise.toml.5: every key of Config/ardoise.toml is there" every_key
check "completion: bash loads it" bash -c "source '$GENERATED/completions/ardoise.bash' && complete -p ardoise >/dev/null"
check "completion: zsh loads it" zsh -f -c "autoload -U compinit && compinit -u -D && source '$GENERATED/completions/ardoise.zsh'"
check "completion: fish loads it and completes a command" sh -c "fish -c \"source '$GENERATED/completions/ardoise.fish'; complete -C'ardoise jour'\" 2>&1 | grep -q '^journal'"
check "completion of ardoise-fleet: bash loads it" bash -c "source '$GENERATED/completions/ardoise-fleet.bash' && complete -p ardoise-fleet >/dev/null"
check "completion of ardoise-fleet: fish completes a command" sh -c "fish -c \"source '$GENERATED/completions/ardoise-fleet.fish'; complete -C'ardoise-fleet upl'\" 2>&1 | grep -q '^upload'"
check "completion of ardoise-console: bash loads it" bash -c "source '$GENERATED/completions/ardoise-console.bash' && complete -p ardoise-console >/dev/null"
if [ -n "$DEB" ]; then
    lintian --tag-display-limit 0 --fail-on error,warning "$DEB" > "$GENERATED/lintian.txt" 2>&1 || true
    check "lintian: no error, no warning" sh -c "! grep -q '^[EW]:' '$GENERATED/lintian.txt'"
    grep '^[EW]:' "$GENERATED/lintian.txt" || true
    # The program as packaged: FoundationEssentials only (ICU and its 30 MB of data would come with Foundation),
    # hardened as Debian builds programs, libcups opened when a purge needs it, not at every start.
    dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/bin/ardoise > "$GENERATED/ardoise-packaged"
    check "the program carries no ICU data (no Foundation beyond FoundationEssentials)" sh -c "! strings '$GENERATED/ardoise-packaged' | grep -q '^icudt'"
    check "the program is hardened: RELRO, PIE" sh -c "readelf -lW '$GENERATED/ardoise-packaged' | grep -q GNU_RELRO && readelf -d '$GENERATED/ardoise-packaged' | grep -q PIE"
    check "the program does not load libcups at start" sh -c "! readelf -d '$GENERATED/ardoise-packaged' | grep NEEDED | grep -q libcups"
    check "the program does not load libstdc++ (the runtime's few uses of it are linked in)" sh -c "! readelf -d '$GENERATED/ardoise-packaged' | grep NEEDED | grep -q libstdc++"
    check "the package depends on libnettle8, not libstdc++6, and recommends libcups2" sh -c "dpkg-deb -f '$DEB' Depends | grep -q libnettle8 && ! dpkg-deb -f '$DEB' Depends | grep -q libstdc++ && dpkg-deb -f '$DEB' Recommends | grep -q libcups2"
fi
if [ -n "$FLEET_DEB" ]; then
    lintian --tag-display-limit 0 --fail-on error,warning "$FLEET_DEB" > "$GENERATED/lintian-fleet.txt" 2>&1 || true
    check "lintian on ardoise-fleet: no error, no warning" sh -c "! grep -q '^[EW]:' '$GENERATED/lintian-fleet.txt'"
    grep '^[EW]:' "$GENERATED/lintian-fleet.txt" || true
    dpkg-deb --fsys-tarfile "$FLEET_DEB" | tar -xOf - ./usr/bin/ardoise-fleet > "$GENERATED/ardoise-fleet-packaged"
    check "ardoise-fleet needs no Swift on the kiosk (its runtime is inside)" sh -c "! readelf -d '$GENERATED/ardoise-fleet-packaged' | grep NEEDED | grep -q libswift"
    dpkg-deb -c "$FLEET_DEB" > "$GENERATED/fleet-files.txt"
    dpkg-deb -c "$DEB" > "$GENERATED/files.txt"
    check "ardoise-fleet ships its timer and its manual page" sh -c "grep -q 'lib/systemd/system/ardoise-fleet-upload.timer' '$GENERATED/fleet-files.txt' && grep -q 'man8/ardoise-fleet.8' '$GENERATED/fleet-files.txt'"
    check "the kiosk's package does not carry the fleet's program" sh -c "! grep -q 'ardoise-fleet' '$GENERATED/files.txt'"
fi
if [ -n "$CONSOLE_DEB" ]; then
    lintian --tag-display-limit 0 --fail-on error,warning "$CONSOLE_DEB" > "$GENERATED/lintian-console.txt" 2>&1 || true
    check "lintian on ardoise-console: no error, no warning" sh -c "! grep -q '^[EW]:' '$GENERATED/lintian-console.txt'"
    grep '^[EW]:' "$GENERATED/lintian-console.txt" || true
    dpkg-deb --fsys-tarfile "$CONSOLE_DEB" | tar -xOf - ./usr/bin/ardoise-console > "$GENERATED/ardoise-console-packaged"
    check "ardoise-console needs no Swift (its runtime is inside)" sh -c "! readelf -d '$GENERATED/ardoise-console-packaged' | grep NEEDED | grep -q libswift"
    dpkg-deb -c "$CONSOLE_DEB" > "$GENERATED/console-files.txt"
    check "ardoise-console ships its service and its options file" sh -c "grep -q 'lib/systemd/system/ardoise-console.service' '$GENERATED/console-files.txt' && grep -q 'etc/default/ardoise-console' '$GENERATED/console-files.txt'"
    check "the kiosk's package does not carry the console" sh -c "! grep -q 'ardoise-console' '$GENERATED/files.txt'"
fi
echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ]
