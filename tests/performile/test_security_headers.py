"""Security headers on every page: a Content-Security-Policy that allows no inline
script, Referrer-Policy, Permissions-Policy, and HSTS on HTTPS."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (
            part.split() for part in policy.split(";") if part.strip()
        )
    }


@pytest.mark.parametrize("path", ["/accounts/login/", "/portal/login/", "/orders/"])
def test_pages_allow_scripts_from_our_own_files_only(client, staff_user, path):
    client.force_login(staff_user)
    response = client.get(path, follow=True)

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_handler():
    """What the policy would block: <script> without src, on*= attributes."""
    import re

    from django.conf import settings

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"", re.IGNORECASE)
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if inline.search(path.read_text())
    ]
    assert offenders == []


def test_hsts_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
