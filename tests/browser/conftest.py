"""Playwright with Debian's Chromium against Django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (installed by
`make test`), launched with flags that keep it off the network.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django must allow ORM calls
    # from the test thread all the same.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_server(tmp_path_factory):
    """The site as `make run` serves it, in its own process and database.

    A separate server (not Django's in-thread live server) keeps the browser
    tests off the test database's transactions: they see exactly what a
    visitor sees after migrate and load_demo_content, with DEBUG off.
    """
    var_dir = tmp_path_factory.mktemp("browser-site")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.test",
        "TASTEGET_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        # As `make run`: one page cache for the server and the commands run beside it.
        "TASTEGET_SHARED_PAGE_CACHE": "1",
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # As `make run`: absolute links (e-mails, hreflang, the embed loader) name
    # the address actually served, never the request's Host.
    env["WAGTAILADMIN_BASE_URL"] = f"http://127.0.0.1:{port}"
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["load_demo_content"]):
        subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    server = subprocess.Popen(
        [
            *manage,
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the site server did not start") from None
            time.sleep(0.3)

    def manage_shell(code):
        """Run Python in the site's own process environment; returns its stdout."""
        result = subprocess.run(
            [*manage, "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    yield SimpleNamespace(url=url, env=env, shell=manage_shell)
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe():
    source = AXE.read_text()

    def check(page):
        # Colours are measured as they end up, not halfway through a fade-in
        # (Wagtail's admin messages fade in from opacity 0 once the page is ready).
        page.wait_for_load_state("load")
        page.evaluate(
            """async () => {
                const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
                for (let pass = 0; pass < 2; pass += 1) {  // a fade may start on the frame after load
                    await frame();
                    await Promise.all(document.getAnimations()
                        .filter((each) => each.effect && each.effect.getComputedTiming().iterations !== Infinity)
                        .map((each) => each.finished.catch(() => null)));
                }
            }"""
        )
        # Evaluated through the DevTools protocol, so the page's strict CSP
        # (no inline script) stays in force while axe runs.
        page.evaluate(source)
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            })"""
        )
        return [
            {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]][:5]}
            for violation in result["violations"]
        ]

    return check


@pytest.fixture
def other_origin(tmp_path):
    """Static pages on another origin (localhost vs 127.0.0.1, another port)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    servers = []

    def serve(html):
        folder = tmp_path / f"site{len(servers)}"
        folder.mkdir()
        (folder / "index.html").write_text(html)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://localhost:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
