# Sourced: boots a throwaway systemd container (see ../shared/notes/systemd-container.md) and drives it.
# Sets CT_NAME, CT_NSPAWN (nspawn's pid), CT_LEADER (the container's PID 1); `ct CMD...` runs a command inside.

# CT_BIND (optional): HOST-FOLDER:CONTAINER-FOLDER, a host folder seen inside (a server's socket, with no network).
ct_boot() {
    local rootfs=$1
    CT_NAME=ardoise-e2e-$$
    CT_CGROUPS=()
    for h in systemd unified; do
        [ -d /sys/fs/cgroup/$h ] || continue
        CT_CGROUPS+=("$h:$(awk -F: -v h="$h" '($2 == "name=" h) || (h == "unified" && $1 == "0") {print $3}' /proc/self/cgroup)")
        mkdir -p /sys/fs/cgroup/$h/$CT_NAME
        echo $$ > /sys/fs/cgroup/$h/$CT_NAME/cgroup.procs
    done
    # Private network, unregistered, a tmpfs over the host's /run/systemd in a private mount namespace; the root stays untouched.
    unshare --mount --propagation private sh -c "mount -t tmpfs -o mode=755 tmpfs /run/systemd &&
        exec systemd-nspawn -q -D '$rootfs' -M $CT_NAME -b --private-network --register=no --keep-unit \
            --console=read-only --volatile=overlay ${CT_BIND:+--bind=$CT_BIND}" > "$CT_WORK/console.log" 2>&1 &
    CT_NSPAWN=$!
    # This shell stays in the container's cgroup: what it starts through nsenter must be inside the container's
    # cgroup tree for logind to register sessions.
    local i
    for i in $(seq 1 600); do
        CT_LEADER=$(cat /proc/$CT_NSPAWN/task/*/children 2>/dev/null | awk '{print $1}' | head -1)
        [ -n "$CT_LEADER" ] && [ -e /proc/$CT_LEADER/root/run/systemd/private ] && break
        kill -0 $CT_NSPAWN 2>/dev/null || { cat "$CT_WORK/console.log" >&2; echo "container did not boot" >&2; return 1; }
        sleep 0.1
    done
    [ -e /proc/$CT_LEADER/root/run/systemd/private ] || { echo "container did not boot in time" >&2; return 1; }
    ct systemctl is-system-running --wait >/dev/null || true
}

ct() {
    nsenter -t "$CT_LEADER" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

ct_stop() {
    [ -n "${CT_NSPAWN:-}" ] || return 0
    kill -TERM $CT_NSPAWN 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 $CT_NSPAWN 2>/dev/null || break; sleep 0.1; done
    kill -KILL $CT_NSPAWN 2>/dev/null || true
    wait $CT_NSPAWN 2>/dev/null || true
    # What this script started through nsenter and is still there (a session's `script`), by pid.
    local pid
    for pid in $(cat /sys/fs/cgroup/unified/$CT_NAME/cgroup.procs 2>/dev/null); do
        [ "$pid" != $$ ] && kill -KILL "$pid" 2>/dev/null || true
    done
    # Back to where this shell was, then the container's cgroups can go.
    local entry
    for entry in "${CT_CGROUPS[@]}"; do
        echo $$ > "/sys/fs/cgroup/${entry%%:*}${entry#*:}/cgroup.procs" 2>/dev/null || true
    done
    for h in systemd unified; do
        [ -d /sys/fs/cgroup/$h/$CT_NAME ] && find /sys/fs/cgroup/$h/$CT_NAME -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    CT_NSPAWN=
}

# Copies a host folder's contents into the container at DEST (owner and modes kept).
ct_copy() {
    tar -C "$1" -cf - . | ct tar -C "$2" -xpf -
}

# Runs the shell command CMD as USER without opening a login session: `su` would open one in logind, and the end of a
# kiosk account's session is a logout that ardoise wipes after.
ct_as() {
    ct setpriv --reuid="$1" --regid="$1" --init-groups --reset-env sh -c "$2"
}

# Opens a real logind session (class user, type tty, seat0) for USER running CMD; prints the session id once active.
ct_session() {
    # TYPESCRIPT (optional): a file in the container that keeps what the session's terminal showed.
    local user=$1 command=$2 typescript=${3:-/dev/null} before id i
    before=$(ct loginctl list-sessions --no-legend | awk '{print $1}' | sort)
    ct env XDG_SEAT=seat0 XDG_SESSION_CLASS=user XDG_SESSION_TYPE=tty \
        script -qfec "su -l $user -c '$command'" "$typescript" > /dev/null 2>&1 &
    # The new session of class user: from Debian 13 on, the account's service manager has a session of its own (class
    # manager) that opens beside it.
    for i in $(seq 1 200); do
        for id in $(comm -13 <(echo "$before") <(ct loginctl list-sessions --no-legend | awk -v u="$user" '$3 == u {print $1}' | sort)); do
            if [ "$(ct loginctl show-session "$id" -p Class --value)" = user ] && [ "$(ct loginctl show-session "$id" -p State --value)" = active ]; then
                echo "$id"
                return 0
            fi
        done
        sleep 0.05
    done
    echo "no active session for $user" >&2
    return 1
}

# Waits until CONDITION (a shell snippet run on the host) holds, up to SECONDS.
wait_for() {
    local seconds=$1 condition=$2 i
    for i in $(seq 1 $((seconds * 5))); do
        eval "$condition" && return 0
        sleep 0.2
    done
    return 1
}
