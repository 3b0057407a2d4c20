#!/usr/bin/env bash
# On a real (virtual) screen: the notice agent under Xvfb with zenity and a notification daemon (dunst); screenshots
# read back by OCR (tesseract, French and English). `run.sh DOCS` also copies the screenshots into DOCS.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ARDOISE=${ARDOISE_BIN:-$ROOT/.build/debug/ardoise}
DOCS=${1:-}
for tool in Xvfb zenity dunst notify-send tesseract xwd xwdtopnm pnmcrop pnmtopng pamscale dbus-daemon python3 xdotool xwininfo; do
    command -v $tool >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/ardoise-screen.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

DISPLAY_NUMBER=$((50 + RANDOM % 40))
export DISPLAY=:$DISPLAY_NUMBER
Xvfb "$DISPLAY" -screen 0 1280x900x24 -nolisten tcp > "$WORK/xvfb.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do [ -e /tmp/.X11-unix/X$DISPLAY_NUMBER ] && break; sleep 0.05; done
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r address; read -r pid; echo "export DBUS_SESSION_BUS_ADDRESS='$address'; DBUS_PID=$pid"; })"
PIDS+=($DBUS_PID)
cat > "$WORK/dunstrc" <<'RC'
[global]
font = DejaVu Sans 15
width = 700
origin = top-right
offset = 20x20
frame_width = 2
[urgency_normal]
timeout = 0
RC
dunst -config "$WORK/dunstrc" > "$WORK/dunst.log" 2>&1 &
PIDS+=($!)

PASSED=0
FAILED=0
check() { local name=$1; shift; if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $name"; else FAILED=$((FAILED + 1)); echo "not ok - $name"; fi; }

# Screenshot of the whole screen, enlarged for OCR; prints the text read.
shot() {
    local name=$1 language=$2
    # A window being mapped at that instant can make the X server refuse the capture (BadMatch): taken again.
    local try
    for try in 1 2 3 4 5; do xwd -root -silent > "$WORK/$name.xwd" 2>/dev/null && [ -s "$WORK/$name.xwd" ] && break; sleep 0.2; done
    xwdtopnm < "$WORK/$name.xwd" 2>/dev/null | pnmtopng > "$WORK/$name.png"
    # Cropped to what is shown (the black around it confuses OCR), then enlarged.
    xwdtopnm < "$WORK/$name.xwd" 2>/dev/null | pnmcrop 2>/dev/null | pamscale 2 | pnmtopng > "$WORK/$name-large.png"
    tesseract "$WORK/$name-large.png" - -l "$language" 2>/dev/null | tr '\n' ' ' | tr -s ' ' > "$WORK/$name.txt"
    [ -z "$DOCS" ] || cp "$WORK/$name.png" "$DOCS/$name.png"
}
read_on_screen() { grep -qi -- "$2" "$WORK/$1.txt"; }

# --bench: how long from the agent's start to the notice on screen, beside zenity started directly with the same text.
if [ "$DOCS" = --bench ]; then
    DOCS=
    command -v xwininfo >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends x11-utils >/dev/null
    mkdir -p "$WORK/bench"
    python3 "$HERE/fake_service.py" "$WORK/bench" &
    PIDS+=($!)
    for i in $(seq 1 100); do [ -S "$WORK/bench/control.sock" ] && break; sleep 0.05; done
    until_on_screen() { # command... -> milliseconds until a window titled like the notice is mapped
        local start=$(date +%s%N)
        "$@" > /dev/null 2>&1 &
        local pid=$!
        until xwininfo -root -tree 2>/dev/null | grep -q '"Information'; do sleep 0.005; done
        echo $(( ($(date +%s%N) - start) / 1000000 ))
        pkill -f "zenity --info" || true
        kill $pid 2>/dev/null || true
        wait $pid 2>/dev/null || true
        sleep 0.3
    }
    TEXT=$(LANG=fr_FR.UTF-8 "$ARDOISE" notice --text --session none < /dev/null | tail -n +4)
    ours=(); theirs=()
    for i in $(seq 1 10); do
        ours+=($(until_on_screen env LANG=fr_FR.UTF-8 ARDOISE_SOCKET="$WORK/bench/control.sock" XDG_SESSION_ID=b$i "$ARDOISE" notice))
        theirs+=($(until_on_screen zenity --info --title "Information : ce poste est public" --text "$TEXT" --width 640 --no-wrap --ok-label "J'ai compris"))
    done
    python3 -c "
import statistics, sys
ours, theirs = [int(x) for x in sys.argv[1].split()], [int(x) for x in sys.argv[2].split()]
print(f'  notice on screen, median of 10: ardoise notice {statistics.median(ours):.0f} ms, zenity alone {statistics.median(theirs):.0f} ms, ratio {statistics.median(ours) / statistics.median(theirs):.2f}x')
" "${ours[*]}" "${theirs[*]}"
    # The agent watching idleness for a minute with someone at the keyboard (a key every 10 s), beside xautolock and
    # xss-lock doing the same job (an idle limit of 15 minutes): CPU, wake-ups (context switches of every thread), memory.
    for tool in xautolock xss-lock; do command -v $tool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $tool >/dev/null; done
    printf '[notice]\nenabled = false\n[sessions]\nidle_minutes = 15\n' > "$WORK/watch.toml"
    mkdir -p "$WORK/watch"
    python3 "$HERE/fake_service.py" "$WORK/watch" &
    PIDS+=($!)
    for i in $(seq 1 100); do [ -S "$WORK/watch/control.sock" ] && break; sleep 0.05; done
    WATCH=${WATCH:-60}
    sample() { # pid -> "cpu_ticks rss_kB tid:switches,tid:switches..." (every thread; one that ends in between is left out)
        local pid=$1 list="" t
        for t in /proc/$pid/task/*; do list+="${t##*/}:$(awk '/ctxt_switches/ {s += $2} END {print s}' $t/status),"; done
        echo "$(awk '{print $14 + $15}' /proc/$pid/stat) $(awk '/^VmRSS/ {print $2}' /proc/$pid/status) $list"
    }
    measure() { # name command... -> "name cpu_ticks switches rss_kB"
        local name=$1; shift
        "$@" > /dev/null 2>&1 &
        local pid=$!
        sleep 3
        local before=$(sample $pid)
        for i in $(seq 1 $((WATCH / 10))); do sleep 10; xdotool key shift; done
        local after=$(sample $pid)
        kill $pid 2>/dev/null || true
        wait $pid 2>/dev/null || true
        echo "$name $before $after"
    }
    {
        measure ardoise env ARDOISE_SOCKET="$WORK/watch/control.sock" XDG_SESSION_ID=watch "$ARDOISE" --config "$WORK/watch.toml" notice --warnings-only
        measure xautolock xautolock -time 15 -locker true
        measure xss-lock xss-lock -- true
    } > "$WORK/watch.txt"
    python3 - "$WORK/watch.txt" "$WATCH" "$(getconf CLK_TCK)" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
