"""Settings shared by every environment. Environment variables are read here and nowhere else."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APP_DIR = BASE_DIR / "safepathways"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-only-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "safepathways.core",
    "safepathways.accounts",
    "safepathways.audit",
    "safepathways.notifications",
    "safepathways.people",
    "safepathways.providers",
    "safepathways.work",
    "safepathways.referrals",
    "safepathways.dols",
    "safepathways.safeguarding",
    "safepathways.transitions",
    "safepathways.discharges",
    "safepathways.young_people",
    "safepathways.oversight",
    "safepathways.continuity",
    "safepathways.mutual_aid",
    "safepathways.governance",
    "safepathways.dashboards",
    "safepathways.borough",
    "safepathways.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safepathways.accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safepathways.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Jinja2 renders the service (ADR-002); the Django engine is kept for the admin only.
JINJA_TEMPLATE_DIRS = [APP_DIR / "templates", *sorted(APP_DIR.glob("*/templates"))]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": JINJA_TEMPLATE_DIRS,
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "safepathways.core.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
JINJA_GLOBALS = {
    "risk_rating": "safepathways.people.presenters.risk_rating",
    "search_rows": "safepathways.people.presenters.search_rows",
}
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# Databases: SQLite under var/ for the embedded demo; DATABASE_URL (PostgreSQL) in production.
SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "safepathways.sqlite3")))
SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # IMMEDIATE transactions and WAL let the web server and the task worker share the file.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "safepathways.accounts.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"

# Lockout after repeated failures (django-axes), counted two ways (accounts.lockout): by account and address together
# (AXES_FAILURE_LIMIT), and by account from every address together (ACCOUNT_LOCKOUT_ATTEMPTS, higher: anyone can
# lock an account by guessing, so its owner is locked out only when the guessing is more than a mistyping).
AXES_FAILURE_LIMIT = env_int("SAFEPATHWAYS_LOCKOUT_ATTEMPTS", 5)
ACCOUNT_LOCKOUT_ATTEMPTS = env_int("SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS", 20)
if ACCOUNT_LOCKOUT_ATTEMPTS < 1:  # 0 would lock every account before its first attempt
    raise ImproperlyConfigured("SAFEPATHWAYS_ACCOUNT_LOCKOUT_ATTEMPTS must be 1 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAFEPATHWAYS_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "safepathways.accounts.lockout.AccountLockoutHandler"
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safepathways.accounts.views.locked_out"
# The client's address as the forgotten-password limit reads it: REMOTE_ADDR, or X-Forwarded-For behind the trusted
# proxies counted in SAFEPATHWAYS["TRUSTED_PROXIES"] (accounts.http.client_address).
AXES_CLIENT_IP_CALLABLE = "safepathways.accounts.http.client_address"
AXES_VERBOSE = False

PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
# Django's database sessions, with the read each request makes compiled once (ADR-020).
SESSION_ENGINE = "safepathways.accounts.sessions"
# Idle timeout: the session ends after this many minutes without a request. A signed-in session's expiry is
# pushed back by SlidingSessionMiddleware, at most once every SAFEPATHWAYS_SESSION_REFRESH_SECONDS (not on every
# request, which would write the session row each time): so the idle timeout holds to within that many seconds.
SESSION_COOKIE_AGE = env_int("SAFEPATHWAYS_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SAFEPATHWAYS_SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Secrets kept at rest (a mutual aid partner's signing secret) are encrypted with the first of these Fernet keys
# and read with any of them (core.crypto, ADR-021). Unset, one key is derived from SECRET_KEY (check --deploy warns).
SAFEPATHWAYS_ENCRYPTION_KEYS = [k.strip() for k in env_str("SAFEPATHWAYS_ENCRYPTION_KEYS", "").split(",") if k.strip()]

OTP_TOTP_ISSUER = env_str("SAFEPATHWAYS_SERVICE_NAME", "Safe Pathways")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served from the finders until collectstatic has run (production sets STATIC_ROOT).
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [
    APP_DIR / "static",
    ("govuk-frontend", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safepathways.core.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "safepathways.core.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "safepathways.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safe Pathways API",
    "DESCRIPTION": "People, contacts and work for adult social care. Token authentication: "
    "send `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per shared choice set, where several apps have a field called kind, status or source.
    "ENUM_NAME_OVERRIDES": {
        "PlanKindEnum": "safepathways.transitions.models.PlanKind",
        "AgreementEnum": "safepathways.transitions.models.Agreement",
        "PlanItemStatusEnum": "safepathways.transitions.models.ItemStatus",
        "IncidentKindEnum": "safepathways.continuity.models.IncidentKind",
        "IncidentOutcomeEnum": "safepathways.continuity.models.Outcome",
        "FundingEnum": "safepathways.continuity.models.Funding",
        "BedTypeEnum": "safepathways.oversight.models.BedType",
        "DischargePathwayEnum": "safepathways.discharges.models.Pathway",
        "ProviderConcernSourceEnum": "safepathways.providers.models.ProviderConcernSource",
        "WorkKindEnum": "safepathways.work.models.WorkKind",
        "ContactStatusEnum": "safepathways.referrals.models.ContactStatusName",
        "RouteEnum": "safepathways.referrals.models.Route",
        "OpenClosedStatusEnum": "safepathways.providers.models.ProviderConcernStatus",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The SMTP server, for EMAIL_BACKEND django.core.mail.backends.smtp.EmailBackend (Django's defaults otherwise).
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")  # or DJANGO_EMAIL_HOST_PASSWORD_FILE
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SAFEPATHWAYS_FROM_EMAIL", "safe-pathways@localhost")


def _risk_bands(name: str, default: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Bands written `lowest score:label:colour`, comma-separated, e.g. `15:High:red,5:Medium:orange,1:Low:green`.
    Only the form is read here; people.checks checks the bands themselves (scores, colours, a band from 1)."""
    raw = env_str(name, "").strip()
    if not raw:
        return default
    bands = []
    for item in raw.split(","):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) != 3 or not parts[0].isdigit():
            raise ImproperlyConfigured(
                f"{name} lists bands as lowest score:label:colour, e.g. 15:High:red,5:Medium:orange,1:Low:green; "
                f"{item.strip()!r} is not one."
            )
        bands.append((int(parts[0]), parts[1], parts[2]))
    return bands


