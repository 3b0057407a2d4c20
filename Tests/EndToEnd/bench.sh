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
sample() { # pid -> "rss_kB cpu_ticks context_switches"
    local pid=$1 rss ticks switches=0 t
    rss=$(ct awk '/^VmRSS/ {print $2}' /proc/$pid/status)
    ticks=$(ct awk '{print $14 + $15}' /proc/$pid/stat)
    for t in $(ct ls /proc/$pid/task); do
        switches=$((switches + $(ct awk '/ctxt_switches/ {s += $2} END {print s}' /proc/$pid/task/$t/status)))
    done
    echo "$rss $ticks $switches"
}
DAEMON=$(ct systemctl show ardoise -p MainPID --value)
LOGIND=$(ct systemctl show systemd-logind -p MainPID --value)
read -r d_rss0 d_cpu0 d_sw0 < <(sample "$DAEMON")
read -r l_rss0 l_cpu0 l_sw0 < <(sample "$LOGIND")
sleep "$IDLE"
read -r d_rss1 d_cpu1 d_sw1 < <(sample "$DAEMON")
read -r l_rss1 l_cpu1 l_sw1 < <(sample "$LOGIND")
HZ=$(getconf CLK_TCK)
printf '  %-16s %10s %14s %22s\n' "" "RSS" "CPU in ${IDLE}s" "context switches (wakeups)"
awk -v name=ardoised -v rss=$d_rss1 -v cpu=$((d_cpu1 - d_cpu0)) -v hz=$HZ -v sw=$((d_sw1 - d_sw0)) \
    'BEGIN { printf "  %-16s %7.1f MB %11.2f s %22d\n", name, rss / 1024, cpu / hz, sw }'
awk -v name=systemd-logind -v rss=$l_rss1 -v cpu=$((l_cpu1 - l_cpu0)) -v hz=$HZ -v sw=$((l_sw1 - l_sw0)) \
    'BEGIN { printf "  %-16s %7.1f MB %11.2f s %22d\n", name, rss / 1024, cpu / hz, sw }'
awk -v a=$d_rss1 -v b=$l_rss1 'BEGIN { printf "  %-16s %10.2fx\n", "RSS ratio", a / b }'
ct loginctl kill-session "$SESSION"
