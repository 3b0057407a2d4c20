#!/usr/bin/python3
"""A login form on 127.0.0.1 only (usage: site.py PORT): GET /login shows it, POST /welcome answers with #done."""
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
FORM = b"""<!doctype html><html><head><meta charset="utf-8"><title>Connexion</title></head><body>
<form id="f" action="/welcome" method="post"><input id="username" name="username" autocomplete="username">
<input id="password" name="password" type="password" autocomplete="current-password">
<button id="login-submit" type="submit">Se connecter</button></form></body></html>"""
DONE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Bienvenue</title></head><body><p id="done">Bienvenue</p></body></html>"""
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, body):
        self.send_response(200); self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self): self.send(FORM if self.path.startswith("/login") else DONE)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0))); self.send(DONE)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
