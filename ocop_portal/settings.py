"""Settings for the OCOP Portal, configured from environment variables.

Every variable is listed with its default in README.md ("Environment variables").
`DJANGO_ENV=production` switches on the secure defaults and makes the secrets required.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ocop_portal import database

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _env_number(name, default, parse, what):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}, not {value!r}.") from None


def env_int(name, default):
    return _env_number(name, default, int, "a whole number")


def env_float(name, default):
    return _env_number(name, default, float, "a number")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-key-not-for-production-use")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # The task queue: jobs in the portal's PostgreSQL, run by `manage.py procrastinate worker` (README).
    "procrastinate.contrib.django",
    # The portal's apps, in dependency order: each imports only those above it.
    "core",
    "accounts",
    "catalog",
    "events",
    "matchmaking",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Visitors' cached catalogue pages, served before the session and the view (catalog/cache.py).
    "catalog.cache.VisitorPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An admin list's filter Django cannot turn into SQL gets the unfiltered list and a message, not a 500.
    "core.middleware.AdminQueryGuardMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocop_portal.urls"

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
                "ocop_portal.context_processors.portal",
                "matchmaking.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "ocop_portal.wsgi.application"

# PostgreSQL only: DATABASE_URL, or the embedded server under var/ when it is unset.
DATABASES = {"default": database.config(base_dir=BASE_DIR)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out sign-in before the password is even checked (authenticate() needs `request`).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first; English is a full translation under /en/.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ocop_portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Application dossiers: never under MEDIA_URL; served only through views that check permissions.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
# Media and private files on the file system, or in two S3-compatible buckets when S3_BUCKET is set
# (ocop_portal/storages.py). MEDIA_ORIGIN is where browsers then load media from (None: this site).
from ocop_portal.storages import storage_settings  # noqa: E402

_storage_settings = storage_settings(production=PRODUCTION)
STORAGES = _storage_settings.storages
MEDIA_ORIGIN = _storage_settings.media_origin

# Development and tests serve static files straight from static/; production from collectstatic's manifest.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Email: the console in development, SMTP in production (EMAIL_URL-style variables).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng OCOP <no-reply@ocop.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The task queue (procrastinate): each app's tasks.py is read at start; failed jobs are listed in the admin.
PROCRASTINATE_WORKER_DEFAULTS = {
    "fetch_job_polling_interval": env_int("WORKER_POLL_SECONDS", 2),
    "shutdown_graceful_timeout": 30,
    "update_heartbeat_interval": 5,
    # Succeeded jobs are deleted; failed ones stay for staff to see and retry in the admin.
    "delete_jobs": "successful",
}
# /healthz and the staff dashboard call the queue stuck when a due job has waited this long.
QUEUE_STUCK_SECONDS = env_int("QUEUE_STUCK_SECONDS", 600)
# A job whose worker stopped sending its heartbeat this many seconds ago (killed, machine lost) is put back.
WORKER_STALLED_SECONDS = env_int("WORKER_STALLED_SECONDS", 60)
# SMTP must answer within this many seconds, or the attempt fails and the job is retried later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# The domain in each email's Message-ID header.
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", "ocop.localhost")

# Downloads of the catalogue and the certificate register: a list of at most EXPORT_MAX_ROWS rows is written in the
# request; a longer one is prepared by a worker as a file offered when ready (reports.models.DataExport), kept
# EXPORT_KEEP_HOURS.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 5000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 48)

# The portal's own settings.
PORTAL_NAME = env_str("PORTAL_NAME", "Cổng thông tin OCOP")
# The public address, for links in emails and on printed QR codes.
PORTAL_URL = env_str("PORTAL_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not PORTAL_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_URL must be set to the portal's https:// address when DJANGO_ENV=production.")
PORTAL_AGENCY = env_str("PORTAL_AGENCY", "Sở Công Thương thành phố Cần Thơ")
# Shows a notice that the demo data is illustrative; off unless asked for in production.
DEMO_MODE = env_bool("DEMO_MODE", default=not PRODUCTION)

# A shared cache (Redis: redis://host:6379/0) for every app server in production; local memory otherwise.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ocop"),
            # A cache that does not answer within this is a miss (core/redis_cache.py), never a wait.
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.25),
                "socket_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.25),
            },
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ocop-portal",
        }
    }
# Seconds an anonymous visitor's home, catalogue or product page stays in the cache (catalog/cache.py); 0 = off.
# On by default only with a shared cache and DEBUG off: with a per-process cache, one worker would keep serving a
# page another worker's write has changed.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600 if CACHE_URL and not DEBUG else 0)
# New pages one client address may add to that cache a minute (its other pages are served, not stored).
PAGE_CACHE_ADDS_PER_MINUTE = env_int("PAGE_CACHE_ADDS_PER_MINUTE", 120)

# The audit trail is read-only: state changes go through the services, never by reverting history.
SIMPLE_HISTORY_REVERT_DISABLED = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of the portal reads the CSRF cookie: forms carry the token in a hidden field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "ocop_portal.views.csrf_failure"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: only the portal's own files run, style and load. No inline script, style attribute or
# style element anywhere in the templates; JSON-LD (type="application/ld+json") is data and is not executed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Photos and logos come from the media bucket's origin when they are on S3-compatible storage.
        "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Browser features no page uses (core.middleware.PermissionsPolicyMiddleware); () means "nobody".
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Sign-in throttling (django-axes, see accounts/throttling.py): after AXES_FAILURE_LIMIT wrong passwords for one
# email from one address, that pair is refused for AXES_COOLOFF_TIME after the last attempt. The public sign-in
# and the admin's share the counter. Attempts are kept in the database, so every app server sees them.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # both sign-in forms name the email field "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The logs name the email and address of each failure and lockout (never the password): staff need them to answer
# "why can't I sign in" and to lift a lock with `manage.py axes_reset_username`.
AXES_SENSITIVE_PARAMETERS = []
# Proxies in front of the app that append to X-Forwarded-For (production runs behind one, see README.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if PRODUCTION else 0)
# The addresses (or networks) of those proxies, as gunicorn reads them: X-Forwarded-For is believed only in a
# request that came from one of them, never from a client that reached the app server directly.
TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

if PRODUCTION:
    # The app runs behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"},
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "pgserver": {"level": "WARNING"},
        # Sign-in failures and lockouts (WARNING), successful sign-ins (INFO).
        "axes": {"level": env_str("LOG_LEVEL", "INFO")},
        "axes.apps": {"level": "WARNING"},  # not the version banner at every command
        # The queue's jobs as they start and end (INFO), not its registration of every task at each start.
        "procrastinate": {"level": env_str("LOG_LEVEL", "INFO")},
        "procrastinate.periodic": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
    },
}
