"""Open a notebook in JupyterLab in headless Chromium, press Run All, and report what ran.

``python browser_run_all.py <jupyter-lab executable> <folder> <notebook> <screenshots prefix>``
prints a JSON report: how many code cells the notebook has, how many ran (have an execution
count), how many show an error, the text of the last check cell's output, how the References
section rendered (its list items and text), and the paths of three screenshots (the top of the
notebook, the last check cell after Run All, and the References section). It talks to Chromium
over the DevTools protocol (websocket-client, which jupyter_server brings) and to JupyterLab
through ``window.jupyterapp`` (``LabApp.expose_app_in_browser``). Everything stays on 127.0.0.1.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.read()
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=120)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))
        return path


STATE = """(() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = cells.filter(c => c.model.outputs.toJSON().some(o => o.output_type === 'error')).length;
  const checks = cells.filter(c => (c.model.getMetadata('nbgrader') || {}).grade);
  const last = checks.length ? checks[checks.length - 1] : null;
  const text = last ? last.model.outputs.toJSON().map(o => o.text || '').join('') : '';
  return {code_cells: cells.length, ran: cells.filter(c => c.model.executionCount).length, errors,
          check_cells: checks.length, checks_ran: checks.filter(c => c.model.executionCount).length,
          last_check_output: text, busy: panel.sessionContext.session &&
          panel.sessionContext.session.kernel ? panel.sessionContext.session.kernel.status : 'none'};
})()"""


REFERENCES = """(() => {
  const p = window.jupyterapp.shell.currentWidget;
  const cell = p.content.widgets.find(c => c.model.type === 'markdown' && /^#+ References/m.test(c.model.sharedModel.getSource()));
  if (!cell) return null;
  const shown = cell.node.querySelector('.jp-RenderedMarkdown');
  return {rendered: cell.rendered && !!shown, items: shown ? shown.querySelectorAll('li').length : 0,
          text: shown ? shown.innerText.slice(0, 400) : ''};
})()"""


def _show_references(page):
    """Scroll the References section to the top of the notebook and say how it rendered."""
    page.js("""(() => { const p = window.jupyterapp.shell.currentWidget;
               const i = p.content.widgets.findIndex(c => c.model.type === 'markdown' &&
                   /^#+ References/m.test(c.model.sharedModel.getSource()));
               if (i >= 0) p.content.scrollToItem(i, 'start'); })()""")
    time.sleep(2)
    return page.js(REFERENCES)


def main(lab, folder, notebook, prefix, timeout=300):
    port, debug_port, token = _free_port(), _free_port(), "browser-run-all"
    env = {k: v for k, v in os.environ.items() if k not in ("NNLIB_STATIC", "NBGRADER_EXECUTION", "PYTHONPATH")}
    server = subprocess.Popen([lab, "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                               f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
                               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp(prefix="chromium-")
    browser = None
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", 60)
        browser = subprocess.Popen([shutil.which("chromium") or shutil.which("chromium-browser") or "chromium",
                                    "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                                    f"--remote-debugging-port={debug_port}", "--window-size=1400,1800",
                                    f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        targets = json.loads(_wait_http(f"http://127.0.0.1:{debug_port}/json", 60))
        page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        page.call("Runtime.enable")
        end = time.time() + 120
        state = None
        while time.time() < end and not (state and state["busy"] == "idle"):
            time.sleep(1)
            state = page.js(f"window.jupyterapp ? {STATE} : null")
        top = page.screenshot(f"{prefix}-top.png")
        start = time.time()
        page.js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        while time.time() - start < timeout:
            time.sleep(2)
            state = page.js(STATE)
            if state["busy"] == "idle" and state["ran"] > 0:
                time.sleep(2)
                state = page.js(STATE)
                if state["busy"] == "idle":
                    break
        seconds = time.time() - start
        page.js("""(() => { const p = window.jupyterapp.shell.currentWidget;
                   const checks = p.content.widgets.filter(c => (c.model.getMetadata('nbgrader') || {}).grade);
                   p.content.scrollToItem(p.content.widgets.indexOf(checks[checks.length - 1]), 'center'); })()""")
        time.sleep(2)
        end_shot = page.screenshot(f"{prefix}-after-run-all.png")
        references, refs_shot = _show_references(page), f"{prefix}-references.png"
        page.screenshot(refs_shot)
        print(json.dumps({**state, "run_all_seconds": round(seconds, 1), "references": references,
                          "screenshots": [top, end_shot, refs_shot]}))
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(10)
        server.terminate()
        server.wait(20)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