seconds, hz = int(sys.argv[2]), int(sys.argv[3])
def switches(text):
    return {int(t): int(n) for t, n in (item.split(":") for item in text.split(",") if item)}
def woken(before, after):
    b, a = switches(before), switches(after)
    return sum(n - b.get(t, 0) for t, n in a.items())
# name cpu0 rss0 list0 cpu1 rss1 list1
figures = {r[0]: ((int(r[4]) - int(r[1])) / hz / seconds * 3600, woken(r[3], r[6]) / seconds * 60, int(r[5]) / 1024) for r in rows}
print(f"  idle watching for {seconds} s, someone typing (a key every 10 s), limit 15 min:")
print(f"  {'':<12}{'CPU s/hour':>12}{'wake-ups/min':>14}{'RSS MB':>9}")
for name, (cpu, wakes, rss) in figures.items():
    print(f"  {name:<12}{cpu:>12.2f}{wakes:>14.1f}{rss:>9.1f}")
ours = figures["ardoise"]
for other in ("xautolock", "xss-lock"):
    theirs = figures[other]
    print(f"  ardoise / {other}: wake-ups {ours[1] / max(theirs[1], 0.01):.2f}x, RSS {ours[2] / theirs[2]:.2f}x")
PY
    exit 0
fi

printf '[journal]\nretention_days = 365\n[notice]\nscreen_mirrored = true\ncontact = "Médiathèque Jean-Macé, accueil"\n' > "$WORK/ardoise.toml"

run_agent() { # language-env session
    mkdir -p "$WORK/$2"
    python3 "$HERE/fake_service.py" "$WORK/$2" &
    PIDS+=($!)
    for i in $(seq 1 100); do [ -S "$WORK/$2/control.sock" ] && break; sleep 0.05; done
    env LANG=$1 ARDOISE_SOCKET="$WORK/$2/control.sock" XDG_SESSION_ID=$2 "$ARDOISE" --config "$WORK/ardoise.toml" notice > "$WORK/$2/agent.log" 2>&1 &
    AGENT=$!
    PIDS+=($AGENT)
    for i in $(seq 1 100); do pgrep -f "zenity --info" >/dev/null && break; sleep 0.05; done
    sleep 1.5
}

