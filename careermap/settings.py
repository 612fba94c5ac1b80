"""careermap settings: one file, configured from the environment only.

DATABASE_URL          default: a SQLite file in the project folder
DJANGO_DEBUG          "1"/"true" turns debug on (off by default)
DJANGO_SECRET_KEY     required when debug is off
DJANGO_ALLOWED_HOSTS  comma-separated; localhost names by default in debug
DJANGO_HTTPS          served over https behind a TLS proxy that sets X-Forwarded-Proto:
                      plain http is redirected, cookies are secure, HSTS is sent.
                      On unless debug; tests turn it off (their live server is http).
DJANGO_HSTS_SECONDS   HSTS max-age when DJANGO_HTTPS is on (default one year)
DJANGO_PROXY_COUNT    how many proxies in front append to X-Forwarded-For (default 0): the
                      client address that log-in and password-link throttling count by
DJANGO_TIME_ZONE      the time zone pages show times in for people who chose none
                      (default UTC)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
EMAIL_USE_SSL, DEFAULT_FROM_EMAIL
                      Django's own email settings, by their own names. With debug on and
                      no EMAIL_HOST, emails are printed by the task worker instead.
CAREERMAP_*           the product's own settings (stale ratings, input from others,
                      session and token lifetimes, API rate limits): docs/deploy.md,
                      each read where it is set below
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"


def secret_key_problem(key: str) -> str | None:
    """Why `key` is no real secret key (the rule of `check --deploy`'s W009), or None."""
    if not key:
        return "DJANGO_SECRET_KEY is not set."
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        return "DJANGO_SECRET_KEY is a development key."
    if len(key) < 50 or len(set(key)) < 5:
        return "DJANGO_SECRET_KEY is too weak: use 50 or more random characters."
    return None


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"{problem} Set it to a long random value (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'), or set DJANGO_DEBUG=1 for local development."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (
    ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "careermap.admin_apps.CareermapAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    # The layers, top to bottom: imports run only downwards (docs/architecture.md).
    "careermap",
    "assessments",
    "people",
    "skills",
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.database.DatabaseUnavailableMiddleware",
    # The edge (core.edge), inside the database middleware as all that may query:
    # control characters refused, responses private by default, sessions ended when
    # idle or old.
    "core.edge.PrivateByDefault",
    "core.edge.RefuseControlCharacters",
    "core.edge.SessionLifetime",
    # Inside the database middleware: reading the person's zone may query, and a
    # database out of reach must still answer 503.
    "core.timezones.TimeZoneMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged by the backend into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careermap.urls"
WSGI_APPLICATION = "careermap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "careermap.navigation.navigation",
            ],
            "builtins": ["django_htmx.templatetags.django_htmx"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out user (and IP) before the password is even checked.
    "core.security.LoginThrottleBackend",
    # CAREERMAP_PASSWORD_LOGIN=0 stops password log-ins here, but a superuser's.
    "people.sso.PasswordLoginSwitch",
    "django.contrib.auth.backends.ModelBackend",
    # OpenID Connect single sign-on (people.sso), when OIDC_ISSUER is set.
    "people.sso.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Invitations and "forgot your password" links (Django's password-reset tokens): valid
# for a week, and for one use (setting the password changes what the token signs).
PASSWORD_RESET_TIMEOUT = int(timedelta(days=7).total_seconds())

# --- Email and background work ------------------------------------------------------------
# Every email is sent by a task (django.tasks, stored in the database by django-tasks-db)
# that `manage.py db_worker` runs: a request never waits on a mail server, and a mail
# server that is down delays an email instead of failing the page.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Mail goes through Django's MAILERS (6.1), configured from the environment variables of
# the settings they replace: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS, EMAIL_USE_SSL.
_EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
MAILERS: dict[str, dict[str, Any]]
if DEBUG and not _EMAIL_HOST:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    _use_tls, _use_ssl = env_flag("EMAIL_USE_TLS"), env_flag("EMAIL_USE_SSL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST or "localhost",
                "port": int(
                    os.environ.get("EMAIL_PORT") or (465 if _use_ssl else 587 if _use_tls else 25)
                ),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _use_tls,
                "use_ssl": _use_ssl,
                "timeout": 30,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "careermap <careermap@localhost>")

LANGUAGE_CODE = "en"
# Each person may choose their time zone (Person.time_zone, core.timezones); this one is
# for everyone else.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
FORMAT_MODULE_PATH = ["careermap.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed file names need `collectstatic`; the image runs it, tests
        # and development serve the files as they are.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_flag("DJANGO_STATIC_MANIFEST")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    # Token first: anonymous requests then get 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "people.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.drf.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    # Rates below (CAREERMAP_API_THROTTLE_*); 429 with Retry-After past them. Counted in
    # the cache: per process with the default local-memory cache.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.UserThrottle", "core.throttles.AnonThrottle"],
    "NUM_PROXIES": int(os.environ.get("DJANGO_PROXY_COUNT", "0")),
}
# API requests per user and per anonymous client address ("600/min", "10/s", "off").
CAREERMAP_API_THROTTLE_USER = os.environ.get("CAREERMAP_API_THROTTLE_USER") or "600/min"
CAREERMAP_API_THROTTLE_ANON = os.environ.get("CAREERMAP_API_THROTTLE_ANON") or "60/min"
SPECTACULAR_SETTINGS = {
    "TITLE": "careermap API",
    "DESCRIPTION": "Roles, skills, expected levels, assessments and gaps (contract v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share the name "kind": an assessment's and an evidence item's.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentKindEnum": "assessments.models.Assessment.Kind",
        "EvidenceKindEnum": "assessments.models.EvidenceKind",
        # A person's channel for a kind of notification; cycle due dates are never off.
        "NotificationChannelEnum": ["email", "in_app", "off"],
        "CycleNotificationChannelEnum": ["email", "in_app"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.drf.declare_error_responses",
    ],
}

# --- The product's own settings ------------------------------------------------------------
# A current level submitted longer ago than this is stale: marked on the pages, listed
# first on the self-assessment, `"stale"` in the gaps API.
CAREERMAP_STALE_AFTER_DAYS = int(os.environ.get("CAREERMAP_STALE_AFTER_DAYS") or 365)
# Input from others (assessments.feedback): a skill's answers are shown (as an aggregate,
# never by respondent) only once at least this many people gave a level for it.
CAREERMAP_FEEDBACK_MIN_ANSWERS = max(int(os.environ.get("CAREERMAP_FEEDBACK_MIN_ANSWERS") or 3), 1)
# The address people reach careermap at: the links in emails, which scheduled jobs send
# with no request to read it from (core.site).
CAREERMAP_SITE_URL = os.environ.get("CAREERMAP_SITE_URL") or "http://127.0.0.1:8000/"
# Notifications (people.notifications): an email that fails is tried again after this
# many seconds, then 4x longer each time, CAREERMAP_EMAIL_ATTEMPTS times in all; then it
# is listed on HR's failed notifications page. One email a person a day: the first
# notification of a day goes at once, later ones wait for the next day's digest, sent
# at CAREERMAP_DIGEST_HOUR in the person's time zone.
CAREERMAP_EMAIL_RETRY_SECONDS = float(os.environ.get("CAREERMAP_EMAIL_RETRY_SECONDS") or 60)
CAREERMAP_EMAIL_ATTEMPTS = max(int(os.environ.get("CAREERMAP_EMAIL_ATTEMPTS") or 5), 1)
CAREERMAP_DIGEST_HOUR = int(os.environ.get("CAREERMAP_DIGEST_HOUR") or 8)
# A framework document larger than this (bytes) is checked and imported by the task
# worker, with a progress page, instead of in the request: the largest shipped framework
# is under 100 kB and stays interactive; a 1.8 MB one takes about 20 s.
CAREERMAP_IMPORT_INTERACTIVE_BYTES = int(
    os.environ.get("CAREERMAP_IMPORT_INTERACTIVE_BYTES") or 256 * 1024
)

# --- Security ---------------------------------------------------------------------------
# An API token lasts this many days from its creation (people.tokens).
CAREERMAP_TOKEN_DAYS = int(os.environ.get("CAREERMAP_TOKEN_DAYS") or 90)

# Behind the TLS proxy: it says https in X-Forwarded-Proto; a request without it came
# over plain http and is redirected.
HTTPS = env_flag("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe each process directly over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request, and this long after logging in
# (core.edge.SessionLifetime); the cookie lasts no longer than the latter.
CAREERMAP_SESSION_IDLE_HOURS = float(os.environ.get("CAREERMAP_SESSION_IDLE_HOURS") or 12)
CAREERMAP_SESSION_MAX_DAYS = float(os.environ.get("CAREERMAP_SESSION_MAX_DAYS") or 7)
SESSION_COOKIE_AGE = int(CAREERMAP_SESSION_MAX_DAYS * 24 * 3600)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: our own files only. No inline script or style anywhere, but
# for the nonce that Django's admin puts on its few inline blocks (`csp_nonce`).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one username
# from one IP address, that pair is locked out for AXES_COOLOFF_TIME; the log-in page
# says so and answers 429, the API token endpoint answers 429 with a JSON detail.
# A successful log-in clears the count. Attempts are counted in the database.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Quiet: otherwise every manage.py command starts with "AXES: BEGIN version ...".
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
# Failed log-ins from one client address, whatever the usernames (core.security): past
# this many within the window, that address gets the same 429 until the window passes.
LOGIN_FAILURES_PER_IP = int(os.environ.get("CAREERMAP_LOGIN_FAILURES_PER_IP") or 20)
LOGIN_FAILURES_WINDOW = timedelta(minutes=15)
AXES_COOLOFF_MESSAGE = "Too many failed log-in attempts for this account. Try again in 15 minutes."
# "Forgot your password?" (core.security.password_link_throttled): past this many requests
# for one address, or from one client IP address, within the window, the page answers as
# ever ("sent", so that it tells nobody anything) and no email is queued.
PASSWORD_LINK_LIMIT_PER_ADDRESS = 5
PASSWORD_LINK_LIMIT_PER_IP = 20
PASSWORD_LINK_WINDOW = timedelta(hours=1)

# The framework file that `import_framework --default` and `demo` load.
DEFAULT_FRAMEWORK_FILE = BASE_DIR / "skills" / "data" / "default-framework.yaml"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Single sign-on with OpenID Connect (issue 22; people.sso, docs/deploy.md): on when
# OIDC_ISSUER (the provider's issuer URL, whose discovery document gives the endpoints)
# and OIDC_CLIENT_ID are set; without them the log-in page is unchanged.
OIDC_ISSUER = (os.environ.get("OIDC_ISSUER") or "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET") or ""
OIDC_LABEL = os.environ.get("OIDC_LABEL") or "Log in with single sign-on"
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO") or "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
OIDC_STORE_ID_TOKEN = True  # for RP-initiated logout's id_token_hint
OIDC_AUTHENTICATION_CALLBACK_URL = "people:sso_callback"
OIDC_OP_LOGOUT_URL_METHOD = "people.sso.provider_logout_url"
LOGIN_REDIRECT_URL_FAILURE = "login"
# An unknown (verified) email creates a person with no role for HR to place, instead of
# the "ask HR to add you" page.
CAREERMAP_OIDC_CREATE_USERS = env_flag("CAREERMAP_OIDC_CREATE_USERS")
# 0 switches password log-in off (the page and POST /api/auth/token/) for all but
# superusers (break-glass); people then use single sign-on and API tokens from /account/.
CAREERMAP_PASSWORD_LOGIN = env_flag("CAREERMAP_PASSWORD_LOGIN", default=True)
# The header's "Log out" form ends in a redirect to the provider's end_session endpoint
# (RP-initiated logout): the CSP's form-action must allow the provider's origin.
if OIDC_ISSUER:
    SECURE_CSP["form-action"] = [CSP.SELF, "/".join(OIDC_ISSUER.split("/")[:3])]
