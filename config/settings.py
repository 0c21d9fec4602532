"""Django settings. Every value that differs between machines comes from the
environment, read here and nowhere else (see README, "Configuration").

With nothing set, the project runs on the embedded default: an SQLite file and
Celery's filesystem broker, both under ``var/``.
"""

import datetime
import hashlib
import logging
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import Env, parse_database_url, parse_email_url, sqlite_database
from config.logs import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (50 or more random characters).")
    SECRET_KEY = "development-only-key-never-use-in-production-salon-0123456789"  # noqa: S105 (DEBUG only)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
HTTPS = SITE_URL.startswith("https://")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "config.apps.SalonAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    # Domain apps, in the order they may depend on each other.
    "salon.apps.SalonConfig",
    "routines.apps.RoutinesConfig",
    "clients.apps.ClientsConfig",
    "sessions.apps.TreatmentsConfig",
    "manager.apps.ManagerConfig",
    "online.apps.OnlineConfig",
    "reports.apps.ReportsConfig",
    # The installation: operator commands and housekeeping.
    "config.apps.ProjectConfig",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files need no policy of their own. django-csp's,
    # building each policy once rather than per response.
    "config.middleware.BuiltOnceCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, reading the verified device by a compiled query.
    "config.middleware.CompiledDeviceOTPMiddleware",
    # After authentication: a signed-in member of staff reads their own language.
    "salon.middleware.LanguageMiddleware",
    "salon.middleware.StaffSignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Below django-csp's and the clickjacking middleware: the booking pages
    # may be framed by the salon's own sites (its answer is marked first).
    "online.embedding.BookingFrameMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "salon.middleware.RequestGuardMiddleware",
    "salon.middleware.SalonTimeZoneMiddleware",
    "salon.middleware.DomainErrorPageMiddleware",
    "salon.middleware.NoStoreMiddleware",
    # Last, so it sees the lockout that the authentication backend flagged.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "salon.context_processors.roles",
                "salon.context_processors.locations",
                "salon.context_processors.site_urls",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

