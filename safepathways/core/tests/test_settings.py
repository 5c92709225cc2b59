"""What the production settings do with the environment: each settings file run afresh, with the variables given."""

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

SETTINGS_DIR = Path(settings.BASE_DIR) / "config" / "settings"


def _run(name: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    """The settings one file defines, read with these environment variables (the loaded settings are untouched)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS_DIR / f"{name}.py"))


PRODUCTION_ENV = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@db.example/safepathways"}


def test_a_plain_http_health_probe_is_answered_not_redirected(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    production = _run("production", monkeypatch, PRODUCTION_ENV)
    assert production["SECURE_SSL_REDIRECT"] is True
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"]):
        assert client.get("/healthz").status_code == 200
        # Everything else still goes to HTTPS, including paths that merely start with healthz.
        assert client.get("/healthz/extra").status_code == 301
        assert client.get("/account/sign-in/").status_code == 301


def test_smtp_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    password = tmp_path / "smtp-password"
    password.write_text("s3cret from a file\n", encoding="utf-8")
    base = _run(
        "base",
        monkeypatch,
        {
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "smtp.council.gov.uk",
            "DJANGO_EMAIL_PORT": "587",
            "DJANGO_EMAIL_HOST_USER": "safe-pathways",
            "DJANGO_EMAIL_HOST_PASSWORD_FILE": str(password),
            "DJANGO_EMAIL_USE_TLS": "true",
        },
    )
    assert base["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (base["EMAIL_HOST"], base["EMAIL_PORT"]) == ("smtp.council.gov.uk", 587)
    assert (base["EMAIL_HOST_USER"], base["EMAIL_HOST_PASSWORD"]) == ("safe-pathways", "s3cret from a file")
    assert base["EMAIL_USE_TLS"] is True


def test_smtp_settings_default_to_djangos(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "HOST_USER", "HOST_PASSWORD", "HOST_PASSWORD_FILE", "USE_TLS"):
        monkeypatch.delenv(f"DJANGO_EMAIL_{name}", raising=False)
    base = _run("base", monkeypatch, {})
    assert (base["EMAIL_HOST"], base["EMAIL_PORT"], base["EMAIL_HOST_USER"], base["EMAIL_HOST_PASSWORD"]) == (
        "localhost",
        25,
        "",
        "",
    )
    assert base["EMAIL_USE_TLS"] is False
