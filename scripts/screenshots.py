"""Full-page screenshots of the main pages at desktop and phone width.

Usage: start the site (`make run`), then
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [out-dir]
Uses Debian's Chromium (never `playwright install`), kept off the network.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "var/screenshots")
PATHS = ["/", "/en/", "/ar/", "/are/", "/en/region/", "/berattelser/", "/en/magazine/nummer-2026-1/"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, (width, height) in SIZES.items():
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            for path in PATHS:
                page.goto(BASE + path)
                slug = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=OUT / f"{slug}-{name}.png", full_page=True)
        browser.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