database_url = env.str("DATABASE_URL")
DATABASES = {
    "default": parse_database_url(database_url) if database_url else sqlite_database(VAR_DIR / "salon.sqlite3"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the Celery worker started by the integration tests is
    # a separate process and must see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-salon.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# Holds the sign-in throttles' counts and small cached values. Each process
# has its own memory cache by default; with several web workers set
# CACHE_URL=redis://... so that a limit holds across all of them.

cache_url = env.str("CACHE_URL")
if cache_url and not cache_url.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL; got {cache_url!r}.")
# Remembered answers describe one database: two deployments sharing a Redis
# (staging beside production) must never read each other's, so keys start
# with a digest of the database unless CACHE_KEY_PREFIX says otherwise.
_database = DATABASES["default"]
cache_key_prefix = (
    env.str("CACHE_KEY_PREFIX")
    or hashlib.sha256(
        f"{_database.get('HOST', '')}:{_database.get('PORT', '')}/{_database['NAME']}".encode()
    ).hexdigest()[:12]
)
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisCache", "LOCATION": cache_url, "KEY_PREFIX": cache_key_prefix}
        if cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # This process's own memory, for values whose key says when they are
    # stale (remembered free times: sessions.availability_cache), so that a
    # worker answers the question it answered a moment ago without asking
    # Redis. Its values are shared, not copied: never change one.
    "process": {
        "BACKEND": "config.cache.ProcessMemoryCache",
        "LOCATION": "process",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# --- Accounts -------------------------------------------------------------

AUTH_USER_MODEL = "salon.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every attempt, right or wrong, while a lockout lasts.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Signing in (README, "Security") ---------------------------------------
# A username, and separately an address, is locked out after this many
# failed sign-ins (pages and the API token endpoint together) until the
# lockout ends or a manager lifts it (Manage, the staff page). A salon whose staff share
# one address should keep the limit above what one clumsy morning produces.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more.")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salon.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "salon.signin.client_address"
# Axes logs each attempt itself; salon.signin logs them without passwords.
AXES_VERBOSE = False

# A staff session ends this long after signing in, whatever happens in
# between: a desk or tablet left signed in does not stay open overnight.
STAFF_SESSION_HOURS = env.int("STAFF_SESSION_HOURS", default=10)
# An API token ends after this long without use; a password change,
# deactivation or its owner revoking it ends it at once.
API_TOKEN_IDLE_HOURS = env.int("API_TOKEN_IDLE_HOURS", default=10)
if STAFF_SESSION_HOURS < 1 or API_TOKEN_IDLE_HOURS < 1:
    raise ImproperlyConfigured("STAFF_SESSION_HOURS and API_TOKEN_IDLE_HOURS must be 1 or more.")
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 60 * 60
# Database sessions, read by a query compiled once (salon.session_store).
SESSION_ENGINE = "salon.session_store"
# An invitation to set a password (a new member of staff) works this many
# days, and only until a password is set.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
if not 1 <= INVITATION_DAYS <= 60:
    raise ImproperlyConfigured("INVITATION_DAYS must be between 1 and 60.")
# Online requests (holds, waitlist entries) that send their link by SMS, at
# most this many a day at a location: each text costs the salon, and the
# forms are open to anyone. After that, the forms ask for an email address.
ONLINE_SMS_LINKS_PER_DAY = env.int("ONLINE_SMS_LINKS_PER_DAY", default=200)
if ONLINE_SMS_LINKS_PER_DAY < 0:
    raise ImproperlyConfigured("ONLINE_SMS_LINKS_PER_DAY must be 0 or more (0: never by SMS).")
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_IDLE_HOURS),
    "AUTO_REFRESH": True,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 20,
}
# Names the authenticator app shows beside the code.
OTP_TOTP_ISSUER = "Salon"
# The admin never shows an authenticator's secret or its QR code: whoever
# saw it could make that person's codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Time and language ----------------------------------------------------

# Pages, emails and texts speak the reader's language (README, "Languages"):
# staff choose theirs, clients have one on their record, each location has a
# default. salon.middleware.LanguageMiddleware picks it per request; there is
# no language prefix in the addresses.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("Deutsch"))]
# The project's own catalogue (config/ and strings shared by apps); each app
# keeps its catalogue in <app>/locale/, which Django finds by itself.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers are shown and read in the page's language; our
# English keeps the day first and a 24-hour clock (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site's root, such as /favicon.ico, which browsers ask
# for on every page that does not name an icon (the API, the admin).
WHITENOISE_ROOT = BASE_DIR / "config" / "root_files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------

globals().update(parse_email_url(env.str("EMAIL_URL", default="consolemail://")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Salon <salon@localhost>")
# An http(s) URL posts SMS as JSON to a gateway; anything else logs them.
SMS_URL = env.str("SMS_URL", default="console://")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------
# Behind HTTPS (SITE_URL starts with https://) cookies are secure, HTTP is
# redirected and browsers are told to stay on HTTPS.

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not DEBUG
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS and not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # Only safe when the proxy in front always sets (or strips) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Lax keeps other sites' posts from carrying the session; the client intake
# form relies on it (see clients/views.py).
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every page (django-csp). Scripts and style
# sheets come only from this site's files: no inline <script>, no on...=
# handlers, no <style> elements, no eval (htmx is told so in base.html).
# Style *attributes* are allowed (style-src-attr): a routine's timeline
# sizes each step by its minutes in one (a number only), and an
# attribute cannot select other elements, load anything that img-src and
# font-src refuse, or run code. img-src takes data: for the icons in the
# Swagger UI's and the admin's style sheets. frame-ancestors 'none' is the
# modern X-Frame-Options: DENY.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------

# The largest request body, pages and API alike (Django's default); over it
# the answer is a 413 (salon.middleware.RequestGuardMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous calls a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "salon.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "salon.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salon.rest.exception_handler",
    # DRF's own, but a deep, huge or NUL-holding JSON body is a 400/413, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "salon.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DATETIME_FORMAT": "iso-8601",
    # Rates for the endpoints that anyone may call (salon.signin, the client
    # links): enough for a person, too few for a script guessing.
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": "20/min",
        "client_link": "30/min",
        # Online booking (online.throttles): reading the menu and the free
        # times, holding a time (each sends an email), confirming one, and
        # holds asked for one email address or phone number from anywhere.
        "online_read": "60/min",
        "online_hold": "10/min",
        "online_confirm": "20/min",
        "online_contact": "5/hour",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Salon API",
    "DESCRIPTION": (
        "Booking and session management for massage salons.\n\n"
        "Dates are `YYYY-MM-DD` and date-times ISO 8601 **with an offset** (`2025-03-01T10:00:00+01:00` or "
        "`...Z`). A date-time without an offset is refused (400, code `naive_datetime`) rather than guessed; "
        "dates outside the years 1900 to 2200 and offsets beyond ±15:59 are refused too. "
        "Every error has the shape `{code, detail, fields}`; a body over the size limit is a 413."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "salon.schema.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "BodyAreaEnum": "routines.models.BodyArea",
        "PressureEnum": "routines.models.Pressure",
        "PositionEnum": "routines.models.Position",
        "QualificationEnum": "routines.models.Qualification",
        "SideEnum": "routines.models.Side",
        "ChannelEnum": "clients.models.Client.Channel",
    },
}

# --- Celery ---------------------------------------------------------------

# A host name, though the filesystem transport ignores it, keeps kombu from
# warning "No hostname was supplied" in every process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
    CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
    for folder in (CELERY_QUEUE_DIR, CELERY_CONTROL_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        # Without it kombu writes its exchange tables to ./control in whatever
        # folder the process started in.
        "control_folder": str(CELERY_CONTROL_DIR),
        "store_processed": False,
        # Kombu looks at the folder once a second by default, and with
        # prefetch 1 a busy worker waits that long between tasks.
        "polling_interval": 0.1,
    }
else:
    # acks_late: a task not acknowledged within this time is redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker is down (Redis restarted, a network blip) keeps
# trying, waiting a little longer each time, instead of exiting after 100
# tries and leaving reminders unsent until someone notices.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A notification claimed or being sent is handed out again after this long,
# on the assumption that its worker died; it must exceed the longest send
# (EMAIL_TIMEOUT and the SMS gateway's timeout are 10 s).
NOTIFICATION_LEASE_SECONDS = 600
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes the database connection around every task unless this is set;
# with it, it closes one every thousand tasks, and in between the connection
# is kept or dropped as for a web request (config/celery.py).
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The schedule is static: every periodic job is listed here, nothing is added
# at run time.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-login-sessions": {
        "task": "salon.tasks.login_sessions_clear_expired",
        "schedule": 6 * 60 * 60,
    },
    "dispatch-due-notifications": {
        "task": "sessions.tasks.notifications_dispatch",
        "schedule": 60,
    },
    "expire-online-booking-holds": {
        "task": "sessions.tasks.booking_holds_expire",
        "schedule": 60,
    },
    "expire-waitlist-offers": {
        "task": "sessions.tasks.waitlist_expire",
        "schedule": 60,
    },
    "purge-old-health-data": {
        "task": "clients.tasks.health_data_purge_all",
        "schedule": 24 * 60 * 60,
    },
    "back-up-the-database": {
        "task": "config.tasks.database_back_up",
        "schedule": 24 * 60 * 60,
    },
}

# --- Backups --------------------------------------------------------------
# `manage.py backup` and the daily beat entry copy the embedded SQLite
# database here; the oldest copies beyond BACKUP_KEEP are deleted. PostgreSQL
# is backed up with pg_dump (README, "Backups").

BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured(f"BACKUP_KEEP must be 1 or more; got {BACKUP_KEEP}.")

# --- Demo -----------------------------------------------------------------

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="salon-demo")

# --- Logging and error reporting -----------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.choice("LOG_FORMAT", LOG_FORMATS, default="plain")
LOGGING = logging_config(level=LOG_LEVEL, log_format=LOG_FORMAT)
if LOG_FORMAT == "json":
    # Python's warnings otherwise go to stderr as bare text lines.
    logging.captureWarnings(True)

SENTRY_DSN = env.str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
if SENTRY_DSN:
    from config.observability import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Every environment variable the settings read; tests compare the README,
# .env.example and docker-compose.yml with it.
ENVIRONMENT_VARIABLES = frozenset(env.names)
