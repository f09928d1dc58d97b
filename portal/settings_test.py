"""Settings for the test suite: the embedded or the real database (DATABASE_URL), tasks run eagerly."""

from portal.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.sms.LocmemSMSBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The calendar is loaded once in a test and forgotten before and after each test (tests/conftest.py).
CALENDAR_CACHE_SECONDS = 3600
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
# One process, one cache, emptied before each test (tests/conftest.py): no counts carried between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The permission matrix posts once per role from one address; tests/portal/test_ratelimit.py sets real limits.
PUBLIC_POST_LIMITS = {scope: (1000, 60) for scope in PUBLIC_POST_LIMITS}  # noqa: F405
