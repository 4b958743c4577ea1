"""Concilium settings: configured by environment variables only, with safe defaults for the embedded mode."""

import base64
import os
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from concilium.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CONCILIUM_DATA_DIR", str(BASE_DIR.parent / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and uploads live here by default

DEBUG = env_bool("DEBUG", False)

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Who runs this installation: named as the data controller in the privacy statement and the factsheet.
OPERATOR_NAME = env_str("OPERATOR_NAME", "Concilium Network Coordination Office")
OPERATOR_ADDRESS = env_str("OPERATOR_ADDRESS", "")
OPERATOR_IS_EU_INSTITUTION = env_bool(
    "OPERATOR_IS_EU_INSTITUTION", False
)  # Regulation (EU) 2018/1725 applies
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "privacy@concilium.localhost")
HELPDESK_EMAIL = env_str("HELPDESK_EMAIL", "helpdesk@concilium.localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "mozilla_django_oidc",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from our static files (the CSP allows no CDN)
    "concilium.core",
    "concilium.audit",
    "concilium.directory",
    "concilium.accounts",
    "concilium.notifications",
    "concilium.helpdesk",
    "concilium.scheduling",
    "concilium.patients",
    "concilium.cases",
    "concilium.home",
    "concilium.administration",
    "concilium.demo",
]

MIDDLEWARE = [
    "concilium.core.middleware.RequestContextMiddleware",
    "concilium.core.problems.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "concilium.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "concilium.accounts.middleware.SessionLimitsMiddleware",
    "concilium.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concilium.urls"
WSGI_APPLICATION = "concilium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concilium.home.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'concilium.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-concilium.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions and counters -----------------------------------------------------------------
# With Redis (REDIS_URL), every app process shares the cache, the sessions and the sign-in counters, so any
# process can serve any request. Without it (the embedded mode), the cache is per process.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
    raise ImproperlyConfigured(
        f"REDIS_URL must be a redis://, rediss:// or unix:// URL; got scheme {urlsplit(REDIS_URL).scheme!r}"
    )
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database: a Redis restart or eviction does not
    # sign everyone out, and a page view reads no session row (the session is written at most every 30 s).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # django-axes counts failed sign-ins in the shared cache: no database write per failure, and every app
    # process sees the same counts (the per-address ceiling is counted in the cache too).
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "concilium.accounts.oidc.ConciliumOIDCBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Sessions: 30 minutes idle, 12 hours absolute (enforced by SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "concilium_session"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Failures count per account (and per account and address): five wrong passwords lock that account, not
# everyone behind the same address (a hospital's NAT, a proxy). Against password spraying, an address gets a
# much higher ceiling of its own (LOGIN_ADDRESS_FAILURE_LIMIT, over the same cool-off), counted by the app.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = (
    "concilium.accounts.views.login.locked_out"  # renders that template, says when to retry
)
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0) or None

# Two-factor authentication (django-otp).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Concilium")

