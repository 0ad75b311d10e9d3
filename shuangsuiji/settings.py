"""Django settings for shuangsuiji.

Small on purpose: every value that differs between a laptop demo, CI and a bureau's server comes from
the environment through the helpers below (the Healthchecks way). SQLite is the embedded default;
DATABASE_URL selects PostgreSQL, the production database.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


DEBUG = envbool("DEBUG", "True")
# The key `make run` and the tests sign with when SECRET_KEY is not set. Its prefix is the one Django's deploy check
# knows (`manage.py check --deploy` warns, security.W009), and shuangsuiji.wsgi refuses to serve with it when DEBUG
# is off: anyone can read it here, so sessions and password-reset links signed with it could be forged.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-change-me-" + "0" * 20
SECRET_KEY = os.getenv("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [host for host in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if host]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Behind a reverse proxy that ends HTTPS (HTTPS=True): cookies go only over HTTPS and the proxy's
# X-Forwarded-Proto is trusted. Off by default: many intranets serve plain HTTP, where secure cookies would make
# signing in impossible. HSTS only when asked for (HSTS_SECONDS): a browser then refuses HTTP for that long.
HTTPS = envbool("HTTPS", "False")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "0")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files
    "django_htmx",
    "shuangsuiji.accounts.apps.LoginRecordsConfig",  # django-axes: failed sign-ins, lockouts, the access log
    "shuangsuiji.audit",
    "shuangsuiji.accounts",
    "shuangsuiji.registry",
    "shuangsuiji.intake",
    "shuangsuiji.planning",
    "shuangsuiji.fieldwork",
    "shuangsuiji.disclosure",
    "shuangsuiji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shuangsuiji.accounts.middleware.ChosenLanguageMiddleware",
    # under /api/ Django's HTML error pages (DEBUG's debugging pages too) answered as JSON, in the reader's language
    "shuangsuiji.errors.ApiErrorsAsJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shuangsuiji.caching.PrivateAnswersMiddleware",  # a signed-in user's answers: Cache-Control private, no-store
    "django.contrib.messages.middleware.MessageMiddleware",
    "shuangsuiji.params.NulInQueryMiddleware",  # a NUL in a query parameter: 400 naming it, before any view
    "shuangsuiji.params.RequestSizeMiddleware",  # a body over MAX_REQUEST_MB: 413 before anything reads it
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shuangsuiji.accounts.middleware.SessionPolicyMiddleware",
    # last, as django-axes asks: it turns a refused sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy: scripts only from this server, and an inline script only with the response's nonce,
# so text a user typed can never run as script on someone else's page. Everything is served locally (an
# intranet, no CDN). Style attributes stay allowed (Bootstrap's utilities and a few widths); images may be
# data:/blob: URLs (the drawn signatures and the photos waiting to upload).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "shuangsuiji.urls"
WSGI_APPLICATION = "shuangsuiji.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "shuangsuiji.accounts.context_processors.session",
            ],
            "builtins": ["shuangsuiji.punctuation", "shuangsuiji.systemtext"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'shuangsuiji.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import or a draw writes; IMMEDIATE makes a writing
    # transaction take the write lock at BEGIN, so two writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Account security as 网络安全等级保护 (GB/T 22239-2019, 8.1.4.1) asks of a government system: passwords of some
# complexity, changed periodically; sign-in failures limited; an idle session ended. docs/operations.md lists these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "shuangsuiji.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "shuangsuiji.accounts.validators.DifferentFromCurrentValidator"},
]
# A password older than this many days must be changed before anything else (0: never expires). A password an
# admin set for someone must be changed by its owner at his next sign-in, whatever this says.
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", "90")
# Signed out after this many minutes without a request (the record form's autosave counts as one).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", "30") * 60
# How often an inspector's open task list or record form asks whether his tasks changed (fieldwork.live), in
# seconds, while the page is visible; 0: never. The question is not activity: it does not keep a session alive.
FIELDWORK_LIVE_SECONDS = envint("FIELDWORK_LIVE_SECONDS", "60")

# django-axes counts failed sign-ins per user name and client address together (the login page, the admin's, the
# API's Basic auth alike) and, at the limit, refuses that name from that address for LOGIN_LOCKOUT_MINUTES; an admin
# can lift it sooner. Per name alone, anyone who knew a login name (they are predictable) could keep its owner out
# from his own desk by typing wrong passwords anywhere, the county admin during a draw ceremony say. Per address
# alone would lock a whole office behind its NAT after a few typos. The address is ``params.client_address``
# (TRUSTED_PROXIES): behind a proxy not declared, every client has the proxy's, and this is a lock per name again.
# One name guessed from many addresses shows in the failure log (admin: 登录失败记录) and in the failures a user is
# told of when he signs in. Many names from one address (password spraying: four guesses at every name stay under
# the per-name limit) are capped too: LOGIN_ADDRESS_FAILURE_LIMIT failures from one address within the cool-off,
# whatever the names, refuse that address for every name until the oldest of them is LOGIN_LOCKOUT_MINUTES old
# (loginrecords.StorableDatabaseHandler; 0: no cap). axes's own AXES_LOCKOUT_PARAMETERS cannot say it: its combinations
# share one failure limit, and with "ip_address" among them a sign-in that succeeds forgets every failure of its
# address, so the sprayer's own account would reset his count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "30"))
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "30")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "shuangsuiji.accounts.services.login_name"  # as axes's columns can hold it
AXES_RESET_ON_SUCCESS = True  # consecutive failures count, not a day's typos
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when the page says it does
AXES_LOCKOUT_CALLABLE = "shuangsuiji.accounts.views.locked_out"
# accounts/admin.py shows the sign-in records without delete: a deleted lock would be an unaudited unlock
AXES_ENABLE_ADMIN = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_HANDLER = "shuangsuiji.accounts.loginrecords.StorableDatabaseHandler"  # a NUL in a header stored, not a 500
# a stale form token from a page's script (the record form's autosave) is answered in JSON it can show
CSRF_FAILURE_VIEW = "shuangsuiji.accounts.views.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# zh_Hans numbers grouped by thousands for ``intcomma`` (shuangsuiji/formats/zh_Hans/formats.py says why).
FORMAT_MODULE_PATH = ["shuangsuiji.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = PROJECT_DIR / "var" / "static"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))
MEDIA_URL = "media/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# The largest request body taken at all (params.RequestSizeMiddleware), files included: a phone's photo or video
# (50 MB at most, fieldwork.services.MAX_ATTACHMENT_BYTES) with its form, an import's workbook. The reverse proxy's
# own limit must allow as much (nginx's default, client_max_body_size 1m, refuses most photos).
MAX_REQUEST_MB = envint("MAX_REQUEST_MB", "100")
MAX_REQUEST_BYTES = MAX_REQUEST_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "shuangsuiji.apifields.AutoSchema",  # drf-spectacular's, every field described
    "DEFAULT_PAGINATION_CLASS": "shuangsuiji.params.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["shuangsuiji.params.FilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # HTTP Basic first: a request without credentials is then answered 401 with "WWW-Authenticate: Basic", as
    # a client of an API documented as HTTP Basic expects (a session first made it a 403 with no challenge).
    # A personal API token (Bearer) next: a refused token is answered 401 with a Bearer challenge of its own
    # (accounts.api.TokenRefused); the session last, so a header a script sends wins over a browser's cookie.
    "DEFAULT_AUTHENTICATION_CLASSES": ["shuangsuiji.accounts.api.LockAwareBasicAuthentication",
                                       "shuangsuiji.accounts.api.ApiTokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "EXCEPTION_HANDLER": "shuangsuiji.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {"TITLE": "shuangsuiji API", "VERSION": "1",
                        # a jurisdiction's level and an item list's level share their choices: one name. An
                        # outlet's kind and a signer's role keep the names they had before the planning API
                        # brought other kinds and roles (a plan's, a team member's), so clients built from the
                        # schema do not see their types renamed.
                        "ENUM_NAME_OVERRIDES": {"LevelEnum": "shuangsuiji.registry.models.Level",
                                                "KindEnum": "shuangsuiji.registry.models.Outlet.Kind",
                                                "RoleEnum": "shuangsuiji.fieldwork.models.SignerRole",
                                                # a public result's outcome (ok, problem, withheld)
                                                "PublicOutcomeEnum": "shuangsuiji.disclosure.models.Outcome"},
                        # /api/docs/ loads Swagger UI from the static files (drf-spectacular-sidecar), not from a
                        # CDN: the system runs on an intranet
                        # the answers besides 200 (400, 401, 403, 404, 429) that drf-spectacular does not see
                        "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                                                 "shuangsuiji.apischema.document_error_answers"],
                        "SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
                        "REDOC_DIST": "SIDECAR",
                        # The description of the staff APIs (/api/schema/, /api/docs/) names every internal
                        # endpoint and field: for a signed-in user or a valid API token, as the APIs themselves
                        # (the authentication classes are REST_FRAMEWORK's). The public API's own description
                        # stays open at /api/public/schema/.
                        "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"]}
# The public API (/api/public/) answers anyone; per client address at most this many requests (DRF rate, e.g.
# "600/minute"; empty: no limit). Counted in the default cache, so per process unless CACHE_DIR is set.
PUBLIC_API_RATE = os.getenv("PUBLIC_API_RATE", "600/minute") or None
# The address that limit counts: with TRUSTED_PROXIES=0 the connection's (REMOTE_ADDR); behind N reverse proxies the
# N-th of X-Forwarded-For from the right (the outermost proxy appended it). Without it DRF took the whole header,
# which the client writes: a new one each request escaped the limit.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES
# The sign-in records (attempts, failures, access log) name the same address (``params.client_address``): behind
# the proxy they showed the proxy's, so "many names tried from one address" could not be seen.
AXES_CLIENT_IP_CALLABLE = "shuangsuiji.params.client_address"
# The default cache (the public API's counts, nothing that must survive): each process's memory, or with CACHE_DIR
# files in that directory, which every gunicorn worker — and every app server that mounts it — shares.
CACHE_DIR = os.getenv("CACHE_DIR", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": CACHE_DIR,
                      "OPTIONS": {"MAX_ENTRIES": 10000}}
          if CACHE_DIR else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Policies live as versioned files beside the code (DESIGN §3).
POLICY_DIR = PROJECT_DIR / "policies"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
