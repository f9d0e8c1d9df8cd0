"""browser.py — loads a page in headless Chromium (Debian's `chromium`) and
reports what happened, over the DevTools protocol on a pipe (no network port,
no Python packages beyond the standard library):

    with Browser() as b:
        r = b.load("/path/report.html", width=1280, screenshot="shot.png")
    r.console     # console messages: (type, text), e.g. ("error", "boom")
    r.exceptions  # uncaught script exceptions (text)
    r.log         # browser log entries: (level, source, text) - failed loads, CSP, ...
    r.requests    # every URL the page asked for (the page itself, data: URIs, anything else)
    r.size        # (width, height) of the full page in CSS pixels

Chromium runs with --headless --no-sandbox --disable-gpu
--disable-background-networking (and a fresh --user-data-dir), as the CI
machine allows; --remote-debugging-pipe gives the protocol on fds 3 and 4.
Every request is seen by Network.requestWillBeSent before it goes anywhere,
so a page that tries to reach the network is caught even though the machine
has none. `media="print"` emulates print media for the screenshot."""
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

CHROMIUM = os.environ.get("PPAD_CHROMIUM", "chromium")


class PageResult:
    def __init__(self):
        self.console, self.exceptions, self.log, self.requests = [], [], [], []
        self.size = (0, 0)
        self.seconds = 0.0
        self.value = None


class _Pipe:
    def __init__(self, w, r):
        self.w, self.r, self.buf, self.next_id, self.events = w, r, b"", 0, []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        return self.next_id

    def recv(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = self.r.read(1 << 16)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        i = self.send(method, params, session)
        deadline = time.time() + timeout
        while True:
            m = self.recv(deadline)
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self.recv(deadline))


class Browser:
    """One headless Chromium for several pages: `with Browser() as b: r = b.load(path)`."""

    def __init__(self, timeout=30):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="ppad-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():  # fds 3 and 4 are the protocol pipe (inheritable copies)
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + self.profile,
                "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.w = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.r = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.pipe = _Pipe(self.w, self.r)

    def load(self, path, width=1280, height=900, screenshot=None, media=None, settle=0.3, evaluate=None,
             full_page=True):
        """Opens file `path` in a new tab, waits for its load event (+ settle
        seconds), optionally saves a PNG screenshot (the full page, or the first
        viewport) and evaluates a JavaScript expression in the page (its JSON
        value in r.value); returns a PageResult."""
        t0 = time.time()
        p, res = self.pipe, PageResult()
        p.events = []
        target = p.call("Target.createTarget", {"url": "about:blank"}, timeout=self.timeout)["targetId"]
        sid = p.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            p.call(domain + ".enable", {}, sid)
        p.call("Emulation.setDeviceMetricsOverride",
               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, sid)
        if media:
            p.call("Emulation.setEmulatedMedia", {"media": media}, sid)
        p.call("Page.navigate", {"url": "file://" + os.path.abspath(path)}, sid)
        p.wait_for("Page.loadEventFired", self.timeout)
        deadline = time.time() + settle
        while time.time() < deadline:  # late console messages
            try:
                p.events.append(p.recv(deadline))
            except TimeoutError:
                break
        m = p.call("Page.getLayoutMetrics", {}, sid)
        cs = m.get("cssContentSize") or m.get("contentSize")
        res.size = (int(cs["width"]), int(cs["height"]))
        if evaluate:
            v = p.call("Runtime.evaluate", {"expression": evaluate, "returnByValue": True}, sid)
            res.value = v.get("result", {}).get("value")
            if "exceptionDetails" in v:
                res.exceptions.append("evaluate: " + str(v["exceptionDetails"].get("text")))
        if screenshot:
            shot_h = res.size[1] if full_page else min(height, res.size[1])
            shot = p.call("Page.captureScreenshot",
                          {"format": "png", "captureBeyondViewport": full_page,
                           "clip": {"x": 0, "y": 0, "width": width, "height": shot_h, "scale": 1}}, sid,
                          timeout=self.timeout)
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        for e in p.events:
            if e.get("sessionId") not in (None, sid):
                continue
            meth, prm = e.get("method"), e.get("params", {})
            if meth == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in prm.get("args", []))
                res.console.append((prm.get("type"), text))
            elif meth == "Runtime.exceptionThrown":
                d = prm.get("exceptionDetails", {})
                res.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
            elif meth == "Log.entryAdded":
                en = prm.get("entry", {})
                res.log.append((en.get("level"), en.get("source"), en.get("text", "")))
            elif meth == "Network.requestWillBeSent":
                res.requests.append(prm.get("request", {}).get("url", ""))
        p.call("Target.closeTarget", {"targetId": target})
        res.seconds = time.time() - t0
        return res

    def close(self):
        try:
            self.pipe.send("Browser.close")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.w.close()
        self.r.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def load_page(path, **kw):
    """One page in a browser of its own (see Browser.load)."""
    with Browser() as b:
        return b.load(path, **kw)


if __name__ == "__main__":  # python3 tests/lib/browser.py page.html [shot.png] [width] [print]
    import sys
    res = load_page(sys.argv[1], width=int(sys.argv[3]) if len(sys.argv) > 3 else 1280,
                    screenshot=sys.argv[2] if len(sys.argv) > 2 else None,
                    media="print" if len(sys.argv) > 4 else None)
    print(json.dumps({"console": res.console, "exceptions": res.exceptions, "log": res.log,
                      "requests": [u[:80] for u in res.requests], "size": res.size,
                      "seconds": round(res.seconds, 2)}, indent=1))