# French (the default).
run_agent fr_FR.UTF-8 c1
shot notice-fr fra
check "French notice on screen: what is recorded" read_on_screen notice-fr "heure de connexion"
check "French notice on screen: for how long (from the configuration)" read_on_screen notice-fr "1 an"
check "French notice: a screen reader reads it (AT-SPI)" /usr/bin/python3 "$HERE/accessible_text.py" "heure de connexion"
check "French notice on screen: the mirrored screen" read_on_screen notice-fr "animat"
check "French notice on screen: erased at the end" read_on_screen notice-fr "effac"
check "French notice on screen: the contact line" read_on_screen notice-fr "Jean-Mac"
check "French notice: the service was told it was shown" grep -qx shown "$WORK/c1/reports"
pkill -f "zenity --info" || true
sleep 0.5
touch "$WORK/c1/send-password"
sleep 1.5
shot warning-password fra
check "French warning on screen: a password was saved" read_on_screen warning-password "mot de passe"
touch "$WORK/c1/send-download"
sleep 1.5
shot warning-download fra
check "French warning on screen: a file was downloaded" read_on_screen warning-download "charg"
touch "$WORK/c1/stop"
for i in $(seq 1 100); do kill -0 $AGENT 2>/dev/null || break; sleep 0.05; done
check "the agent ends with its session" sh -c "! kill -0 $AGENT 2>/dev/null"
killall -q dunst || true
dunst -config "$WORK/dunstrc" > "$WORK/dunst.log" 2>&1 &
PIDS+=($!)

# English.
run_agent en_GB.UTF-8 c2
shot notice-en eng
check "English notice on screen: what is recorded" read_on_screen notice-en "session starts and ends"
check "English notice on screen: for how long" read_on_screen notice-en "1 year"
check "English notice on screen: erased at the end" read_on_screen notice-en "erased"
pkill -f "zenity --info" || true
touch "$WORK/c2/send-password" "$WORK/c2/send-download" "$WORK/c2/stop"

