"""A stand-in for ardoised's control socket, for the on-screen test: it records the agent's notice reports and, to a
listening agent, sends the warnings asked for by files dropped in its folder (send-password, send-download, stop)."""
import json, os, socket, sys, threading, time

folder = sys.argv[1]
path = os.path.join(folder, "control.sock")
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(8)

def reply(conn, code=0, output=""):
    conn.sendall((json.dumps({"code": code, "output": output, "error": "", "files": {}}) + "\n").encode())

def handle(conn):
    request = json.loads(conn.makefile().readline())
    if request["command"] == "notice":
        with open(os.path.join(folder, "reports"), "a") as log:
            log.write(request["report"] + "\n")
        reply(conn, output=request["report"])
    elif request["command"] == "activity":
        with open(os.path.join(folder, "activity"), "a") as log:
            log.write(("idle " if request.get("idleSince") is not None else "active ") + request["inputSource"] + "\n")
        reply(conn, output="ok")
    elif request["command"] == "listen" and os.path.exists(os.path.join(folder, "countdown-mode")):
        # The service's part of the idle clock: a countdown when the agent says nobody is there, "continues" when someone
        # comes back, and the end of the session when a second countdown runs out.
        def reports():
            try:
                return open(os.path.join(folder, "activity")).read().split("\n")
            except FileNotFoundError:
                return []
        def wait_for(word, after):
            while True:
                lines = [line for line in reports() if line]
                if len(lines) > after and lines[-1].startswith(word):
                    return len(lines)
                time.sleep(0.05)
        seen = wait_for("idle", 0)
        reply(conn, output=json.dumps({"warning": "idle-countdown", "count": 20}))
        seen = wait_for("active", seen)
        reply(conn, output=json.dumps({"warning": "session-continues", "count": 0}))
        seen = wait_for("idle", seen)
        reply(conn, output=json.dumps({"warning": "idle-countdown", "count": 3}))
        time.sleep(3)
        if not reports()[-2].startswith("active"):
            open(os.path.join(folder, "ended-idle"), "w").close()
            # The session ends: first the desktop's own logout, through the agent.
            reply(conn, output=json.dumps({"warning": "session-ending", "count": 0}))
            time.sleep(1)
        reply(conn, output="session-ended")
    elif request["command"] == "listen":
        for trigger, warning in (("send-password", "password-saved"), ("send-download", "download-finished")):
            while not os.path.exists(os.path.join(folder, trigger)):
                time.sleep(0.05)
            reply(conn, output=json.dumps({"warning": warning, "count": 1}))
        while not os.path.exists(os.path.join(folder, "stop")):
            time.sleep(0.05)
        reply(conn, output="session-ended")
    conn.close()

while True:
    connection, _ = server.accept()
    threading.Thread(target=handle, args=(connection,), daemon=True).start()
