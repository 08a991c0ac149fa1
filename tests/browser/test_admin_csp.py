"""The admin works under its tightened policy: no 'unsafe-eval', frames only
from our origin and the video hosts. Any CSP violation while the
admin loads and runs its scripts fails the test."""

import pytest

pytestmark = pytest.mark.browser

ADMIN_PAGES = [
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/registrations/",
    "/admin/snippets/",
    "/admin/users/",
    "/admin/reports/site-history/",
    "/admin/two-factor/recovery-codes/",
]


def test_admin_pages_run_without_csp_violations(site_server, page):
    site_server.shell(
        "from django.contrib.auth import get_user_model; U = get_user_model();"
        "U.objects.filter(username='csp-admin').exists() or "
        "U.objects.create_superuser('csp-admin', 'csp@example.org', 'a-long-test-password')"
    )
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(site_server.url + "/admin/login/")
    page.fill("input[name=username]", "csp-admin")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")
    page.wait_for_url(site_server.url + "/admin/")
    edit_url = site_server.shell(
        "from home.models import HomePage; print(f'/admin/pages/{HomePage.objects.first().pk}/edit/')"
    ).strip()
    for path in [*ADMIN_PAGES, edit_url]:
        response = page.goto(site_server.url + path)
        assert response.status < 500, path
        page.wait_for_load_state("networkidle")
    assert violations == []