# OpenID Connect single sign-on (EU Login is an OIDC provider). Off unless OIDC_OP_ISSUER is set.
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "").rstrip("/")
OIDC_ENABLED = bool(OIDC_OP_ISSUER)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "EU Login")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", f"{OIDC_OP_ISSUER}/authorize")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", f"{OIDC_OP_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", f"{OIDC_OP_ISSUER}/userinfo")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", f"{OIDC_OP_ISSUER}/jwks")
OIDC_CREATE_USER = False  # only existing, activated accounts sign in
OIDC_CALLBACK_CLASS = "concilium.accounts.oidc.ConciliumOIDCCallbackView"
OIDC_AUTHENTICATE_CLASS = "concilium.accounts.oidc.ConciliumOIDCAuthenticateView"
# Match accounts only by addresses the provider says it verified (email_verified claim).
OIDC_REQUIRE_VERIFIED_EMAIL = env_bool("OIDC_REQUIRE_VERIFIED_EMAIL", True)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["concilium.formats"]  # European English dates (day first, 24-hour clock)
LANGUAGES = [("en", _("English")), ("de", _("German")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # `concilium collectstatic` fills it when DEBUG is off
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Uploads (consents, attachments, reports) go to S3-compatible object storage when S3_BUCKET is set. The
# objects are private: no public or signed URL is ever handed out, every download goes through a view that
# checks the reader's permission and writes the audit event.
S3_BUCKET = env_str("S3_BUCKET", "")
_default_storage: dict[str, object] = {
    "BACKEND": env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
}
if S3_BUCKET:
    if find_spec("storages") is None or find_spec("boto3") is None:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but django-storages and boto3 are not installed: "
            "pip install 'concilium[production]'."
        )
    _s3_options: dict[str, object] = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("S3_REGION", "") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
        "location": env_str("S3_PREFIX", ""),
        "default_acl": "private",
        "querystring_auth": True,  # should a URL ever be built, it is signed and short-lived
        "querystring_expire": 60,
        "file_overwrite": False,  # never replace an object that holds another upload
        "addressing_style": env_str("S3_ADDRESSING_STYLE", "") or None,  # "path" for some servers
        "signature_version": "s3v4",
    }
    _encryption = env_str("S3_SERVER_SIDE_ENCRYPTION", "")  # e.g. AES256 or aws:kms
    if _encryption:
        _s3_options["object_parameters"] = {"ServerSideEncryption": _encryption}
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "concilium.core.staticfiles.ManifestStaticFilesStorage"
    },
}
STATIC_BROTLI = env_bool("STATIC_BROTLI", False)  # brotli copies of static files as well as gzip ones
WHITENOISE_USE_FINDERS = DEBUG
#: Largest file accepted as a case attachment, in megabytes.
CASE_ATTACHMENT_MAX_MB = env_int("CASE_ATTACHMENT_MAX_MB", 25)


# --- Email ----------------------------------------------------------------------------------------
def _email_settings(url: str) -> dict[str, object]:
    """Translate EMAIL_URL (smtp://user:pass@host:port?tls=1, smtps://, console://, memory://)."""
    parts = urlsplit(url)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme must be one of {sorted(backends)}; got {parts.scheme!r}"
        )
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": backends[parts.scheme],
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true", "yes"},
    }


_email = _email_settings(env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25"))
EMAIL_BACKEND = str(_email["EMAIL_BACKEND"])
EMAIL_HOST = str(_email["EMAIL_HOST"])
EMAIL_PORT = int(str(_email["EMAIL_PORT"]))
EMAIL_HOST_USER = str(_email["EMAIL_HOST_USER"])
EMAIL_HOST_PASSWORD = str(_email["EMAIL_HOST_PASSWORD"])
EMAIL_USE_SSL = bool(_email["EMAIL_USE_SSL"])
EMAIL_USE_TLS = bool(_email["EMAIL_USE_TLS"])
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Concilium <no-reply@concilium.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notification outbox: retries with exponential backoff.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_BACKOFF_SECONDS = env_int("OUTBOX_BACKOFF_SECONDS", 30)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)

# --- Background work (Django's Tasks API through the django-tasks backport) -----------------------
# The database queue by default (nothing more to run); with Redis, RQ's queue, worked by `concilium worker`.
_RQ_BACKEND = "django_tasks_rq.RQBackend"
TASKS_BACKEND = env_str("TASKS_BACKEND", _RQ_BACKEND if REDIS_URL else "django_tasks_db.DatabaseBackend")
TASKS: dict[str, dict[str, object]] = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == _RQ_BACKEND:
    if find_spec("django_tasks_rq") is None:
        raise ImproperlyConfigured(
            "TASKS_BACKEND is django_tasks_rq.RQBackend (the default with REDIS_URL), which is not "
            "installed: pip install 'concilium[production]', or set "
            "TASKS_BACKEND=django_tasks_db.DatabaseBackend."
        )
    # The queue's Redis: REDIS_URL's unless set apart (another database number keeps queued tasks out of
    # reach of a cache flush).
    RQ_REDIS_URL = env_str("RQ_REDIS_URL", REDIS_URL)
    if not RQ_REDIS_URL:
        raise ImproperlyConfigured(
            "TASKS_BACKEND=django_tasks_rq.RQBackend needs REDIS_URL (or RQ_REDIS_URL)."
        )
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": RQ_REDIS_URL, "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 300)}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]


