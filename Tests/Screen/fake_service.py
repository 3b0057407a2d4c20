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
