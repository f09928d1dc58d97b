"""Settings for the service-hall portal.

Every value comes from the environment, with embedded defaults that need no server: SQLite for the
database and a filesystem broker for Celery. `portal.settings_production` hardens these for deployment.
"""

from pathlib import Path

import environ
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    """A key generated once per checkout and kept out of the repository, for the embedded mode only."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "portal",
    "items",
    "licences",
    "applications",
    "intermediaries",
    "approvals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.ClientAddressMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, and IMMEDIATE
    # transactions take the write lock up front, so a busy file waits instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "home"

# Idle timeout: the session lives SESSION_IDLE_MINUTES past the last request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling and lockout, for the page login and the API token endpoint alike.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

# --- Language and time --------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party front-end packages are installed from the npm registry into node_modules by `make`.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names; production also pre-compresses them (settings_production), which takes a minute.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Licence signing keys and certificates (licences/signing.py): never in MEDIA_ROOT, never in the repository.
LICENCE_SIGNING_DIR = Path(env.str("LICENCE_SIGNING_DIR", default=str(VAR_DIR / "signing")))
# The embedded defaults make a demo CA and department certificates when a department has none (licences/pki.py);
# production refuses to sign without the certificates it was given (settings_production.py).
LICENCE_DEMO_PKI = env.bool("LICENCE_DEMO_PKI", default=True)
# Art. 50: renewal is due 30 days before a licence expires. The holder is reminded these many days before expiry:
# a month ahead of that deadline, and on the last day a renewal still counts as in time.
LICENCE_EXPIRY_REMIND_DAYS = (60, 30)
# Art. 44: the issuing department is reminded this many working days before the delivery deadline.
LICENCE_DELIVERY_REMIND_DAYS = 2
WHITENOISE_USE_FINDERS = DEBUG

# --- Security headers ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- API ----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "portal.errors.api_exception_handler",
    # The client's address is REMOTE_ADDR alone (as portal.middleware): a client's own X-Forwarded-For must not
    # pick its throttle bucket.
    "NUM_PROXIES": 0,
    # licence_verify: the public licence check (by number and holder code, or an uploaded PDF) per address.
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min", "licence_verify": "30/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政务服务大厅 API",
    "DESCRIPTION": "The service-hall portal's API: catalogue, applications, approvals, licences, intermediaries.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TopicKindEnum": "items.models.Topic.Kind",
        "BundleKindEnum": "items.models.Bundle.Kind",
        "ServiceObjectEnum": "items.models.ServiceObject",
        "VersionStatusEnum": "items.models.VersionStatus",
        "ApplicationStatusEnum": "applications.models.Status",
        "ApplicantKindEnum": "applications.models.ApplicantKind",
        "MaterialStatusEnum": "applications.models.MaterialStatus",
        "NoticeKindEnum": "applications.models.Notice.Kind",
        "ChannelEnum": "applications.models.Channel",
        "CaseStatusEnum": "approvals.models.CaseStatus",
        "TaskStatusEnum": "approvals.models.TaskStatus",
        "DecisionModeEnum": "approvals.models.DecisionMode",
        "PauseKindEnum": "approvals.models.Pause.Kind",
        "ExtensionStatusEnum": "approvals.models.Extension.Status",
        "OpinionKindEnum": "approvals.models.Opinion.Kind",
        "LicenceStatusEnum": "licences.models.Status",
        "DeliveryMethodEnum": "licences.models.DeliveryMethod",
        "HolderCodeTypeEnum": "licences.models.HolderCodeType",
    },
}

# --- Background work ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# A publish to a broker that is down fails at once (max_retries 0) instead of retrying for seconds: the outbox
# keeps the row and the beat relay retries, so no request waits on the broker. Workers keep their own retries.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"max_retries": 0}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_connect_timeout": 2, "socket_timeout": 10}
else:
    # The embedded broker: messages are files in var/broker, shared by every process of this checkout.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (remote control) messages; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# The cache carries progress of background work between processes: Redis when there is one, else files.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publish from the request's on-commit hook; the beat relay picks up whatever that could not publish.
OUTBOX_PUBLISH_ON_COMMIT = env.bool("OUTBOX_PUBLISH_ON_COMMIT", default=True)
OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "portal.outbox_relay", "schedule": OUTBOX_RELAY_SECONDS},
    "outbox-purge": {"task": "portal.outbox_purge", "schedule": 24 * 3600.0},
    "audit-purge": {"task": "portal.audit_purge_expired", "schedule": 24 * 3600.0},
    # Intake: deemed acceptance, lapsed supplements, overdue 容缺 (cheap when nothing is due).
    "intake-sweep": {"task": "applications.intake_sweep", "schedule": 15 * 60.0},
    "appointment-slots": {"task": "applications.slots_ensure", "schedule": 6 * 3600.0},
    "appointment-no-shows": {"task": "applications.appointments_mark_no_shows", "schedule": 10 * 60.0},
    # Review: deemed approval (超时默许) and due-date reminders (cheap when nothing is due).
    "review-sweep": {"task": "approvals.review_sweep", "schedule": 15 * 60.0},
    # Licences: delivery deadlines (Art. 44), expiry reminders (Art. 50), deemed renewal, PDFs still missing.
    "licence-sweep": {"task": "licences.sweep", "schedule": 60 * 60.0},
}

# --- Notifications ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
if env.str("EMAIL_URL", default=""):  # e.g. smtp+tls://user:password@smtp.example.gov.cn:587
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="政务服务大厅 <noreply@zwfw.example.gov.cn>")
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.FileSMSBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))

# --- Portal -------------------------------------------------------------------------------------------
PORTAL_CITY = env.str("PORTAL_CITY", default="湖州市")
# The portal's public address, for links that leave it without a request (QR codes on PDFs, emails).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}
CALENDAR_CACHE_SECONDS = env.int("CALENDAR_CACHE_SECONDS", default=60)
AXES_LOCKOUT_CALLABLE = "portal.views.lockout_response"
PORTAL_DEMO_DATA = env.bool("PORTAL_DEMO_DATA", default=True)

# --- Intake (local practice, DOMAIN.md §4: settings with these defaults) ---------------------------------
INTAKE_GREEN_CHANNEL_GRADES = env.list("INTAKE_GREEN_CHANNEL_GRADES", default=["AAA"])
INTAKE_EXCLUDED_GRADES = env.list("INTAKE_EXCLUDED_GRADES", default=["C", "D"])
INTAKE_INTERVIEW_AFTER = env.int("INTAKE_INTERVIEW_AFTER", default=3)  # sent back more than this → 约谈
INTAKE_SUPPLEMENT_RESPONSE_DAYS = env.int("INTAKE_SUPPLEMENT_RESPONSE_DAYS", default=20)  # working days
INTAKE_MAX_FILES = env.int("INTAKE_MAX_FILES", default=100)  # files per application
# Above the per-application limit, so the service (not the request parser) refuses with a clear message.
DATA_UPLOAD_MAX_NUMBER_FILES = INTAKE_MAX_FILES + 10
INTAKE_MAX_IMAGE_PIXELS = env.int("INTAKE_MAX_IMAGE_PIXELS", default=40_000_000)
# Public pages anyone may post to: at most (count, per seconds) POSTs from one address.
PUBLIC_POST_LIMITS = {"kiosk": (20, 60), "check_in": (10, 60), "track": (20, 60), "licence_verify": (20, 60)}
APPOINTMENT_WEEKEND_SLOTS = env.bool("APPOINTMENT_WEEKEND_SLOTS", default=False)
APPOINTMENT_DAYS_AHEAD = env.int("APPOINTMENT_DAYS_AHEAD", default=14)

# --- Review (DOMAIN.md §1, §5) -------------------------------------------------------------------------
REVIEW_REMIND_BEFORE_DAYS = env.int("REVIEW_REMIND_BEFORE_DAYS", default=2)  # working days before a task's due date
