# ardoise: the session notice for text sessions (a console, ssh); graphical sessions get it from the autostart entry.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -n "${XDG_SESSION_ID:-}" ] && [ -t 0 ] && [ -x @BINDIR@/ardoise ]; then
    @BINDIR@/ardoise notice --text --kiosk-only
    # Then, in the background until the session ends: the live warnings and the countdowns, on this terminal.
    @BINDIR@/ardoise notice --text --kiosk-only --listen --warnings-only < /dev/null &
fi
