# Sourced by run.sh --bench, in the booted container with one kiosk session already done.
# 1. Logout to wiped: for SESSIONS sessions with the fixture's profiles, the time from the session's end (as the journal
#    records it) to the wipe finished, beside `rm -rf` of the same planted folders.
# 2. Idle footprint of the daemon with one session open for IDLE seconds, beside systemd-logind's.
SESSIONS=${SESSIONS:-50}
IDLE=${IDLE:-60}
echo "# logout -> wiped, $SESSIONS sessions with the real browser profiles (Firefox ESR, Chromium, a download)"
FIRST=$(count_events 'True')
for i in $(seq 1 "$SESSIONS"); do
    plant_profiles
    SESSION=$(kiosk_session 'printf "%%PDF" > ~/Downloads/releve-impots.pdf; exec sleep 600')
    ct loginctl kill-session "$SESSION"
    wait_for 60 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || echo "# session $SESSION: no wipe seen"
done
REFERENCE=()
for i in $(seq 1 10); do
    plant_profiles
    ct sync
    start=$(date +%s%N)
    ct sh -c 'cd /home/kiosque && rm -rf .mozilla .cache .config/chromium .local/share/recently-used.xbel Downloads/*'
    REFERENCE+=($(( ($(date +%s%N) - start) / 1000 )))
