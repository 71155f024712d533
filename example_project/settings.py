"""Settings of the example project.

Defaults need no server: SQLite and Celery tasks run in-process. The environment switches to
real services and production settings:

``DATABASE_URL``           ``postgres://user@127.0.0.1:5432/name``
``CELERY_BROKER_URL``      ``redis://127.0.0.1:6379/0``; tasks then go to a real worker
``DJANGO_PRODUCTION``      ``1`` turns on secure cookies, HSTS and the other deploy settings
``DJANGO_SECRET_KEY``      required when ``DJANGO_PRODUCTION`` is set
``DJANGO_CACHE_URL``       ``redis://127.0.0.1:6379/1``; the shared cache for rate limits
``DJANGO_ADMIN_OTP``       ``1`` lets only OTP-verified staff into the admin
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from django_datarights.schedule import beat_schedule

from .database import database_from_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("EXAMPLE_VAR_DIR", BASE_DIR.parent / "var"))

PRODUCTION = os.environ.get("DJANGO_PRODUCTION") == "1"

# The fallback key is for local demos only; production must set DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "" if PRODUCTION else "example-project-insecure-key-for-local-demo-only-not-for-production"
)
if PRODUCTION and not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is missing: set it when DJANGO_PRODUCTION=1.")
DEBUG = not PRODUCTION
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_datarights",
    "example_project.shop",
    "example_project.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "example_project.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # AxesMiddleware turns a lockout into the lockout response; it goes last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Encrypted export archives, kept apart from public media and never served by URL.
    "datarights": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "archives"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Rate-limit counters (django_datarights.ratelimit) must be shared by every process, so
# production points DJANGO_CACHE_URL at Redis (redis://127.0.0.1:6379/1). Without it Django's
# per-process local-memory cache is used, and check --deploy warns (datarights.W040).
if os.environ.get("DJANGO_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["DJANGO_CACHE_URL"],
        }
    }

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = "privacy@example.invalid"
ADMINS = [("Site operators", "operators@example.invalid")]

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BEAT_SCHEDULE = beat_schedule()
CELERY_TIMEZONE = TIME_ZONE

# --- django-axes: lock out after 5 failures per username, whatever the IP address -----------
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# "radomir", "RADOMIR" and Radomir's email address all count against the account "radomir".
AXES_USERNAME_CALLABLE = "django_datarights.reauth.axes.normalise_username"
# The client address is REMOTE_ADDR only, so a forged X-Forwarded-For changes nothing. Behind a
# reverse proxy, set AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# with AXES_IPWARE_PROXY_COUNT (proxies in front of Django) and AXES_IPWARE_PROXY_TRUSTED_IPS;
# see docs/security.md.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# axes.W006 asks for "ip_address" in AXES_LOCKOUT_PARAMETERS. Locking per username alone is
# deliberate: guesses against one account from many addresses still share one budget, and a
# shared address (an office NAT) cannot lock out everyone behind it. The cost, that anyone can
# lock an account for AXES_COOLOFF_TIME, is accepted and stated in SECURITY.md.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- django-datarights ----------------------------------------------------------------------
DATARIGHTS_SITE_NAME = "Example Shop"
DATARIGHTS_BASE_URL = os.environ.get("DATARIGHTS_BASE_URL", "http://127.0.0.1:8000")
# Users set up a TOTP authenticator here; sudo mode requires one when
# DJANGO_REQUIRE_SECOND_FACTOR=1 (always in production).
DATARIGHTS_OTP_SETUP_URL = "accounts:otp_setup"
DATARIGHTS_REQUIRE_SECOND_FACTOR = (
    PRODUCTION or os.environ.get("DJANGO_REQUIRE_SECOND_FACTOR") == "1"
)
# Sent on every response by example_project.middleware: no inline script or style, nothing
# loaded from other origins, no framing.
EXAMPLE_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DATARIGHTS_DELETION_GRACE_PERIOD = timedelta(
    seconds=float(os.environ.get("DATARIGHTS_GRACE_SECONDS", 120))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django_datarights": {"handlers": ["console"], "level": "INFO"},
        "example_project": {"handlers": ["console"], "level": "INFO"},
    },
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    DATARIGHTS_ARCHIVE_KEYS = [k for k in os.environ.get("DATARIGHTS_ARCHIVE_KEYS", "").split(",") if k]
    DATARIGHTS_PSEUDONYM_KEY = os.environ.get("DATARIGHTS_PSEUDONYM_KEY", "")
