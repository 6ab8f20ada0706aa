"""Settings for the NGO project portfolio.

Every value that changes between machines is read from the environment (or a
``.env`` file beside ``manage.py``) through django-environ; see ``.env.example``.
"""

from datetime import timedelta
from decimal import Decimal
from email.utils import getaddresses
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def env_or(name: str, default: str) -> str:
    """Return a variable's value, or ``default`` when it is unset or empty.

    ``.env.example`` lists every variable, some empty; a copy of it must start the site.
    """
    return env.str(name, default="") or default


# A development key is only acceptable while DEBUG is on; production refuses to start.
DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105 - only used with DEBUG on
# An empty value counts as unset: .env.example ships with "SECRET_KEY=".
SECRET_KEY = env_or("SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Seconds a shared preview link opens a draft's page (core/preview.py); a week by default.
PREVIEW_LINK_MAX_AGE = env.int("PREVIEW_LINK_MAX_AGE", default=7 * 24 * 60 * 60)

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_prose_editor",
    "adminsortable2",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "core",
    "accounts",
    "simple_history",
    "partners",
    "portfolio",
    "donations",
    "news",
    "results",
    "places",
    "api",
    "privacy",
    "iati",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and languages: a cached page needs neither (see core.pagecache).
    "core.pagecache.PageCacheMiddleware",
    # After the page cache: what it keeps has its maps' land (places.maps.with_land).
    "places.middleware.MapLandMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff who must use a second factor reach no admin page before giving it.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a refused login of a locked-out account or address into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portfolio.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Where the admin is served ("admin/" by default); another path keeps it out of scanners' lists.
ADMIN_URL = env_or("ADMIN_URL", "admin/").strip("/") + "/"

# Database: SQLite file under the git-ignored var/ by default; PostgreSQL in production.
VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": env.db_url_config(env_or("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Every request is a transaction that may read before it writes; begun deferred, a
    # second writer could not wait for the first and would fail ("database is locked").
    # Begun immediate, writers queue (for up to `timeout` seconds) instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The small queries pages run after a change, prepared once per connection
    # (core.prepared_statements); off behind a pooler that shares sessions' statements.
    if env.bool("PREPARED_STATEMENTS", default=True):
        from core.prepared_statements import PreparingConnection, PreparingCursor

        DATABASES["default"].setdefault("OPTIONS", {}).update(
            connection_factory=PreparingConnection, cursor_factory=PreparingCursor
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when several app servers share work, local memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portfolio"),
            "OPTIONS": {"CLIENT_CLASS": "core.redis_client.RedisClient"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for the pages of a small site in each process (about 50 KB each).
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Page cache for anonymous visitors (core.pagecache). Its content token must be seen by
# every worker: Redis is shared, a local-memory cache is not, so then the database keeps it.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=True)
# Fragments of pages kept across funding changes (core/fragments.py); only with Redis.
FRAGMENT_CACHE_ENABLED = env.bool("FRAGMENT_CACHE", default=True)
PAGE_CACHE_STATE = "cache" if REDIS_URL else "database"
# Seconds a CDN or proxy may serve a public page without asking again (0: always ask).
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=0)
PAGE_CACHE_SKIP_PREFIXES = (f"/{ADMIN_URL}", "/static/", "/media/", "/healthz")
# The query parameters public pages understand (filters, search, pages, sitemap pages).
# The API's too: its language, page size, partner kind and project.
PAGE_CACHE_QUERY_PARAMETERS = {
    *("q", "region", "sector", "partner", "status", "page", "p"),
    *("lang", "page_size", "kind", "project"),
}

# Argon2 for new and changed passwords; older hashes still work and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords, the account
# and the address they came from are locked for LOGIN_COOLOFF_MINUTES; a right password
# is refused meanwhile. `manage.py axes_reset_username <name>` unlocks an account early.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=60))
# Either is enough to lock: one account tried from many addresses, or one address trying
# many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The visitor's address is read the way the pledge rate limits read it (never from a
# header the visitor could set, unless the operator names one their proxy sets).
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Failures only expire with the cool-off: a right password does not wipe an address's
# record, so one known account cannot be used to keep guessing others.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

# Second factor (django-otp): time-based codes, plus single-use recovery codes.
OTP_TOTP_ISSUER = env.str("ORGANISATION_NAME", default="Monde par la Main")
# Groups whose members must use a second factor (superusers always must).
SECOND_FACTOR_GROUPS = ["Finance"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages are fixed in code: adding one means settings, a migration and a catalogue.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr", "en"), "fr": ("en",)}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Montreal"
USE_I18N = True
USE_TZ = True

# modeltranslation's tabbed admin loads jQuery UI from a local copy, never another host.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# Where `manage.py backup` writes its folders (keep copies elsewhere too; see README).
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_or(
            "STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Uploads above this stay on disk instead of memory; images are capped separately.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

# Email: console in development, SMTP (or any backend URL) from EMAIL_URL in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Monde par la Main <noreply@localhost>")
SERVER_EMAIL = env_or("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who receives error reports: "Name <address>, Other <address>".
ADMINS = getaddresses(env.list("ADMINS", default=[]))
# Seconds before a stalled mail server gives up, so a request never hangs on it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# The organisation and its money.
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Monde par la Main")
DEFAULT_CURRENCY = "CAD"
# IATI data (iati/): who publishes it. The reference is the organisation's IATI identifier
# (an agency prefix from org-id.guide, then its number there); the demo value below is
# not a real charity's. Activity identifiers start with IATI_IDENTIFIER_PREFIX.
IATI_REPORTING_ORG_REF = env_or("IATI_REPORTING_ORG_REF", "CA-CRA_ACR-000000000RR0001")
# IATI OrganisationType code: 21 is an international NGO.
IATI_REPORTING_ORG_TYPE = env_or("IATI_REPORTING_ORG_TYPE", "21")
IATI_REPORTING_ORG_NAME_FR = env_or("IATI_REPORTING_ORG_NAME_FR", ORGANISATION_NAME)
IATI_REPORTING_ORG_NAME_EN = env_or("IATI_REPORTING_ORG_NAME_EN", ORGANISATION_NAME)
IATI_IDENTIFIER_PREFIX = env_or("IATI_IDENTIFIER_PREFIX", IATI_REPORTING_ORG_REF)
# Agency prefixes of org-id.guide an organisation identifier may start with (rule 1.14.8).
IATI_ORG_ID_PREFIXES = env.list(
    "IATI_ORG_ID_PREFIXES",
    default=["CA-CRA_ACR", "CA-CC", "CA-BN", "XM-DAC", "XI-IATI", "IN-MCA", "NP-SWC", "BD-NAB"],
)
# Severities of the IATI Standard Ruleset that keep an activity out of the published data.
IATI_BLOCKING_SEVERITIES = env.list("IATI_BLOCKING_SEVERITIES", default=["error", "warning"])
PLEDGE_MIN_AMOUNT = Decimal(env.str("PLEDGE_MIN_AMOUNT", default="5"))
PLEDGE_MAX_AMOUNT = Decimal(env.str("PLEDGE_MAX_AMOUNT", default="50000"))
# Pledges: a confirmation link lives 7 days; a person needs a few seconds to fill the form;
# rates are django-ratelimit's "count/period" (s, m, h, d), counted in the cache.
PLEDGE_CONFIRMATION_MAX_AGE = 7 * 24 * 60 * 60
PLEDGE_MIN_FILL_SECONDS = 3
PLEDGE_RATE_PER_IP = env.str("PLEDGE_RATE_PER_IP", default="20/h")
PLEDGE_RATE_PER_EMAIL = env.str("PLEDGE_RATE_PER_EMAIL", default="5/h")
# The donor's page: a sign-in link sent by email, valid this many seconds.
DONOR_LINK_MAX_AGE = env.int("DONOR_LINK_MAX_AGE", default=60 * 60)
DONOR_LINK_RATE_PER_IP = env.str("DONOR_LINK_RATE_PER_IP", default="20/h")
DONOR_LINK_RATE_PER_EMAIL = env.str("DONOR_LINK_RATE_PER_EMAIL", default="3/h")
# Official donation receipts (Canada Revenue Agency): the charity as registered, where
# receipts are issued, and who signs them. Demo values stand in while DEBUG is on; a
# production start refuses empty ones (see donations.checks).
CHARITY_NAME = env_or("CHARITY_NAME", ORGANISATION_NAME if DEBUG else "")
DEMO_CHARITY_ADDRESS = "1234, rue Sainte-Catherine Ouest, Montréal (Québec) H3G 1P1"
CHARITY_ADDRESS = env_or("CHARITY_ADDRESS", DEMO_CHARITY_ADDRESS if DEBUG else "")
CHARITY_REGISTRATION_NUMBER = env_or(
    "CHARITY_REGISTRATION_NUMBER", "123456789RR0001" if DEBUG else ""
)
RECEIPT_PLACE_OF_ISSUE = env_or("RECEIPT_PLACE_OF_ISSUE", "Montréal (Québec)" if DEBUG else "")
RECEIPT_SIGNATURE_IMAGE = env_or(
    "RECEIPT_SIGNATURE_IMAGE",
    str(BASE_DIR / "donations" / "receipt_assets" / "demo-signature.png") if DEBUG else "",
)
RECEIPT_SIGNATORY = env_or(
    "RECEIPT_SIGNATORY", "Camille Tremblay, trésorière / Treasurer" if DEBUG else ""
)
# Where donors write to see or erase what we hold about them (shown in the privacy notice).
# Field updates are emailed to supporters while they are this many days old at most.
NEWS_MAX_AGE_DAYS = env.int("NEWS_MAX_AGE_DAYS", default=14)
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="privacy@localhost")
# The person in charge of the protection of personal information (Québec's Law 25),
# named with a way to reach them in every page's footer and in the privacy notice.
PRIVACY_OFFICER_NAME = env.str("PRIVACY_OFFICER_NAME", default="")
PRIVACY_OFFICER_TITLE = env.str("PRIVACY_OFFICER_TITLE", default="")
PRIVACY_OFFICER_EMAIL = env_or("PRIVACY_OFFICER_EMAIL", PRIVACY_CONTACT_EMAIL)
PRIVACY_OFFICER_ADDRESS = env.str("PRIVACY_OFFICER_ADDRESS", default="")
# Behind a proxy every request comes from the proxy's address: name the header that
# carries the visitor's address (e.g. HTTP_X_REAL_IP), set by the proxy itself.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")

# The public API (api/): read-only JSON, anonymous, JSON only (one representation per
# address, which the page cache keeps), no session, no format suffix.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/min")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.VisitorRateThrottle"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Project portfolio API",
    "DESCRIPTION": (
        "Read-only access to the published projects, partners, regions, sectors and field "
        "updates, in French or English (`lang`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatus": "portfolio.models.Project.Status",
        "PartnershipRole": "portfolio.models.Partnership.Role",
        "PartnerKind": "partners.models.Partner.Kind",
    },
}

# Images: what an upload may be, and the widths served to cards and pages.
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_RENDITION_WIDTHS = (480, 960, 1600)

LOGIN_URL = "admin:login"

# A page with no query and a fixed template at /bench/floor/: the fastest a page can be
# through the whole middleware stack, which `manage.py bench` compares every page with.
BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)
# The benchmark's "edited", "renamed" and "news" modes: before every request, the pages
# this project's story (or with BENCH_EDIT=title, its title; BENCH_EDIT=news, its field
# updates) shows are put out of date, as an editor's save would (devtools/middleware.py).
BENCH_EDIT_PROJECT = env.int("BENCH_EDIT_PROJECT", default=None)
BENCH_EDIT = env.str("BENCH_EDIT", default="story")
if BENCH_EDIT_PROJECT:
    MIDDLEWARE.insert(0, "devtools.middleware.EditBeforeEachRequest")

# Security: strict by default outside development.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # Preload is a commitment the operator makes by hand with the browsers' list.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"handlers": ["console"], "level": "ERROR"},
    },
}