# Local choices for this council, with defaults (domain-reference.md §8.2).
SAFEPATHWAYS: dict[str, Any] = {
    "SERVICE_NAME": env_str("SAFEPATHWAYS_SERVICE_NAME", "Safe Pathways"),
    "BASE_URL": env_str("SAFEPATHWAYS_BASE_URL", "http://127.0.0.1:8000"),
    "COUNCIL_NAME": env_str("SAFEPATHWAYS_COUNCIL_NAME", "London Borough of Camden"),
    # ONS/GSS code of the council that runs this instance (Camden: E09000007).
    "COUNCIL_ONS_CODE": env_str("SAFEPATHWAYS_COUNCIL_ONS_CODE", "E09000007"),
    # How long a declared working relationship and a break-glass grant last.
    "DECLARED_RELATIONSHIP_HOURS": env_int("SAFEPATHWAYS_DECLARED_RELATIONSHIP_HOURS", 72),
    "BREAK_GLASS_HOURS": env_int("SAFEPATHWAYS_BREAK_GLASS_HOURS", 4),
    # How long a team keeps its working relationship with a person after its work with them closed, for the
    # follow-up that comes after (the check after a move, a readmission within 30 days); 0: none (ADR-004).
    "RECENT_WORK_DAYS": env_int("SAFEPATHWAYS_RECENT_WORK_DAYS", 30),
    # A new service counts as taking over from one of the person's services that ended up to this many days before
    # it started (or one of the same kind still running): another provider or responsible team is a hand-off.
    "HANDOFF_FOLLOW_DAYS": env_int("SAFEPATHWAYS_HANDOFF_FOLLOW_DAYS", 28),
    # Printed on waiting letters: who to call out of hours if things get worse.
    "OUT_OF_HOURS_PHONE": env_str("SAFEPATHWAYS_OUT_OF_HOURS_PHONE", "020 7974 4444"),
    "CONTACT_CENTRE_PHONE": env_str("SAFEPATHWAYS_CONTACT_CENTRE_PHONE", "020 7974 4000"),
    # The risk register's bands of likelihood × impact (a score from 1 to 25), by local risk policy: each band is
    # (lowest score, label, GOV.UK tag colour). Default 1–4 low, 5–12 medium, 15–25 high. people.checks checks it.
    "RISK_BANDS": _risk_bands(
        "SAFEPATHWAYS_RISK_BANDS", [(15, "High", "red"), (5, "Medium", "orange"), (1, "Low", "green")]
    ),
    # How many proxies (load balancers) the service sits behind, each adding the address it was reached from to
    # X-Forwarded-For. 0: the header is ignored and a client's address is REMOTE_ADDR. Production reads
    # SAFEPATHWAYS_TRUSTED_PROXIES; a number larger than the real one lets a client choose its own address.
    "TRUSTED_PROXIES": 0,
    # The password of the synthetic borough's demo accounts (generate_borough).
    "DEMO_PASSWORD": env_str("SAFEPATHWAYS_DEMO_PASSWORD", "safe-pathways-demo"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}
