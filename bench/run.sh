#!/usr/bin/env bash
# make bench: the wipe against `rm -rf` of exactly the same paths and against BleachBit, on one realistic kiosk home.
set -euo pipefail
ARDOISE=${1:?usage: bench/run.sh PATH-TO-ardoise}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
RUNS=${RUNS:-5}
# SECTIONS: any of wipe, memory, baseline, journal, daemon, notice, package (default: all seven).
SECTIONS=${SECTIONS:-wipe memory baseline journal daemon notice package}
section() { case " $SECTIONS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
FIXTURE=${ARDOISE_FIXTURES:-$HERE/../../shared/fixtures/browser-profiles}/public-profiles.tar.gz
CACHE_FILES=${CACHE_FILES:-8000}
DOWNLOADS=${DOWNLOADS:-3000}

if ! command -v bleachbit >/dev/null; then
    [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bleachbit >/dev/null
fi
[ -x /usr/bin/time ] || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

mkdir -p "$OUT"
TEMPLATE=$OUT/template/home-kiosk
STAMP="v2 $FIXTURE $CACHE_FILES $DOWNLOADS"
if [ ! -d "$TEMPLATE" ] || [ "$(cat "$OUT/template.stamp" 2>/dev/null)" != "$STAMP" ]; then
    rm -rf "$OUT/template"; mkdir -p "$OUT/template"
    tar -xzf "$FIXTURE" -C "$OUT/template"
    python3 - "$TEMPLATE" "$CACHE_FILES" "$DOWNLOADS" <<'PY'
import os, random, sys
home, cache_files, downloads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(42)
def fill(folder, count, name, low, high):
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        with open(os.path.join(folder, name(i)), "wb") as f:
            f.write(os.urandom(random.randint(low, high)))
half = cache_files // 2
fill(f"{home}/.cache/chromium/Default/Cache/Cache_Data", half, lambda i: f"{i:016x}_0", 1024, 16384)
fill(f"{home}/.cache/mozilla/firefox/4144awjv.default-esr/cache2/entries", cache_files - half, lambda i: f"{i:040X}", 1024, 16384)
fill(f"{home}/Downloads", downloads, lambda i: f"scan-{i:05d}.pdf", 4096, 65536)
PY
    # The session's files are the account's: root's entries in a home are spared by the wipe.
    chown -R 65534:65534 "$TEMPLATE" 2>/dev/null || true
    echo "$STAMP" > "$OUT/template.stamp"
fi

FILES=$(find "$TEMPLATE" | wc -l)
SIZE=$(du -sm "$TEMPLATE" | cut -f1)
WORK=$OUT/work/home-kiosk
CONFIG=$OUT/bench.toml
mkdir -p "$OUT/tmp"
printf '[wipe]\ntemporary_directories = ["%s"]\n' "$OUT/tmp" > "$CONFIG"
OPTS="firefox.cache firefox.cookies firefox.url_history firefox.passwords firefox.forms firefox.session_restore firefox.dom \
chromium.cache chromium.cookies chromium.history chromium.passwords chromium.form_history chromium.session chromium.dom \
system.recent_documents system.trash"

fresh() { rm -rf "$OUT/work"; mkdir -p "$OUT/work"; cp -a "$TEMPLATE" "$WORK"; sync; }

if section wipe; then
# The exact paths the wipe removes, found by listing the home before and after one wipe.
fresh
(cd "$WORK" && find . -print0) > "$OUT/before.lst"
"$ARDOISE" wipe --config "$CONFIG" --home "$WORK" >/dev/null || true
(cd "$WORK" && find . -print0) > "$OUT/after.lst"
python3 "$HERE/removed_paths.py" "$OUT/before.lst" "$OUT/after.lst" > "$OUT/rm.lst"

measure() { # name, command...; prints "seconds peak-kB" per run into $OUT/NAME.times
    local name=$1; shift
    : > "$OUT/$name.times"
    for _ in $(seq "$RUNS"); do
        fresh
        /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>&1 || true
        cat "$OUT/time.txt" >> "$OUT/$name.times"
    done
    python3 "$HERE/markers.py" "$WORK" | tail -1 > "$OUT/$name.markers"
}
measure ardoise "$ARDOISE" wipe --config "$CONFIG" --home "$WORK"
measure rm sh -c "cd '$WORK' && xargs -0 rm -rf -- < '$OUT/rm.lst'"
measure bleachbit env HOME="$WORK" LANG=C.UTF-8 bleachbit --clean $OPTS

BEFORE=$(python3 "$HERE/markers.py" "$TEMPLATE" | tail -1)
python3 - "$OUT" "$RUNS" "$FILES" "$SIZE" "$BEFORE" <<'PY'
import statistics, sys, platform
out, runs, files, size, before = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def load(name):
    # GNU time writes "Command exited with non-zero status 1" first when the wipe exits 1 (catalogue mode cannot
    # vouch for a first wipe): only the figures count.
    rows = [line.split() for line in open(f"{out}/{name}.times") if line.strip() and not line.startswith("Command")]
    times = [float(r[0]) for r in rows]
    rss = max(int(r[1]) for r in rows) / 1024
    markers = open(f"{out}/{name}.markers").read().strip()
    return statistics.median(times), rss, markers
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
rm = load("rm")
print(f"ardoise bench — wipe of one kiosk home ({files} entries, {size} MB: the fixture's real profiles, a large cache, downloads)")
print(f"machine: {cpu}, {len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])} cores; median of {runs} runs, warm page cache")
print(f"files carrying a marker of the session before: {before}")
print()
print(f"{'tool':<34}{'median s':>10}{'vs rm -rf':>11}{'peak RSS MB':>13}{'marker files left':>19}")
for label, name in [("ardoise wipe (plan+remove+rescan)", "ardoise"), ("rm -rf of the same paths", "rm"), ("bleachbit --clean (16 options)", "bleachbit")]:
    median, rss, markers = load(name)
    print(f"{label:<34}{median:>10.3f}{median / rm[0]:>10.2f}x{rss:>13.1f}{markers:>19}")
PY

fi

# ---------------------------------------------------------------------------------------------
# The memory budget against a hostile home: a 17 MB Preferences and a 31 MB Local State, the wipe's peak RSS beside
# what reading them as JSON costs (python3's json), and the budget the tests hold it to.
if section memory; then
MHOME=$OUT/memory-bench/home-kiosk
rm -rf "$OUT/memory-bench"; mkdir -p "$MHOME/.config/chromium/Default"
python3 - "$OUT/memory-bench" <<'PY'
import sys
root = sys.argv[1]
with open(f"{root}/Preferences", "w") as f:
    f.write('{"profile":{"content_settings":{"exceptions":{"site_engagement":{')
    f.write(",".join(f'"https://site{i}.example:443,*":{{"setting":{{"rawScore":{i}}}}}' for i in range(300000)))
    f.write('}}}}}')
with open(f"{root}/Local State", "w") as f:
    f.write('{"profile":{"info_cache":{' + ",".join(f'"Profile {i}":{{"name":"x"}}' for i in range(1150000)) + '}}}')
PY
cp "$OUT/memory-bench/Preferences" "$MHOME/.config/chromium/Default/Preferences"
cp "$OUT/memory-bench/Local State" "$MHOME/.config/chromium/Local State"
chown -R 65534:65534 "$MHOME"
MSIZE=$(du -sm "$MHOME/.config/chromium" | cut -f1)
printf '[wipe]\nmode = "catalogue"\ntemporary_directories = []\n' > "$OUT/memory-bench/ardoise.toml"
/usr/bin/time -f "%M" -o "$OUT/memory-ardoise.txt" "$ARDOISE" --config "$OUT/memory-bench/ardoise.toml" --state-dir "$OUT/memory-bench/state" \
    wipe --home "$MHOME" >/dev/null 2>&1 || true
/usr/bin/time -f "%M" -o "$OUT/memory-json.txt" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT/memory-bench/Preferences"
python3 - "$OUT" "$MSIZE" <<'PY'
import sys
out, size = sys.argv[1], sys.argv[2]
ours = int(open(f"{out}/memory-ardoise.txt").read().split()[-1]) / 1024
theirs = int(open(f"{out}/memory-json.txt").read().split()[-1]) / 1024
print()
print(f"memory against a hostile home ({size} MB of Chromium Preferences and Local State); the tests' budget: 150 MB")
print(f"{'':<34}{'peak RSS MB':>12}")
print(f"{'ardoise wipe (whole home)':<34}{ours:>12.1f}")
print(f"{'python3 json.load(Preferences)':<34}{theirs:>12.1f}   ratio {ours / theirs:.2f}x")
PY
fi

# ---------------------------------------------------------------------------------------------
# Reset to baseline: a 20,000-file home with extended attributes and ACLs where 50 or 5,000 files changed, against
# rsync -aAX --delete (which gives back ACLs and attributes too) on the same trees.
if section baseline; then
command -v rsync >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null; }
command -v setfacl >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq acl >/dev/null; }
BASE=$OUT/baseline-bench
BHOME=$BASE/home
BSTATE=$BASE/state
BCONFIG=$BASE/ardoise.toml
if [ ! -d "$BASE/template" ] || [ "$(cat "$BASE/stamp" 2>/dev/null)" != "v2 $FIXTURE" ]; then
    rm -rf "$BASE"; mkdir -p "$BASE/template"
    tar -xzf "$FIXTURE" -C "$BASE/template"
    python3 - "$BASE/template/home-kiosk" <<'PY'