# The idle countdown: the agent measures idleness itself (the X11 screensaver extension's counter), the service (here its
# stand-in) answers with the countdown, shown in large type; input stops it; a second idle period ends the session.
countdown_window() { xwininfo -root -tree 2>/dev/null | grep -q "$1"; }
# The text's size in pixels, from tesseract's boxes: the median line size (x_size: ascenders to descenders) of the lines read.
text_height() { tesseract "$WORK/$1.png" - -l "$2" hocr 2>/dev/null | python3 -c "
import re, statistics, sys
sizes = [float(m) for m in re.findall(r'x_size ([0-9.]+)', sys.stdin.read())]
print(int(statistics.median(sizes)) if sizes else 0)"; }
printf '[notice]\nenabled = false\n[sessions]\nidle_minutes = 0.05\nwarning_seconds = 20\n' > "$WORK/idle.toml"
run_countdown() { # language-env session
    mkdir -p "$WORK/$2"
    touch "$WORK/$2/countdown-mode"
    python3 "$HERE/fake_service.py" "$WORK/$2" &
    PIDS+=($!)
    for i in $(seq 1 100); do [ -S "$WORK/$2/control.sock" ] && break; sleep 0.05; done
    # A desktop's logout command, standing in for GNOME's: it records how it was asked.
    mkdir -p "$WORK/$2/bin"
    printf '#!/bin/sh\necho "$@" > "%s/logout-asked"\n' "$WORK/$2" > "$WORK/$2/bin/gnome-session-quit"
    chmod +x "$WORK/$2/bin/gnome-session-quit"
    env PATH="$WORK/$2/bin:$PATH" LANG=$1 ARDOISE_SOCKET="$WORK/$2/control.sock" XDG_SESSION_ID=$2 "$ARDOISE" --config "$WORK/idle.toml" notice > "$WORK/$2/agent.log" 2>&1 &
    AGENT=$!
    PIDS+=($AGENT)
}
run_countdown fr_FR.UTF-8 c3
for i in $(seq 1 200); do grep -q "^idle" "$WORK/c3/activity" 2>/dev/null && break; sleep 0.05; done
check "idle: the agent measures it with the X11 screensaver extension and tells the service" grep -q "^idle x11-screensaver" "$WORK/c3/activity"
for i in $(seq 1 100); do countdown_window "toujours" && break; sleep 0.05; done
sleep 1.5
shot countdown-fr fra
check "French countdown on screen: are you still there" read_on_screen countdown-fr "toujours là"
check "French countdown on screen: the seconds left" read_on_screen countdown-fr "dans 1[0-9] secondes"
check "French countdown on screen: take your USB key and printed pages" read_on_screen countdown-fr "clé USB"
HEIGHT=$(text_height countdown-fr fra)
check "French countdown on screen: large type ($HEIGHT px; 16 pt on a 96 dpi screen is 21 px)" test "$HEIGHT" -ge 21
check "French countdown: a screen reader reads it (AT-SPI)" /usr/bin/python3 "$HERE/accessible_text.py" "toujours là" 5
xdotool mousemove 300 300
for i in $(seq 1 100); do grep -q "^active" <(tail -1 "$WORK/c3/activity") && break; sleep 0.05; done
check "idle: input (xdotool) is seen at once and told to the service" sh -c "tail -1 '$WORK/c3/activity' | grep -q '^active'"
for i in $(seq 1 60); do countdown_window "toujours" || break; sleep 0.05; done
check "idle: the countdown window closes when someone comes back" sh -c "! xwininfo -root -tree 2>/dev/null | grep -q toujours"
for i in $(seq 1 300); do kill -0 $AGENT 2>/dev/null || break; sleep 0.05; done
check "idle: a second idle period ends the session (the service reports idle)" test -e "$WORK/c3/ended-idle"
check "idle: the agent then asks the desktop to log out, without asking anyone" grep -q -- "--logout --no-prompt" "$WORK/c3/logout-asked"
check "idle: the agent ends with its session" sh -c "! kill -0 $AGENT 2>/dev/null"
run_countdown en_GB.UTF-8 c4
for i in $(seq 1 200); do countdown_window "still there" && break; sleep 0.05; done
sleep 1.5
shot countdown-en eng
check "English countdown on screen: are you still there" read_on_screen countdown-en "still there"
check "English countdown on screen: the seconds left" read_on_screen countdown-en "close in 1[0-9] seconds"
xdotool mousemove 500 500
touch "$WORK/c4/stop"
# The other languages of the public: Ukrainian (Cyrillic) and Arabic (right to left) are drawn and readable.
for pair in "uk_UA.UTF-8 c6 ukr ще_тут\|секунд" "ar_MA.UTF-8 c7 ara الجلسة\|USB"; do
    set -- $pair
    sleep 1
    run_countdown "$1" "$2"
    for i in $(seq 1 400); do grep -q "^idle" "$WORK/$2/activity" 2>/dev/null && break; sleep 0.05; done
    # The window takes a moment to be drawn (longer on a loaded machine): read the screen again until its text is there.
    for i in $(seq 1 10); do
        sleep 1
        shot "countdown-$3" "$3"
        read_on_screen "countdown-$3" "${4//_/ }" && break
    done
    check "countdown on screen in $1" read_on_screen "countdown-$3" "${4//_/ }"
    xdotool mousemove $((RANDOM % 800)) $((RANDOM % 600))
    touch "$WORK/$2/stop"
done

# On GNOME (X11 or Wayland) the agent asks GNOME Shell's own counter, never the X11 one (which, under Wayland, would only
# see X11 programs' input). A stand-in of GNOME's idle monitor on the session bus says the last input was a minute ago.
touch -d "-1 min" "$WORK/last-input"
/usr/bin/python3 "$HERE/fake_mutter.py" "$WORK/last-input" &
PIDS+=($!)
sleep 1
mkdir -p "$WORK/c5"
python3 "$HERE/fake_service.py" "$WORK/c5" &
PIDS+=($!)
for i in $(seq 1 100); do [ -S "$WORK/c5/control.sock" ] && break; sleep 0.05; done
env XDG_CURRENT_DESKTOP=GNOME WAYLAND_DISPLAY=wayland-none LANG=fr_FR.UTF-8 ARDOISE_SOCKET="$WORK/c5/control.sock" XDG_SESSION_ID=c5 \
    "$ARDOISE" --config "$WORK/idle.toml" notice > "$WORK/c5/agent.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 200); do grep -q "^idle" "$WORK/c5/activity" 2>/dev/null && break; sleep 0.05; done
check "idle on GNOME: the agent measures it with GNOME Shell's idle monitor" grep -q "^idle gnome-mutter" "$WORK/c5/activity"
touch "$WORK/c5/send-password" "$WORK/c5/send-download" "$WORK/c5/stop"

echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" = 0 ]
