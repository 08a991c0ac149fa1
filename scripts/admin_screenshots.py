"""Screenshots of each staff role's main screens in the admin, for docs/roles.md.

Usage: start the site with demo content (`make run`; `manage.py
generate_demo_activity` fills the lists and the report), then, with the same
environment (database and settings) as the site:
    .venv/bin/python scripts/admin_screenshots.py [http://127.0.0.1:8000] [docs/img/roles]
It creates one demo user per role (password printed nowhere; the users are
named `demo-<role>` and can be deleted afterwards), logs in as each in
Debian's Chromium and saves what that role works with. Two factors must be
off (development settings), as they are for `make run`.
"""

import os
import secrets
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.screenshots import ARGS  # noqa: E402 - the same Chromium flags as the page screenshots

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tasteget.settings.dev")

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "docs" / "img" / "roles")
# role: (group, [(file name, admin path)])
ROLES = {
    "editor": ("Editors", [("editor-pages", "/admin/pages/"), ("editor-snippets", "/admin/snippets/")]),
    "moderator": ("Moderators", [("moderator-dashboard", "/admin/")]),
    "adviser": (
        "Flyttvägledare: Åre kommun",
        [("adviser-dashboard", "/admin/"), ("adviser-registrations", "/admin/registrations/")],
    ),
    "web-editor": ("Webbredaktör: Krokoms kommun", [("web-editor-embed-code", "/admin/embed-code/")]),
    "coordinator": ("Ambassadörssamordnare", [("coordinator-import", "/admin/ambassadors/import/")]),
    "region": (
        "Region: anmälningar",
        [
            ("region-registrations", "/admin/registrations/"),
            ("region-mailing-list", "/admin/mailing-list/"),
            ("region-quarterly-report", "/admin/reports/quarterly/"),
        ],
    ),
    "dpo": ("Dataskyddsombud", [("dpo-person-search", "/admin/personal-data/")]),
}


def demo_users():
    """One user per role, with a fresh password; returns {role: password}."""
    django.setup()
    from django.contrib.auth.models import Group, User

    passwords = {}
    for role, (group, _screens) in ROLES.items():
        password = secrets.token_urlsafe(16)
        user, _created = User.objects.get_or_create(username=f"demo-{role}", defaults={"first_name": "Demo"})
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=group)])
        passwords[role] = password
    return passwords


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    passwords = demo_users()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for role, (_group, screens) in ROLES.items():
            context = browser.new_context(locale="sv-SE", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(BASE + "/admin/login/")
            page.locator("input[name=username]").fill(f"demo-{role}")
            page.locator("input[name=password]").fill(passwords[role])
            page.locator("form button[type=submit]").click()
            page.wait_for_url(BASE + "/admin/")
            for name, path in screens:
                page.goto(BASE + path)
                page.screenshot(path=OUT / f"{name}.png")
            context.close()
        browser.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
