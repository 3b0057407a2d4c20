#!/usr/bin/env bash
# Debian's real browsers, firefox-esr and chromium, driven to a login form on 127.0.0.1 and submitting it: with
# ardoise's policies installed, no password is saved, none is offered, and each browser reports the policies active;
# with a policies.json that does not parse, Firefox applies none and the wipe journals it; with the policies removed,
# the same run saves the password (so this test can fail), and an administrator's own policies.json comes back as it was.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ARDOISE=${ARDOISE_BIN:-$ROOT/.build/debug/ardoise}
PY=/usr/bin/python3
for tool in firefox-esr chromium chromedriver; do
    command -v $tool >/dev/null || { echo "run.sh: $tool is not installed: the real-browser test is skipped"; exit 0; }
done
$PY -c 'import selenium' 2>/dev/null || { echo "run.sh: python3-selenium is not installed: the real-browser test is skipped"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "run.sh: the policies are written in /etc: run as root" >&2; exit 2; }

FIREFOX_POLICIES=/etc/firefox/policies/policies.json
CHROMIUM_POLICIES=/etc/chromium/policies/managed/ardoise.json
# A fixed state folder: a run killed half-way is cleaned up by the next one.
STATE=/var/lib/ardoise-browser-test
WORK=$(mktemp -d /tmp/ardoise-browsers.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
PLANTED=""
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    "$ARDOISE" policies remove --state-dir "$STATE" >/dev/null 2>&1 && rm -rf "$STATE" || true
    [ -n "$PLANTED" ] && rm -f "$FIREFOX_POLICIES"
    [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
"$ARDOISE" policies remove --state-dir "$STATE" >/dev/null 2>&1 && rm -rf "$STATE" || true

PASSED=0
FAILED=0
check() { local name=$1; shift; if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $name"; else FAILED=$((FAILED + 1)); echo "not ok - $name"; fi; }
field() { $PY -c "import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(json.dumps(v) if not isinstance(v, str) else v)" "$1" "$2"; }
drive() { # browser run-name
    rm -rf "$WORK/$2"
    mkdir -p "$WORK/$2"
    timeout 240 $PY "$HERE/drive.py" "$1" "$WORK/$2" "$PORT" > "$WORK/$2/$1.json" 2> "$WORK/$2/$1.err" || { cat "$WORK/$2/$1.err" >&2; return 1; }
}

$PY "$HERE/site.py" "$PORT" &
SERVER=$!
for i in $(seq 1 100); do $PY -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break; sleep 0.1; done

# An administrator's own Firefox policy, there before ardoise.
if [ ! -e "$FIREFOX_POLICIES" ]; then
    mkdir -p "$(dirname "$FIREFOX_POLICIES")"
    printf '{\n  "policies": {\n    "NoDefaultBookmarks": true\n  }\n}\n' > "$FIREFOX_POLICIES"
    PLANTED=1
fi
ADMIN_BEFORE=$(sha256sum "$FIREFOX_POLICIES" | cut -d' ' -f1)

# 1. Policies installed.
"$ARDOISE" policies install --state-dir "$STATE" --config /dev/null > "$WORK/install.txt" 2>&1
check "policies install: written for Debian's Firefox ESR and Chromium" sh -c "grep -q '$FIREFOX_POLICIES' '$WORK/install.txt' && grep -q '$CHROMIUM_POLICIES' '$WORK/install.txt'"
check "policies install: the administrator's own policy is kept beside ardoise's" $PY -c "
import json; p = json.load(open('$FIREFOX_POLICIES'))['policies']; assert p['NoDefaultBookmarks'] is True and p['PasswordManagerEnabled'] is False"
check "policies show: both browsers protected" sh -c "'$ARDOISE' policies show --state-dir '$STATE' --config /dev/null > '$WORK/show.txt' 2>&1"
drive firefox protected
R=$WORK/protected/firefox.json
check "Firefox with the policies: no offer to save the password" test "$(field "$R" save_prompt)" = null
check "Firefox with the policies: no password saved (logins.json absent or empty)" sh -c "[ '$(field "$R" logins_in_browser)' = 0 ] && { [ '$(field "$R" logins_json)' = null ] || [ '$(field "$R" logins_json)' = 0 ]; }"
check "Firefox with the policies: password saving is off and locked" test "$(field "$R" remember_signons)" = "[false, true]"
check "Firefox with the policies: the policy engine is active" test "$(field "$R" policy_active)" = true
check "Firefox with the policies: about:policies lists them, no error" sh -c "field() { $PY -c \"import json,sys; print(json.load(open(sys.argv[1]))['about_policies'])\" \"\$1\"; }; T=\$(field '$R'); echo \"\$T\" | grep -q 'PasswordManagerEnabled' && echo \"\$T\" | grep -q 'DisableFirefoxAccounts' && ! echo \"\$T\" | grep -q '^Errors'"
check "Firefox with the policies: prefs.js says browser.policies.applied" test "$(field "$R" policies_applied_pref)" = true
drive chromium protected
R=$WORK/protected/chromium.json
check "Chromium with the policies: offering to save passwords is off, by policy" $PY -c "
import json; o = json.load(open('$R'))['offer_to_save']; assert o['value'] is False and o.get('enforcement') == 'ENFORCED', o"
check "Chromium with the policies: the password cannot be saved" $PY -c "
import json; s = json.load(open('$R'))['save']; assert not s['ok'] and 'policy' in s['error'], s"
check "Chromium with the policies: Login Data has no row" sh -c "[ '$(field "$R" login_data_rows)' = 0 ] || [ '$(field "$R" login_data_rows)' = null ]"
check "Chromium with the policies: chrome://policy lists them, none in error" $PY -c "
import json; t = json.load(open('$R'))['chrome_policy']
for name in ['PasswordManagerEnabled', 'BrowserSignin', 'SyncDisabled', 'BrowserGuestModeEnabled', 'BrowserAddPersonEnabled', 'ClearBrowsingDataOnExitList', 'DefaultSearchProviderName']:
    assert name in t, name
assert 'Error' not in t and 'Ignored' not in t and 'Unknown policy' not in t, t"

# 2. A policies.json that does not parse (one comma too many): Firefox applies none, the wipe journals it.
cp "$FIREFOX_POLICIES" "$WORK/ours.json"
sed -i '0,/"policies" : {/s//"policies" : {,/' "$FIREFOX_POLICIES"
sed -i '0,/"policies": {/s//"policies": {,/' "$FIREFOX_POLICIES"
check "policies show: the broken file is named (exit 1)" sh -c "! '$ARDOISE' policies show --state-dir '$STATE' --config /dev/null > '$WORK/show-broken.txt' 2>&1 && grep -q 'does not parse\|ne se lit pas' '$WORK/show-broken.txt'"
drive firefox broken
R=$WORK/broken/firefox.json
check "Firefox with a broken policies.json: its policy engine failed" test "$(field "$R" policy_status)" = 2
check "Firefox with a broken policies.json: prefs.js has no browser.policies.applied" test "$(field "$R" policies_applied_pref)" = false
chown -R 65534:65534 "$WORK/broken/home"
"$ARDOISE" wipe --home "$WORK/broken/home" --state-dir "$STATE" --config /dev/null > "$WORK/wipe.txt" 2>&1 || true
"$ARDOISE" journal list 2>/dev/null --state-dir "$STATE" --event policy-not-applied --format json > "$WORK/not-applied.json"
check "the wipe journals Firefox running without its policies (policy-not-applied, a count)" $PY -c "
import json; e = json.load(open('$WORK/not-applied.json')); assert len(e) == 1 and e[0]['detail']['profiles'] == 1 and e[0]['detail']['browser'] == 'Firefox', e"
check "the wipe's report says it in plain words" grep -q "without its policies\|sans ses règles" "$WORK/wipe.txt"
cp "$WORK/ours.json" "$FIREFOX_POLICIES"

# 3. Policies removed: the same run saves the password.
"$ARDOISE" policies remove --state-dir "$STATE" > "$WORK/remove.txt" 2>&1
check "policies remove: the administrator's policies.json is given back byte for byte" test "$(sha256sum "$FIREFOX_POLICIES" | cut -d' ' -f1)" = "$ADMIN_BEFORE"
check "policies remove: ardoise's Chromium file is gone" test ! -e "$CHROMIUM_POLICIES"
[ -n "$PLANTED" ] && rm -f "$FIREFOX_POLICIES" && PLANTED=""
drive firefox unprotected
R=$WORK/unprotected/firefox.json
check "Firefox without the policies: it offers to save the password" test "$(field "$R" save_prompt)" = password
check "Firefox without the policies: the password is saved in logins.json" test "$(field "$R" logins_json)" = 1
drive chromium unprotected
R=$WORK/unprotected/chromium.json
check "Chromium without the policies: the password is saved in Login Data" test "$(field "$R" login_data_rows)" = 1

echo "# passed $PASSED, failed $FAILED"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