done
ct ardoise journal list --format json 2>/dev/null | python3 -c "
import json, sys, statistics
from datetime import datetime
events = json.load(sys.stdin)
at = lambda e: datetime.strptime(e['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()
ends = {e['session']: at(e) for e in events if e['event'] == 'session-end' and e.get('user') == 'kiosque'}
delays = sorted(at(e) - ends[e['session']] for e in events
                if e['event'] == 'wipe-finished' and e.get('session') in ends and e['detail']['trigger'] == 'logout')[1:]
wipes = sorted(e['duration_s'] for e in events if e['event'] == 'wipe-finished' and e['detail']['trigger'] == 'logout')[1:]
reference = sorted(int(x) / 1e6 for x in '${REFERENCE[*]}'.split())
p99 = lambda xs: xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
print(f'  sessions measured          {len(delays)}')
print(f'  logout -> wiped  median    {statistics.median(delays):.3f} s   p99 {p99(delays):.3f} s')
print(f'  of which the wipe  median  {statistics.median(wipes):.3f} s   p99 {p99(wipes):.3f} s (plan, remove, re-scan, journal)')
print(f'  rm -rf same folders median {statistics.median(reference):.3f} s')
print(f'  ratio wipe / rm -rf        {statistics.median(wipes) / statistics.median(reference):.2f}x')
"

echo "# idle footprint, one kiosk session open for $IDLE s"
SESSION=$(kiosk_session 'exec sleep 6000')
sleep 2
# pid -> "rss_kB anon_kB cpu_ticks tid:switches,tid:switches..."
sample() {
    local pid=$1 t list=""
    for t in $(ct ls /proc/$pid/task); do
        list+="$t:$(ct awk '/ctxt_switches/ {s += $2} END {print s}' /proc/$pid/task/$t/status),"
    done
    echo "$(ct awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' /proc/$pid/status) $(ct awk '{print $14 + $15}' /proc/$pid/stat) $list"
}
DAEMON=$(ct systemctl show ardoise -p MainPID --value)
LOGIND=$(ct systemctl show systemd-logind -p MainPID --value)
D0=$(sample "$DAEMON"); L0=$(sample "$LOGIND")
sleep "$IDLE"
D1=$(sample "$DAEMON"); L1=$(sample "$LOGIND")
python3 - "$IDLE" "$(getconf CLK_TCK)" "$D0" "$D1" "$L0" "$L1" <<'PY'
import sys
idle, hz = int(sys.argv[1]), int(sys.argv[2])
def parse(text):
    rss, anon, ticks, tasks = text.split(" ")
    return int(rss), int(anon), int(ticks), dict(item.split(":") for item in tasks.strip(",").split(",") if item)
def row(name, before, after):
    _, _, t0, s0 = parse(before)
    rss, anon, t1, s1 = parse(after)
    # Context switches of the threads alive at both ends (a thread that ended took its count with it), and threads started.
    switches = sum(int(s1[t]) - int(s0[t]) for t in s1 if t in s0)
    started = len([t for t in s1 if t not in s0])
    print(f"  {name:<16}{rss / 1024:7.1f} MB{anon / 1024:8.1f} MB{(t1 - t0) / hz:11.2f} s{switches:14d}{started:10d}")
    return rss
print(f"  {'':<16}{'RSS':>10}{'of which anon':>14}{'CPU in %ds' % idle:>13}{'wakeups':>14}{'new threads':>12}")
ours = row("ardoised", sys.argv[3], sys.argv[4])
theirs = row("systemd-logind", sys.argv[5], sys.argv[6])
print(f"  {'RSS ratio':<16}{ours / theirs:9.2f}x")
PY

echo "# the watcher while 10,000 files arrive in the download folder (one kiosk session open)"
watch_cost() { # label, pid-or-empty: CPU ticks and peak RSS of PID while the burst lands
    local pid=$1 before after
    ct_as kiosque 'rm -rf ~/Downloads/burst; mkdir -p ~/Downloads/burst'
    before=$(ct awk '{print $14 + $15}' /proc/$pid/stat)
    ct_as kiosque 'cd ~/Downloads/burst && seq -f "scan-%g.pdf" 1 10000 | xargs touch'
    sleep 3
    after=$(ct awk '{print $14 + $15}' /proc/$pid/stat)
    echo "$((after - before)) $(ct awk '/^VmHWM/ {print $2}' /proc/$pid/status)"
}
read -r d_ticks d_peak < <(watch_cost "$DAEMON")
# The reference: inotifywait (the same library's own command) watching the same folder for the same events.
ct sh -c 'inotifywait -q -m -r -e close_write,moved_to,create /home/kiosque/Downloads > /dev/null 2>&1 & echo $! > /run/inotifywait.pid'
sleep 1
REF=$(ct cat /run/inotifywait.pid)
read -r r_ticks r_peak < <(watch_cost "$REF")
ct kill "$REF"
ct loginctl kill-session "$SESSION"
wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"session-end\"'" || true
DOWNLOADS=$(ct ardoise journal list --session "$SESSION" --event session-end --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["detail"].get("downloads"))')
HZ=$(getconf CLK_TCK)
awk -v d=$d_ticks -v r=$r_ticks -v dp=$d_peak -v rp=$r_peak -v hz=$HZ -v n=$DOWNLOADS 'BEGIN {
    printf "  %-22s %12s %14s\n", "", "CPU", "peak RSS"
    printf "  %-22s %10.2f s %11.1f MB   (downloads counted: %s)\n", "ardoised", d / hz, dp / 1024, n
    printf "  %-22s %10.2f s %11.1f MB\n", "inotifywait -m -r", r / hz, rp / 1024
    if (r > 0) printf "  %-22s %10.2fx\n", "CPU ratio", d / r }'

# 3. From the end of a countdown to the session's end: sessions with a time limit of 6 s (and a 5 s countdown); the
#    delay from the instant the limit falls (session start + 6 s, as the journal has both) to logind's end of the session.
LIMITED=${LIMITED:-20}
echo "# countdown end -> session ended by logind, $LIMITED sessions with a 6 s time limit"
ct cp /etc/ardoise/ardoise.toml /etc/ardoise/before-limits.toml
ct sh -c 'printf "[sessions]\nidle_minutes = 0\nmax_minutes = 0.1\nmax_warning_minutes = 0\nwarning_seconds = 5\n" >> /etc/ardoise/ardoise.toml'
ct systemctl reload ardoise.service
sleep 1
for i in $(seq 1 "$LIMITED"); do
    SESSION=$(kiosk_session 'exec sleep 600')
    wait_for 30 "has_events 'e.get(\"session\") == \"$SESSION\" and e[\"event\"] == \"wipe-finished\"'" || echo "# session $SESSION: no end seen"
done
ct cp /etc/ardoise/before-limits.toml /etc/ardoise/ardoise.toml
ct systemctl reload ardoise.service
ct ardoise journal list --format json 2>/dev/null | python3 -c "
import json, sys, statistics
from datetime import datetime
events = json.load(sys.stdin)
at = lambda e: datetime.strptime(e['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()
starts = {e['session']: at(e) for e in events if e['event'] == 'session-start'}
delays = sorted(at(e) - starts[e['session']] - 6.0 for e in events
                if e['event'] == 'session-end' and e.get('outcome') == 'time-limit' and e.get('session') in starts)
p99 = lambda xs: xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
print(f'  sessions measured                  {len(delays)}')
print(f'  limit reached -> session ended     median {statistics.median(delays) * 1000:.0f} ms   p99 {p99(delays) * 1000:.0f} ms')
"