import os, sys
home = sys.argv[1]
have = sum(len(files) for _, _, files in os.walk(home))
for i in range(20000 - have):
    folder = f"{home}/.local/share/kiosk-apps/app{i % 40}/data{(i // 40) % 25}"
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/f{i}.dat", "wb") as f:
        f.write(os.urandom(512 + (i * 37) % 4096))
    if i % 50 == 0:
        os.setxattr(f"{folder}/f{i}.dat", "user.kiosk", b"prepared")
PY
    setfacl -m u:1:rx "$BASE/template/home-kiosk/.local/share/kiosk-apps"/app*
    setfacl -d -m u:1:rx "$BASE/template/home-kiosk/.local/share/kiosk-apps/app0"
    chown -R 65534:65534 "$BASE/template/home-kiosk"
    echo "v2 $FIXTURE" > "$BASE/stamp"
fi
printf '[wipe]\nmode = "baseline"\ntemporary_directories = []\n' > "$BCONFIG"
rm -rf "$BSTATE" "$BHOME"; cp -a "$BASE/template/home-kiosk" "$BHOME"
"$ARDOISE" --config "$BCONFIG" --state-dir "$BSTATE" baseline capture --home "$BHOME" > /dev/null
BCOPY=$(ls -d "$BSTATE"/baseline/*/ | head -1)
BFILES=$(find "$BCOPY" -type f | wc -l)

bsession() { # the home made equal to its baseline (and trusted) by ardoise, then $1 files changed by a session
    sleep 2.2  # past the reset stamp's margin, so the untouched files are trusted as after any clean reset
    "$ARDOISE" --config "$BCONFIG" --state-dir "$BSTATE" wipe --home "$BHOME" > /dev/null
    python3 - "$BHOME" "$1" <<'PY'
import os, sys
home, count = sys.argv[1], int(sys.argv[2])  # appends to every (files / count)-th file of the programs' data
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(f"{home}/.local/share/kiosk-apps") for f in fs)
step = max(1, len(files) // count)
for path in files[::step][:count]:
    with open(path, "ab") as f:
        f.write(b"session")
PY
    sync; sleep 3  # the session's writes on the disk and the disk quiet before the clock starts, for both tools
}
bmeasure() { # name, changed files, command...
    local name=$1 changed=$2; shift 2
    bsession "$changed"
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>&1 || true
    cat "$OUT/time.txt" >> "$OUT/$name.times"
    [ -z "$(rsync -aAX --delete --dry-run --itemize-changes "$BCOPY" "$BHOME/" | grep -v '^\.d')" ] || echo "warning: $name left differences" >&2
}
# The two tools take turns on the same home, so that both meet the disk in the same state.
for changed in 50 5000; do : > "$OUT/reset-$changed.times"; : > "$OUT/rsync-$changed.times"; done
for _ in $(seq "$RUNS"); do
    for changed in 50 5000; do
        bmeasure "reset-$changed" "$changed" "$ARDOISE" --config "$BCONFIG" --state-dir "$BSTATE" wipe --home "$BHOME"
        bmeasure "rsync-$changed" "$changed" rsync -aAX --delete "$BCOPY" "$BHOME/"
    done
done
python3 - "$OUT" "$BFILES" <<'PY'
import statistics, sys
out, files = sys.argv[1], sys.argv[2]
def load(name):
    rows = [line.split() for line in open(f"{out}/{name}.times") if line.strip()]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows) / 1024
print()
print(f"reset to baseline — a home of {files} files (the fixture's profiles + programs' data, with xattrs and ACLs; rsync -aAX)")
print(f"{'changed files':<16}{'ardoise s':>11}{'rsync s':>10}{'ratio':>8}{'ardoise RSS MB':>16}{'rsync RSS MB':>14}")
for changed in (50, 5000):
    ours, ours_rss = load(f"reset-{changed}")
    theirs, theirs_rss = load(f"rsync-{changed}")
    print(f"{changed:<16}{ours:>11.3f}{theirs:>10.3f}{ours / theirs:>7.2f}x{ours_rss:>16.1f}{theirs_rss:>14.1f}")
PY

fi

# ---------------------------------------------------------------------------------------------
# The access journal: a year of 50 kiosks, each operation beside the same one in raw SQL (sqlite3).
if section journal; then
command -v sqlite3 >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
JOURNAL_BENCH=$(dirname "$ARDOISE")/ardoise-journal-bench
EVENTS=${JOURNAL_EVENTS:-5000000}
JDIR=$OUT/journal
rm -rf "$JDIR" "$OUT/raw.sqlite"*
"$JOURNAL_BENCH" generate "$JDIR" "$EVENTS" > "$OUT/journal-generate.txt"
"$JOURNAL_BENCH" queries "$JDIR" > "$OUT/journal-queries.txt"
value() { grep "^$1 " "$2" | awk -v field="$3" '{print $field}'; }
LIST_SINCE=$(value list_seconds "$OUT/journal-queries.txt" 6); LIST_UNTIL=$(value list_seconds "$OUT/journal-queries.txt" 8)
STATS_SINCE=$(value stats_seconds "$OUT/journal-queries.txt" 6); STATS_UNTIL=$(value stats_seconds "$OUT/journal-queries.txt" 8)
DAY=86400000000

rawtime() { # prints sqlite3's own "real" time for the SQL in $2 on database $1 (median of 5)
    for _ in 1 2 3 4 5; do
        printf '.output /dev/null\n.timer on\n%s\n' "$2" | sqlite3 "$1" 2>&1 | grep '^Run Time' | tail -1 | awk '{print $4}'
    done | sort -n | sed -n 3p
}
JOURNAL_DB=$JDIR/journal.sqlite
RAW_LIST=$(rawtime "$JOURNAL_DB" "SELECT seq, at, kind, host, seat, session, uid, user, duration_us, outcome, detail FROM event WHERE user = 'kiosque7' AND at >= $LIST_SINCE AND at < $LIST_UNTIL ORDER BY seq;")
RAW_STATS=$(rawtime "$JOURNAL_DB" "SELECT at / $DAY AS d, sum(kind = 'session-start'), count(DISTINCT CASE WHEN kind = 'session-start' THEN user END), avg(CASE WHEN kind = 'session-end' THEN duration_us END), sum(kind IN ('wipe-finished', 'wipe-failed')), sum(kind = 'wipe-failed' OR (kind = 'wipe-finished' AND outcome <> 'ok')) FROM event WHERE kind IN ('session-start', 'session-end', 'wipe-finished', 'wipe-failed') AND at >= $STATS_SINCE AND at < $STATS_UNTIL GROUP BY d;")
RAW_INTEGRITY=$(rawtime "$JOURNAL_DB" "PRAGMA integrity_check;")
RAW_VERIFY=$(rawtime "$JOURNAL_DB" "SELECT count(*) FROM event WHERE length(sha3(seq || at || kind || host || coalesce(seat, '') || coalesce(session, '') || coalesce(uid, '') || coalesce(user, '') || coalesce(duration_us, '') || coalesce(outcome, '') || detail || epoch, 256)) = 32;")
# Raw purge of the next day (ours purged the first one), in one transaction like ours.
FIRST=$(sqlite3 "$JOURNAL_DB" "SELECT min(at) FROM event;")
RAW_PURGE=$(printf '.timer on\nBEGIN IMMEDIATE; DELETE FROM event WHERE at < %s + %s; COMMIT;\n' "$FIRST" "$DAY" | sqlite3 "$JOURNAL_DB" 2>&1 | grep '^Run Time' | awk '{s += $4} END {print s}')
# Raw inserts: the same number of rows of the same shape, no sealing, one transaction, same pragmas.
sqlite3 "$OUT/raw.sqlite" "PRAGMA journal_mode = WAL;" > /dev/null
RAW_INSERT=$(printf '.timer on\nPRAGMA synchronous = FULL;\n%s\n' "$(sqlite3 "$JOURNAL_DB" .schema | grep -v sqlite_sequence)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS)
INSERT INTO event SELECT i, 1700000000000000 + i * 6000000, 'session-start', 'epn-' || (i % 50), 'seat0', i, 2000, 'kiosque' || (i % 50), NULL, NULL, '{}', 0, randomblob(32), randomblob(32) FROM n;" \
    | sqlite3 "$OUT/raw.sqlite" 2>&1 | grep '^Run Time' | awk '{s += $4} END {print s}')

python3 - "$OUT" "$EVENTS" "$RAW_INSERT" "$RAW_LIST" "$RAW_STATS" "$RAW_PURGE" "$RAW_VERIFY" "$RAW_INTEGRITY" <<'PY'
import sys
out, events, raw_insert, raw_list, raw_stats, raw_purge, raw_verify, raw_integrity = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:9])
def read(name):
    values = {}
    for line in open(f"{out}/{name}"):
        parts = line.split()
        values[parts[0]] = parts[1:]
    return values
g, q = read("journal-generate.txt"), read("journal-queries.txt")
insert = float(g["insert_seconds"][0])
print()
print(f"journal — a year of 50 kiosks, {int(g['events'][0]):,} events (sealed: SHA-256 chain + HMAC, WAL, synchronous=FULL)")
print(f"{'operation':<40}{'ardoise':>12}{'raw SQL':>12}{'ratio':>9}")
rows = [
    ("insert (events per second)", int(g["events"][0]) / insert, events / raw_insert, None),
    ("list: one user, one month (ms)", float(q["list_seconds"][0]) * 1000, raw_list * 1000, q["list_seconds"][2] + " rows"),
    ("stats --by day over the year (ms)", float(q["stats_seconds"][0]) * 1000, raw_stats * 1000, "raw SQL: no median, UTC days"),
    ("purge of one day (ms)", float(q["purge_seconds"][0]) * 1000, raw_purge * 1000, q["purge_seconds"][2] + " events"),
    ("verify of the whole year (s)", float(q["verify_seconds"][0]), raw_verify, "raw SQL: one SHA-3 per row, no chain"),
]
for label, ours, raw, note in rows:
    ratio = raw / ours if label.startswith("insert") else ours / raw
    print(f"{label:<40}{ours:>12,.1f}{raw:>12,.1f}{ratio:>8.2f}x" + (f"   {note}" if note else ""))
full, chain = float(q["verify_seconds"][0]), float(q["verify_chain_only_seconds"][0])
print(f"{'verify with the full check vs chain only (s)':<40}{full:>12,.1f}{chain:>12,.1f}{full / chain:>8.2f}x   "
      f"SQLite's integrity_check alone in sqlite3: {raw_integrity:.1f} s, run beside the chain on a second core (goal: under 15 s)")
PY
fi

# The service in a real systemd (the end-to-end container): logout to wiped over 50 sessions, and its idle footprint.
if section daemon; then
    echo
    echo "== daemon (ardoised in a booted systemd container) =="
    make -s -C "$HERE/.." build >/dev/null
    bash "$HERE/../Tests/EndToEnd/run.sh" --bench | grep -v '^ok - '
fi

# The notice on a virtual screen: from the agent's start to the dialog mapped, beside zenity started directly.
if section notice; then
    echo
    echo "== notice (Xvfb, zenity) =="
    ARDOISE_BIN="$ARDOISE" bash "$HERE/../Tests/Screen/run.sh" --bench
fi

# The package and the program: sizes and a resting process's memory, beside static "hello" programs built the same way.
if section package; then
    echo
    echo "== package and program (Debian package, static Swift runtime) =="
    make -s -C "$HERE/.." deb >/dev/null 2>&1
    DEB=$(ls -t "$HERE/../.build/deb/"ardoise_*_amd64.deb | head -1)
    mkdir -p "$OUT/hello"
    # Foundation with a formatter (what brings ICU and its data in), and FoundationEssentials alone.
    printf 'import Foundation\nlet f = DateFormatter()\nf.dateStyle = .long\nprint(f.string(from: Date()))\nif CommandLine.arguments.count > 1 { sleep(3) }\n' > "$OUT/hello/foundation.swift"
    printf 'import FoundationEssentials\nimport Glibc\nprint(Date().formatted(.iso8601))\nif CommandLine.arguments.count > 1 { sleep(3) }\n' > "$OUT/hello/essentials.swift"
    for name in foundation essentials; do
        swiftc -O -static-stdlib "$OUT/hello/$name.swift" -o "$OUT/hello/$name" 2>/dev/null && strip "$OUT/hello/$name"
    done
    dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/bin/ardoise > "$OUT/ardoise-packaged"
    chmod +x "$OUT/ardoise-packaged"
    # Resident memory of a process at rest, a second after its start (the program's own `ardoise check --help` for ours).
    rss() { "$@" > /dev/null 2>&1 & local pid=$!; sleep 1; awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0; kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }
    python3 - "$DEB" "$OUT/ardoise-packaged" "$OUT/hello/foundation" "$OUT/hello/essentials" \
        "$(rss "$OUT/hello/foundation" wait)" "$(rss "$OUT/hello/essentials" wait)" <<'PY'
import os, subprocess, sys
deb, ours, foundation, essentials, rss_foundation, rss_essentials = sys.argv[1:7]
installed = int(subprocess.run(["dpkg-deb", "-f", deb, "Installed-Size"], capture_output=True, text=True).stdout) * 1024
mb = lambda n: n / 1e6
print(f"{'':<52}{'ardoise':>10}{'reference':>12}{'ratio':>8}")
print(f"{'package, installed (MB; goal 30)':<52}{mb(installed):>10.1f}{30:>12.1f}{installed / 30e6:>8.2f}x")
print(f"{'package file (MB)':<52}{mb(os.path.getsize(deb)):>10.1f}")
for label, reference in (("executable vs hello with Foundation (MB)", foundation), ("executable vs hello with FoundationEssentials (MB)", essentials)):
    print(f"{label:<52}{mb(os.path.getsize(ours)):>10.1f}{mb(os.path.getsize(reference)):>12.1f}{os.path.getsize(ours) / os.path.getsize(reference):>8.2f}x")
print(f"{'hello at rest, Foundation / Essentials (MB RSS)':<52}{int(rss_foundation) / 1024:>10.1f}{int(rss_essentials) / 1024:>12.1f}")
PY
fi
