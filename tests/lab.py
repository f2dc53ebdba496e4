"""A real JupyterLab for the tests: one server on 127.0.0.1 (no token, no password: the port is free and
local), its own settings, data and runtime folders, killed with its kernels at the end; and a notebook in
it opened in headless Chromium, its cells run by JupyterLab's own command."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from browser import start_chromium, wait_for


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, folder):
        self.root = folder / "notebooks"
        self.root.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        home = folder / "jupyter"
        settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)  # no news or update toast over the page
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_PLATFORM_DIRS": "1",
               "NNANIM_NOTEBOOK_SIZE": "160x90", "NNANIM_NOTEBOOK_FPS": "5"}
        self.log = open(folder / "jupyterlab.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
             "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
             "--ServerApp.open_browser=False"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.wait()

    def wait(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab ended with {self.process.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"jupyter lab did not answer in {seconds} s: {self.tail()}")

    def drop_sessions(self):
        """Shut down every open notebook's kernel (a page loaded again then starts a fresh one)."""
        with urllib.request.urlopen(f"{self.url}/api/sessions", timeout=10) as answer:
            sessions = json.load(answer)
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()

    def tail(self):
        self.log.flush()
        return self.log.name and open(self.log.name, errors="replace").read()[-2000:]

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and the kernels it started
            self.process.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


# The notebook's panel, found by its path: `shell.currentWidget` follows focus, which a headless page under
# load may give to the file browser (the kernel idle, the panel there, and currentWidget null).
PANEL = """
const app = window.jupyterapp;
const panel = app && Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === arguments[0]);
"""
RUN_ALL = PANEL + """
const done = arguments[arguments.length - 1];
app.shell.activateById(panel.id);  // Run All runs the active notebook
panel.sessionContext.ready.then(() => {
  app.commands.execute('notebook:run-all-cells');  // resolves when every cell has run: not waited for here
  done(true);
}, (e) => done(String(e)));
"""
KERNEL = PANEL + """
const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
"""
KERNEL_IDLE = KERNEL + """
if (kernel && kernel.status !== 'idle' && !(Date.now() < (window.nnanimAsked || 0) + 2000)) {
  window.nnanimAsked = Date.now();  // a status missed while the page connected: ask, and the kernel says it again
  kernel.requestKernelInfo().catch(() => {});
}
return !!kernel && kernel.status === 'idle' && !!panel.content && panel.content.widgets.length > 0;
"""
KERNEL_STATE = KERNEL + """
return `panel ${!!panel}, kernel ${kernel ? kernel.status + ' ' + kernel.connectionStatus : 'none'}`;
"""


class opened:
    """`name` (a notebook in the lab's root) open in headless Chromium at 1280x720, its kernel ready."""

    def __init__(self, lab, name, profile):
        self.lab, self.name, self.profile = lab, name, profile

    def __enter__(self):
        self.driver = start_chromium(self.profile)
        self.driver.set_script_timeout(60)
        for attempt in range(3):  # a page whose kernel never says it is idle (now and then) is loaded again, a new kernel
            self.driver.get(f"{self.lab.url}/lab/tree/{self.name}")
            try:
                wait_for(self.driver, KERNEL_IDLE, seconds=25, args=(self.name,))
                return self.driver
            except AssertionError:
                self.driver.save_screenshot(str(self.profile.parent / f"not-ready-{attempt}.png"))
                state = self.driver.execute_script(KERNEL_STATE, self.name)
                self.lab.drop_sessions()
        raise AssertionError(f"{self.name}'s kernel never became idle in JupyterLab ({state}): {self.lab.tail()}")

    def __exit__(self, *exc):
        self.driver.quit()


def run_all(driver, name):
    """Run every cell of the notebook `name` (JupyterLab's Run > Run All Cells), without waiting for them."""
    assert driver.execute_async_script(RUN_ALL, name) is True
