"""Settings for the side-by-side demo, read from the environment (docs/serving.md lists them).

Every value that differs between a laptop and a deployment comes from an
environment variable; nothing secret is written here.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.management.utils import get_random_secret_key

from config.checkout import checkout_secret

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default="0"):
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(os.environ.get(name, default))


def checkout_secret_key(path=BASE_DIR / ".secret_key"):
    """A random key made once per checkout and kept in an untracked file (never a literal in the code)."""
    return checkout_secret(path, lambda: get_random_secret_key().encode()).decode().strip()


DEBUG = env_flag("DJANGO_DEBUG")
# Keep each request's SQL for the panel under the browsable API (always on with DEBUG).
DEMO_SHOW_SQL = env_flag("DEMO_SHOW_SQL")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or checkout_secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
if DEBUG:  # the browser lab's other sites (lab/): Chromium resolves *.localhost to loopback
    ALLOWED_HOSTS += ["evil.localhost", "app.localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before rest_framework: its templates/rest_framework/api.html overrides DRF's (the first app wins).
    "pages",
    "api",
    "instrumentation",
    "measurements",
    "outages",  # a database or cache that is down: 503 with a reason (outages.middleware), and the /outages/ page
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by this site: no CDN
    "auth_basic",
    "auth_session",
    "auth_token",
    "auth_jwt",
    "auth_jwt_rsa",
    "auth_knox",
    "auth_jwt_cookie",
    # Before oauth2_provider: its templates/oauth2_provider/base.html dresses DOT's login-consent page as the site.
    "auth_oauth2",
    "oauth2_provider",  # django-oauth-toolkit: the authorization server at /o/
    "auth_oauth2_introspect",  # a resource server that asks the authorization server about each token (RFC 7662)
    "costs",  # /costs/: what each JWT algorithm costs, where each namespace's time goes
    "corsheaders",
    "lab",  # the browser lab at /lab/: only with DEBUG, only from loopback
]

MIDDLEWARE = [
    # First, so that it sees every query of the request, middleware included.
    "instrumentation.middleware.QueryCountMiddleware",
    # Next: everything further in may ask the database or the cache, and an outage there becomes a 503.
    "outages.middleware.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The lab's other sites (evil.localhost, app.localhost) get the lab's pages for them, nothing else.
    "lab.middleware.LabSitesMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as django-cors-headers asks
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's CommonMiddleware, with a URL missing its trailing slash answered 308 for every method.
    "api.trailing_slash.TrailingSlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "pages.context_processors.topics",  # the menu of topics on every page
            ],
        },
    },
]

# --- Database: an embedded SQLite file by default, anything dj-database-url reads otherwise.
DATABASES = {
    # Empty counts as unset, as for REDIS_URL.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one file: take the write lock at BEGIN (no
    # deadlock on upgrade), let readers run beside a writer (WAL), and wait
    # rather than fail with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that is down answers at once (connection refused); one that does not answer at all
    # must not hold a request for libpq's default of forever: the client gets its 503 in seconds.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: used by token-cached and by the login throttle.
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    # Short socket timeouts (redis-py's default is none): a Redis that stops answering costs a request one second.
    REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT_SECONDS", 1))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Django's default hasher (PBKDF2, about a million iterations) on purpose: Basic
# authentication pays for it on every request, and that cost is part of the lesson.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = "/api/session/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the apps directly, so DEBUG off works without collectstatic.
WHITENOISE_USE_FINDERS = True

# --- Cookies and HTTPS.
SESSION_ENGINE = "auth_session.sessions"  # database sessions that refuse forged keys before the query
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_flag("DJANGO_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- CORS (django-cors-headers): no origin but those named here; the lab adds its own
# same-site front end under DEBUG from loopback (lab/cors.py).
CORS_ALLOWED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()]
CORS_ALLOW_CREDENTIALS = True  # sent to the origins above only
CORS_URLS_REGEX = r"^/(api|lab)/"

# --- Django REST framework: no scheme unless a namespace names one.
LOGIN_THROTTLE = os.environ.get("LOGIN_THROTTLE", "10/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's parsers, with JSON nested too deeply for Python a 400 rather than a 500.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The client's address is REMOTE_ADDR; X-Forwarded-For is not trusted.
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",  # drf-spectacular's, plus the refusals DRF answers
    # DRF's, with a database or cache that is down answered 503 with a reason (outages.responses).
    "EXCEPTION_HANDLER": "outages.handlers.exception_handler",
}

# --- OpenAPI schema and Swagger UI (drf-spectacular), at /api/schema/ and /api/docs/.
SPECTACULAR_SETTINGS = {
    "TITLE": "DRF authentication, side by side",
    "DESCRIPTION": "The same resource under one namespace per scheme, each protected by exactly one scheme.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/",  # so that each namespace is a tag of its own
    "SERVE_INCLUDE_SCHEMA": False,
    # A request body and its answer are two components (NoteRequest, Note): minLength 1 for the strings DRF
    # refuses blank applies to what a client sends, and read-only fields are not asked of it.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: nothing leaves this site.
    # A JavaScript object literal (drf-spectacular takes a string as is), for oauth2RedirectUrl: the page
    # Swagger UI's "Authorize" comes back to must be an absolute URL, on whatever host and port serve the site.
    "SWAGGER_UI_SETTINGS": """{
        "deepLinking": true, "persistAuthorization": false, "validatorUrl": null,
        "oauth2RedirectUrl": location.origin + "/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.html"
    }""",
    # oauth2's "Authorize": the authorization-code flow as the public browser client, with PKCE (S256).
    "SWAGGER_UI_OAUTH2_CONFIG": {"clientId": "drf-demo-browser", "usePkceWithAuthorizationCodeGrant": True},
}

# --- simplejwt.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_SECONDS", 300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_REFRESH_SECONDS", 86400)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer", "JWT"),
    "SIGNING_KEY": SECRET_KEY,
}

# --- jwt-cookie: simplejwt's tokens in HttpOnly cookies, sent only with requests this site starts
# (auth_jwt_cookie/cookies.py says why Strict, not Lax).
JWT_COOKIE_SAMESITE = "Strict"

# --- jwt-rsa: simplejwt's tokens signed with a key pair, by the private key in this PEM file; unset, by one
# generated once per checkout into .jwt_rsa_private_key.pem (untracked), like the secret key. The
# algorithm: RS256 (default), PS256 (RSA keys too), ES256 (.jwt_ec_p256_private_key.pem) or EdDSA
# (Ed25519, .jwt_ed25519_private_key.pem): docs/jwt-algorithms.md compares them.
JWT_RSA_PRIVATE_KEY_FILE = os.environ.get("JWT_RSA_PRIVATE_KEY_FILE") or None
JWT_ASYMMETRIC_ALGORITHM = os.environ.get("JWT_ASYMMETRIC_ALGORITHM") or "RS256"
# compare_auth --algorithms: the module that signs and verifies with each algorithm (jwt-rsa's keys and backend).
JWT_ALGORITHMS_COMPARISON = "auth_jwt_rsa.algorithms"

# --- /costs/: the last `compare_auth --algorithms` and `--profile`, kept here (untracked) for the page to show.
COSTS_DIR = Path(os.environ.get("COSTS_DIR") or BASE_DIR / ".costs")

# --- knox: tokens stored as digests (SHA-512), each expiring KNOX_TOKEN_SECONDS after login.
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=env_int("KNOX_TOKEN_SECONDS", 10 * 3600)),
    # knox's default, said out loud: with AUTO_REFRESH every request would push the
    # expiry back, and write it (an UPDATE) once a minute per token.
    "AUTO_REFRESH": False,
}

# --- oauth2 (django-oauth-toolkit): configured as RFC 9700, the OAuth 2.0 Security BCP (docs/oauth2.md).
OAUTH2_PROVIDER = {
    "SCOPES": {"read": "Read your notes", "write": "Write your notes", "introspection": "Introspect tokens"},
    "DEFAULT_SCOPES": ["read", "write"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_ACCESS_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH2_REFRESH_SECONDS", 86400),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Authorization code only with PKCE, and only S256 (a "plain" challenge is the verifier itself).
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    # No implicit grant (the token in a URL fragment), no password grant (the client sees the password).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    # Access tokens only in the Authorization header, never in the query string.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # The authorization response names its issuer (RFC 9207 `iss`): a client that talks to more than one
    # authorization server checks it against the one it sent the user to (the mix-up attack, RFC 9700 §4.4).
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    # The token tables keep a SHA-256 checksum of each access and refresh token, not the token.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # Refresh tokens rotate; a used one, presented again, revokes the whole family it belongs to.
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Redirect URIs match exactly (no wildcards); plain http only for the loopback demo, never with HTTPS on.
    "ALLOW_URI_WILDCARDS": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if HTTPS else ["http", "https"],
    "ALLOW_LOCALHOST_LOOPBACK": True,  # http://localhost:<any port>, as DOT allows 127.0.0.1 (RFC 8252)
    # `manage.py check --deploy` fails, not warns, on a setting that goes back on the switches above.
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": HTTPS,
    "REQUEST_APPROVAL_PROMPT": "force",  # the consent page every time: the lesson shows it
}
# oauth2-introspect: where the resource server asks about each token (RFC 7662), and for how long
# oauth2-introspect-cached trusts an answer. Unset, the authorization server is this site itself.
OAUTH2_INTROSPECT_URL = os.environ.get("OAUTH2_INTROSPECT_URL") or None
OAUTH2_INTROSPECT_CACHE_SECONDS = env_int("OAUTH2_INTROSPECT_CACHE_SECONDS", 60)
# --- The outage measurement (manage.py outages writes it, /outages/ shows it): recorded, in the repository.
OUTAGES_FILE = Path(os.environ.get("OUTAGES_FILE") or BASE_DIR / "docs" / "outages.json")

# --- token-cached.
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # An outage is one line when it starts and one when it ends (the "outages" logger), not a traceback per request.
    "filters": {"no_outage_tracebacks": {"()": "outages.log.NoOutageTracebacks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_outage_tracebacks"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
        "outages": {"handlers": ["console"], "level": "INFO"},
    },
}
