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


_PLAYWRIGHT = {}


@pytest.fixture
def browser():
    """One Chromium for the browser tests, which run together and first
    (tests/conftest.py). It is closed after the last of them
    (pytest_runtest_teardown below), not at the end of the session: while
    Playwright runs, its event loop makes Django refuse ORM calls from the
    test thread, and the environment variable that allows them must not
    reach later tests (nor the processes they start)."""
    if not _PLAYWRIGHT:
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT["environment"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        _PLAYWRIGHT["manager"] = sync_playwright()
        playwright = _PLAYWRIGHT["manager"].__enter__()
        _PLAYWRIGHT["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return _PLAYWRIGHT["browser"]


@pytest.hookimpl(trylast=True)  # after the test's own fixtures (its page) are closed
def pytest_runtest_teardown(item, nextitem):
    if _PLAYWRIGHT and (nextitem is None or "tests/browser" not in str(nextitem.path)):
        _PLAYWRIGHT.pop("browser").close()
        _PLAYWRIGHT.pop("manager").__exit__(None, None, None)
        if _PLAYWRIGHT.pop("environment") is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def site_server(tmp_path_factory, django_db_setup):
    """The site as `make run` serves it, in its own process and database.

    A separate server (not Django's in-thread live server) keeps the browser
    tests off the test database's transactions: they see exactly what a
    visitor sees after migrate and load_demo_content, with DEBUG off. Its
    database is a copy of the run's migrated demo database, on the run's
    database engine (tests/template_database.py), with the demo images.
    """
    from django.conf import settings

    from tests import template_database

    var_dir = tmp_path_factory.mktemp("browser-site")
    database_url, drop = template_database.current.copy_for_process(var_dir)
    template_database.current.copy_media(var_dir / Path(settings.MEDIA_ROOT).name)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.test",
        "TASTEGET_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
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
    drop()


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
