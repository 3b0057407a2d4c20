#!/usr/bin/env bash
# make bench: the wipe against `rm -rf` of exactly the same paths and against BleachBit, on one realistic kiosk home.
set -euo pipefail
ARDOISE=${1:?usage: bench/run.sh PATH-TO-ardoise}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
RUNS=${RUNS:-5}
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
    chown 65534:65534 "$TEMPLATE" 2>/dev/null || true
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
    rows = [line.split() for line in open(f"{out}/{name}.times") if line.strip()]
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
