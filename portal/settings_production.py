"""Production: settings must come from the environment, and every `check --deploy` warning is answered."""

from portal.settings import *  # noqa: F403
from portal.settings import env

SECRET_KEY = env.str("SECRET_KEY")  # required: no embedded key in production
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL")  # required: QR codes on PDFs must point at the public address
PORTAL_DEMO_DATA = env.bool("PORTAL_DEMO_DATA", default=False)
# Licences are signed with the certificates mounted at LICENCE_SIGNING_DIR; no demo CA in production.
LICENCE_DEMO_PKI = env.bool("LICENCE_DEMO_PKI", default=False)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
