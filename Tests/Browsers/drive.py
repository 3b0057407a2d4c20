#!/usr/bin/python3
"""Drives Debian's real firefox-esr (through its own Marionette protocol) and chromium (selenium + chromedriver) to a
login form on 127.0.0.1 and submits it; prints, as JSON, what each browser did with the password and what it says of
its policies.

usage: drive.py firefox|chromium WORK PORT
"""
import json, os, socket, sqlite3, subprocess, sys, time

BROWSER, WORK, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
BASE = "http://127.0.0.1:%d" % PORT
USER, PASSWORD = "camille.martin", "S3cret-Kiosk!"
R = {}


class Marionette:
    """The few Marionette commands this needs: length-prefixed JSON over a local socket."""

    def __init__(self, port, timeout=90):
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        self.s.settimeout(120)
        self.buf, self.mid = b"", 0
        self._recv()

    def _recv(self):
        while b":" not in self.buf:
            self.buf += self._chunk()
        n, rest = self.buf.split(b":", 1)
        while len(rest) < int(n):
            rest += self._chunk()
        self.buf = rest[int(n):]
        return json.loads(rest[:int(n)])

    def _chunk(self):
        d = self.s.recv(65536)
        if not d:
            raise ConnectionError("marionette closed")
        return d

    def cmd(self, name, params=None):
        self.mid += 1
        data = json.dumps([0, self.mid, name, params or {}]).encode()
        self.s.sendall(b"%d:" % len(data) + data)
        while True:
            r = self._recv()
            if r[0] == 1 and r[1] == self.mid:
                if r[2]:
                    raise RuntimeError("%s: %s" % (name, r[2]))
                return r[3]

    def js(self, script, args=None):
        return self.cmd("WebDriver:ExecuteScript", {"script": script, "args": args or []})["value"]

    def find(self, css):
        return self.cmd("WebDriver:FindElement", {"using": "css selector", "value": css})["value"]["element-6066-11e4-a52e-4f735466cecf"]

    def context(self, name):
        self.cmd("Marionette:SetContext", {"value": name})


def firefox():
    home = os.path.join(WORK, "home")
    profile = os.path.join(home, ".mozilla", "firefox", "kiosk.default-esr")
    os.makedirs(profile, exist_ok=True)
    os.makedirs(home, exist_ok=True)
    port = PORT + 1
    with open(os.path.join(profile, "user.js"), "w") as f:
        f.write('user_pref("marionette.port", %d);\n' % port)
    env = dict(os.environ, HOME=home, MOZ_HEADLESS="1")
    proc = subprocess.Popen(["firefox-esr", "--headless", "--marionette", "-remote-allow-system-access", "--no-remote", "--profile", profile],
                            env=env, stdout=open(os.path.join(WORK, "firefox.log"), "w"), stderr=subprocess.STDOUT)
    try:
        m = Marionette(port)
        m.cmd("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"pageLoadStrategy": "normal"}}})
        m.cmd("WebDriver:SetTimeouts", {"pageLoad": 60000, "script": 60000, "implicit": 5000})
        m.context("chrome")
        # Marionette turns password saving off for automation: put the ordinary user defaults back (a policy locks them).
        R["remember_signons"] = m.js("""Services.prefs.setBoolPref('signon.rememberSignons', true);
            return [Services.prefs.getBoolPref('signon.rememberSignons'), Services.prefs.prefIsLocked('signon.rememberSignons')];""")
        R["policy_status"] = m.js("return Services.policies.status")
        R["policy_active"] = m.js("return Services.policies.status == Services.policies.ACTIVE")
        m.context("content")
        m.cmd("WebDriver:Navigate", {"url": BASE + "/login"})
        m.cmd("WebDriver:ElementSendKeys", {"id": m.find("#username"), "text": USER})
        m.cmd("WebDriver:ElementSendKeys", {"id": m.find("#password"), "text": PASSWORD})
        m.cmd("WebDriver:ElementClick", {"id": m.find("#login-submit")})
        m.find("#done")
        m.context("chrome")
        prompt = None
        for _ in range(24):
            prompt = m.js("""const n = PopupNotifications.getNotification('password', gBrowser.selectedBrowser);
                if (!n) return null; n.mainAction.callback({source: 'button'}); return n.id;""")
            if prompt:
                break
            time.sleep(0.25)
        R["save_prompt"] = prompt
        time.sleep(1.5)
        R["logins_in_browser"] = m.js("return (async () => (await Services.logins.getAllLogins()).length)();")
        m.context("content")
        m.cmd("WebDriver:Navigate", {"url": "about:policies"})
        time.sleep(1)
        R["about_policies"] = m.js("return document.body.innerText")[:4000]
        m.context("chrome")
        try:
            m.cmd("Marionette:Quit", {"flags": ["eAttemptQuit"]})
        except (ConnectionError, RuntimeError):
            pass
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    logins = os.path.join(profile, "logins.json")
    R["logins_json"] = len(json.load(open(logins)).get("logins", [])) if os.path.exists(logins) else None
    prefs = open(os.path.join(profile, "prefs.js"), encoding="utf-8", errors="replace").read()
    R["policies_applied_pref"] = 'user_pref("browser.policies.applied", true);' in prefs
    R["profile"] = profile


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    data = os.path.join(WORK, "home", ".config", "chromium")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--user-data-dir=" + data]:
        opts.add_argument(argument)
    # What a person gets from the settings page: password saving on (a policy turns it off and locks it).
    opts.add_experimental_option("prefs", {"credentials_enable_service": True, "profile.password_manager_enabled": True})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        w = WebDriverWait(d, 60)
        d.get(BASE + "/login")
        d.find_element(By.ID, "username").send_keys(USER)
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "login-submit").click()
        w.until(lambda x: x.find_elements(By.ID, "done"))
        d.get("chrome://settings/passwords")
        time.sleep(2)
        # Whether Chromium offers to save passwords ("Offer to save passwords"), and who decides it.
        R["offer_to_save"] = d.execute_async_script(
            "const cb = arguments[arguments.length - 1]; chrome.settingsPrivate.getPref('credentials_enable_service', p => cb(p));")
        # Headless Chromium draws no "Save password?" bubble to click: save it as the password manager's own page does.
        d.get("chrome://password-manager/passwords")
        time.sleep(2)
        R["save"] = d.execute_async_script("""const cb = arguments[arguments.length - 1];
            chrome.passwordsPrivate.addPassword({url: arguments[0], username: arguments[1], password: arguments[2], note: '', useAccountStore: false})
              .then(() => new Promise(r => setTimeout(r, 1500))).then(() => chrome.passwordsPrivate.getSavedPasswordList())
              .then(l => cb({ok: true, saved: l.length})).catch(e => cb({ok: false, error: String(e)}));""", BASE + "/login", USER, PASSWORD)
        d.get("chrome://policy")
        time.sleep(2)
        R["chrome_policy"] = d.find_element(By.TAG_NAME, "body").text[:8000]
    finally:
        d.quit()
    time.sleep(1)
    database = os.path.join(data, "Default", "Login Data")
    R["login_data_rows"] = sqlite3.connect(database).execute("select count(*) from logins").fetchone()[0] if os.path.exists(database) else None


firefox() if BROWSER == "firefox" else chromium()
print(json.dumps(R, indent=1, ensure_ascii=False))
