"""Settings shared by every environment.

Every value that differs between machines is read from the environment through django-environ;
``.env.example`` documents each variable. The environment modules (``local``, ``test``,
``production``) only choose defaults.
"""

from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# --- Core --------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The site's public base URL, for links made outside a request (the certificate's QR code).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_countries",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "institutions",
    "standards",
    "audits",
    "auditors",
    "evidence",
    "reports",
    "reviews",
    "certification",
    "competences",
    "demo",
]

MIDDLEWARE = [
    "rescue.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rescue.memo.RequestMemoMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rescue.urls"
WSGI_APPLICATION = "rescue.wsgi.application"

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
                "accounts.context_processors.two_factor",
                "accounts.context_processors.platform_roles",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)


def postgresql_options(database: dict[str, Any]) -> dict[str, Any]:
    """The connection settings of this workload, for a PostgreSQL database (each settings module
    that defines DATABASES applies it).

    - JIT off for this application's connections only (``DATABASE_JIT``): the pages' queries run
      in milliseconds; on a platform-sized database PostgreSQL's estimates for a few of them pass
      the JIT threshold, and compiling cost 41-74 ms for a query that runs in 2 (bench/pages.py).
    - Prepared statements (``DATABASE_PREPARED_STATEMENTS``): parameters are bound by the server
      and every statement is prepared on its first run on a connection: a persistent connection
      parses a page's queries once, and plans them no more once PostgreSQL keeps a generic plan
      (after five runs, when it is no costlier than the custom ones). PostgreSQL spent about 1 ms
      planning a query that then ran in 0.15 (the audit lists); with it, the pages took
      0.92 of the time, median of 29 (0.81-1.04; bench/pages.py, on and off interleaved).
      Turn it off behind a pooler that cannot keep prepared statements
      (PgBouncer before 1.21, or without ``max_prepared_statements``)."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        jit = "on" if env.bool("DATABASE_JIT", default=False) else "off"
        options["options"] = f"-c jit={jit}"
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            options["server_side_binding"] = True
            options["prepare_threshold"] = 1  # psycopg's; prepared from the first execution
    return database


postgresql_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading a user's permissions in one query (accounts/backends.py).
    # A session names the backend that signed it in: those signed in through Django's own
    # (before this one) are asked to sign in again, once.
    "accounts.backends.ModelBackend",
    # Object permissions (an auditor's access to the audits assigned to them).
    "guardian.backends.ObjectPermissionBackend",
]
# No permission is ever granted to anonymous visitors: guardian needs no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False

# Lockout after repeated failures (django-axes), per account and address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.axes.lockout_username"
AXES_VERBOSE = False

# Two-factor authentication (django-otp, TOTP): required for auditors and ERNST admins.
OTP_TOTP_ISSUER = "RESCUE Audit"
TWO_FACTOR_EXEMPT_URL_NAMES = [
    # The public register and verification answer anyone, signed in or not.
    "public:register",
    "public:certificate",
    "public:verify",
    "certificate-register",
    "certificate-verify",
    "login",
    "logout",
    "two_factor",
    "two_factor_setup",
    "two_factor_verify",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
# Sessions are kept in the database and read through the cache (Redis in production, shared by
# the web replicas): a signed-in page reads its session without a query. Signing out deletes
# both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# E-mails sent on request (password reset, invitations): at most EMAIL_RATE_PER_ADDRESS to one
# address and EMAIL_RATE_PER_CLIENT asked from one client address (django-ratelimit rates, e.g.
# "3/h"), counted in the "ratelimit" cache. Behind a proxy, RATELIMIT_IP_META_KEY names the
# request header that holds the client's address (e.g. HTTP_X_REAL_IP).
EMAIL_RATE_PER_ADDRESS = env("EMAIL_RATE_PER_ADDRESS", default="3/h")
EMAIL_RATE_PER_CLIENT = env("EMAIL_RATE_PER_CLIENT", default="20/h")
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default=None)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Languages an institution may prefer for its reports and correspondence.
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("ro", "Romanian"),
    ("el", "Greek"),
    ("sl", "Slovenian"),
    ("hr", "Croatian"),
    ("cs", "Czech"),
    ("sk", "Slovak"),
    ("hu", "Hungarian"),
    ("fi", "Finnish"),
    ("sv", "Swedish"),
    ("da", "Danish"),
    ("no", "Norwegian"),
    ("et", "Estonian"),
    ("lv", "Latvian"),
    ("lt", "Lithuanian"),
    ("bg", "Bulgarian"),
    ("tr", "Turkish"),
    ("he", "Hebrew"),
    ("sr", "Serbian"),
]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Uploaded files are never served from a public URL: downloads go through permission-checked views.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security defaults (tightened further in production) ---------------------------------------
# Content Security Policy (django-csp): same-origin resources only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="RESCUE Audit <no-reply@localhost>")

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# An unacknowledged task (its worker died) is delivered again after the visibility timeout; it
# must exceed the hard time limit, or a long task would run twice (one file still, but wasted
# work, and a report task killed at the hard limit would not be told apart from its redelivery).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic tasks, sent by Celery beat (the `beat` service of docker-compose.yml). A run no worker
# took before the next one is due is dropped: the next does the same work.
REPORTS_RECOVER_INTERVAL = env.int("REPORTS_RECOVER_INTERVAL", default=300)
CELERY_BEAT_SCHEDULE = {
    # Reports left queued or rendering longer than a task may run get their task sent again.
    "reports-recover": {
        "task": "reports.tasks.reports_recover_task",
        "schedule": REPORTS_RECOVER_INTERVAL,
        "options": {"expires": REPORTS_RECOVER_INTERVAL},
    },
    # Certificates past their validity expire; those whose conditions were not closed in time
    # are suspended. Hourly: each run changes only what is due, so running twice is harmless.
    "certificates-expire": {
        "task": "certification.tasks.certificates_expire_task",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    "conditions-enforce": {
        "task": "certification.tasks.conditions_enforce_task",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
}

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Bounded limit and offset; out of bounds is a 400 (rescue/api/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "rescue.api.pagination.ApiPagination",
    # Every operation's error answers are stated in the schema (rescue/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "rescue.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "rescue.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RESCUE Audit API",
    "DESCRIPTION": "Certification of second-victim support: standards catalogue, audits, evidence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request bodies get components of their own, so that a file field is binary (an upload)
    # there and not the URL it reads as in an answer.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name for the language choices shared by institutions and reports.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "django.conf.settings.LANGUAGES",
        "AuditStatusEnum": "audits.models.Audit.Status",
        "ReportStatusEnum": "reports.models.Report.Status",
        "ReportKindEnum": "reports.models.Report.Kind",
        "RatingEnum": "audits.models.StandardAssessment.Rating",
        "MemberRoleEnum": "institutions.models.Membership.Role",
        "ReviewRoleEnum": "reviews.models.AuditorAssignment.Role",
        "ReviewStateEnum": "reviews.models.AuditorAssignment.State",
        "FindingKindEnum": "reviews.models.Finding.Kind",
        "FindingGradeEnum": "reviews.models.Finding.Grade",
        # The level applied for and the level recommended: one enum, the name clients know.
        "TargetLevelEnum": "standards.choices.InterventionLevel",
        # The lead's recommendation and the decision share their choices.
        "CertificationOutcomeEnum": "certification.models.Decision.Outcome",
        "CommentOutcomeEnum": "reviews.models.ReportComment.Outcome",
        "CertificateStatusEnum": "certification.models.Certificate.Status",
        "AppealStateEnum": "certification.models.Appeal.State",
        "AppealOutcomeEnum": "certification.models.Appeal.Outcome",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rescue.api.schema.schema_links",
    ],
}

# --- Evidence uploads ----------------------------------------------------------------------------
EVIDENCE_MAX_FILE_SIZE = env.int("EVIDENCE_MAX_FILE_MB", default=50) * 1024 * 1024
# Every upload streams to a temporary file with its SHA-256 computed on the way (bounded memory).
FILE_UPLOAD_HANDLERS = ["evidence.uploads.HashingUploadHandler"]

# --- Product -----------------------------------------------------------------------------------
# seed_demo creates accounts with known passwords: allowed only where this is True.
DEMO_SEED_ALLOWED = env.bool("DEMO_SEED_ALLOWED", default=False)
CATALOGUE_DIR = BASE_DIR / "fixtures" / "catalogue"
# The public register and verification pages and API: requests a minute per user or address.
CERTIFICATE_PUBLIC_RATE = env.str("CERTIFICATE_PUBLIC_RATE", default="60/m")
# The institution's right of reply: days from the release of the draft audit report.
REVIEW_REPLY_WINDOW_DAYS = env.int("REVIEW_REPLY_WINDOW_DAYS", default=14)
# The institution may appeal a certification decision this many days after it.
APPEAL_WINDOW_DAYS = env.int("APPEAL_WINDOW_DAYS", default=30)
# A certificate's renewal audit may start this many months before its expiry.
RENEWAL_WINDOW_MONTHS = env.int("RENEWAL_WINDOW_MONTHS", default=6)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # PDF rendering logs every step and every font subset at INFO: keep warnings only.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
