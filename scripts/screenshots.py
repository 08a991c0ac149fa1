"""Screenshots of the pages a mover meets, at desktop and phone width.

Usage: start the site (`make run`), then
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [out-dir]

Saves full-page WebP images (default docs/img/design/, linked from docs/design.md)
at 1366×900 and 390×844: the home page (Swedish, English, Arabic), a
municipality page, a story, the stories index, and the registration form empty, with errors and its
thank-you page. The thank-you page needs a real registration: the script
sends one per size to the running site (Åre, "Skärmbild Exempel",
skarmbild@example.org), after the form's minimum fill time.
Uses Debian's Chromium (never `playwright install`), kept off the network.
"""

import io
import sys
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/img/design")
PAGES = {
    "home": "/",
    "home-en": "/en/",
    "home-ar": "/ar/",
    "municipality": "/are/",
    "story": "/berattelser/fjallen-och-familjen/",
    "stories": "/berattelser/",
    "form": "/anmal-intresse/",
}
FORM = "/anmal-intresse/"
MIN_FILL_SECONDS = 3.5  # INTAKE_MIN_FILL_SECONDS is 3 by default
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


def shoot(page, name, size):
    """A full-page screenshot, kept small as WebP (Pillow, which Wagtail brings)."""
    page.wait_for_load_state("networkidle")
    png = page.screenshot(full_page=True)
    Image.open(io.BytesIO(png)).save(OUT / f"{name}-{size}.webp", "WEBP", quality=50, method=6)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(BASE + path)
                shoot(page, name, size)
            # The form sent empty: the error summary and the fields' messages.
            page.goto(BASE + FORM)
            time.sleep(MIN_FILL_SECONDS)
            with page.expect_navigation():
                page.get_by_role("button", name="Skicka min anmälan").click()
            shoot(page, "form-errors", size)
            # Then corrected and sent: the thank-you page.
            page.locator("#id_first_name").fill("Skärmbild")
            page.locator("#id_last_name").fill("Exempel")
            page.locator("#id_email").fill("skarmbild@example.org")
            page.locator("#id_municipality").select_option("are")
            page.locator("#id_consent").check()
            with page.expect_navigation():
                page.get_by_role("button", name="Skicka min anmälan").click()
            shoot(page, "form-thanks", size)
            context.close()
        browser.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
