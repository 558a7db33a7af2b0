"""Django settings. Everything a deployment changes comes from the environment."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parents[1]
# In a checkout (src layout) the data folder sits beside src/; installed elsewhere, in the cwd.
_DEFAULT_HOME = _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()
DATA_DIR = Path(os.environ.get("LIDGELD_DATA_DIR", _DEFAULT_HOME / "data"))


def _secret_key() -> str:
    if key := os.environ.get("LIDGELD_SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("LIDGELD_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("LIDGELD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "lidgeld.libraries",
    "lidgeld.borrowers",
    "lidgeld.memberships",
    "lidgeld.finance",
    "lidgeld.circulation",
    "lidgeld.notices",
    "lidgeld.operations",
    "lidgeld.audit",
    "lidgeld.lifecycle",
    "lidgeld.kiosks",
    "lidgeld.staff",
    "lidgeld.selections",
    "lidgeld.web",
    "lidgeld.staffweb",
    "lidgeld.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lidgeld.web.middleware.StorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lidgeld.web.middleware.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lidgeld.urls"
WSGI_APPLICATION = "lidgeld.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lidgeld.staffweb.context.staff_navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'lidgeld.sqlite3'}"
    # Reusing a PostgreSQL connection saves ~9 ms per page (docs/performance.md); SQLite
    # connections are cheap, and the health check drops a connection the server closed.
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=int(os.environ.get("LIDGELD_DB_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
        # failing halfway; WAL lets pages read while the daily run writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not Django's shared in-memory default: the concurrency tests need
        # real SQLite locking between connections.
        # One file per test process, so two suites running side by side never share it.
        default_test_name = Path(tempfile.gettempdir()) / f"lidgeld-test-{os.getpid()}.sqlite3"
        config["TEST"] = {
            "NAME": os.environ.get("LIDGELD_SQLITE_TEST_NAME", str(default_test_name))
        }
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's own queries bind on the client and are never prepared; this lets the
        # kiosks' hot lookup (standing/kiosk.py) run as a server-side prepared statement.
        config.setdefault("OPTIONS", {})["prepare_threshold"] = 5
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIDGELD_LOG_LEVEL", "WARNING")},
}

# A temporary set (the result of a selection) is kept this many days, then purged
# by the daily run.
LIDGELD_SET_DAYS = int(os.environ.get("LIDGELD_SET_DAYS", "7"))

# Mijn Bibliotheek: a borrower's session ends after this many idle minutes; a PIN
# reset link works this many minutes (and once).
LIDGELD_PORTAL_IDLE_MINUTES = int(os.environ.get("LIDGELD_PORTAL_IDLE_MINUTES", "30"))
LIDGELD_PORTAL_PIN_RESET_MINUTES = int(os.environ.get("LIDGELD_PORTAL_PIN_RESET_MINUTES", "60"))

# A selection run (staff pages, API, CLI) is stopped after this many seconds, with
# "too broad: make the rule narrower", instead of holding a web thread; 0: no limit.
LIDGELD_SELECTION_SECONDS = float(os.environ.get("LIDGELD_SELECTION_SECONDS", "10"))
