"""Settings for the test suite: the real settings, given the two values a
production deployment must provide, plus speed-ups that change no behaviour
under test."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")

from salon.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests that check hashing use the real list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# The manifest storage needs `collectstatic`; the tests serve from the apps.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Beat started by the tests keeps its schedule apart from a developer's `make run`.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "test-celerybeat-schedule")  # noqa: F405
# WhiteNoise warns when STATIC_ROOT is missing; tests never run collectstatic.
STATIC_ROOT = VAR_DIR / "test-staticfiles"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