# --- Serving (`concilium serve`: gunicorn, threaded workers) ---------------------------------------
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


SERVE_BIND = env_list("SERVE_BIND", ["127.0.0.1:8000"])  # host:port or unix:/path, comma-separated
#: Worker processes: 2 x cores + 1, at most 12 (each has SERVE_THREADS threads).
SERVE_WORKERS = env_int("SERVE_WORKERS", env_int("WEB_CONCURRENCY", min(2 * _cores() + 1, 12)))
SERVE_THREADS = env_int("SERVE_THREADS", 4)
SERVE_TIMEOUT = env_int("SERVE_TIMEOUT", 30)  # seconds a request may take before its worker is restarted
SERVE_GRACEFUL_TIMEOUT = env_int("SERVE_GRACEFUL_TIMEOUT", 30)
SERVE_KEEPALIVE = env_int("SERVE_KEEPALIVE", 5)
SERVE_MAX_REQUESTS = env_int("SERVE_MAX_REQUESTS", 1000)  # a worker is replaced after this many (0: never)
SERVE_MAX_REQUESTS_JITTER = env_int("SERVE_MAX_REQUESTS_JITTER", 100)
SERVE_ACCESS_LOG = env_bool("SERVE_ACCESS_LOG", True)  # method, path (no query string), status, size, time
for _name, _value, _least in (
    ("SERVE_WORKERS", SERVE_WORKERS, 1),
    ("SERVE_THREADS", SERVE_THREADS, 1),
    ("SERVE_TIMEOUT", SERVE_TIMEOUT, 1),
    ("SERVE_GRACEFUL_TIMEOUT", SERVE_GRACEFUL_TIMEOUT, 1),
    ("SERVE_KEEPALIVE", SERVE_KEEPALIVE, 0),
    ("SERVE_MAX_REQUESTS", SERVE_MAX_REQUESTS, 0),
    ("SERVE_MAX_REQUESTS_JITTER", SERVE_MAX_REQUESTS_JITTER, 0),
):
    if _value < _least:
        raise ImproperlyConfigured(f"{_name} must be at least {_least}; got {_value}")

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Patients -------------------------------------------------------------------------------------
# Fernet keys for the hospitals' local patient identifiers, comma-separated: the first encrypts, every one
# decrypts (key rotation). Unset: a key derived from SECRET_KEY (the deploy check warns).
PATIENT_ID_KEY = env_list("PATIENT_ID_KEY", [])
for _key in PATIENT_ID_KEY:
    try:
        _key_ok = len(base64.urlsafe_b64decode(_key.encode("ascii"))) == 32
    except (ValueError, UnicodeEncodeError):
        _key_ok = False
    if not _key_ok:
        raise ImproperlyConfigured(
            "PATIENT_ID_KEY must hold comma-separated Fernet keys (32 bytes in URL-safe base64); generate "
            "one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'."
        )
# Largest signed consent or blank consent form accepted, in megabytes.
CONSENT_MAX_UPLOAD_MB = env_int("CONSENT_MAX_UPLOAD_MB", 10)
if CONSENT_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured(f"CONSENT_MAX_UPLOAD_MB must be at least 1; got {CONSENT_MAX_UPLOAD_MB}")

# --- Logging: structured (JSON lines), no personal data -------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "concilium.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "concilium.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "concilium.core.views.csrf_failure"
