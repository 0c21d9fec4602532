"""Settings for the test suite: the real settings, given the two values a
production deployment must provide, plus speed-ups that change no behaviour
under test. The environment is read through the settings' own ``Env``."""

import os

# What a deployment must provide, given here unless the run sets its own.
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")

from config.env import Env
from config.settings import *  # noqa: F403

test_env = Env()

# Argon2 is deliberately slow; tests that check hashing use the real list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# The manifest storage needs `collectstatic`; the tests serve from the apps.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Mail stays in memory, except for the worker of the notification integration
# test, which is pointed at its SMTP sink.
if test_env.str("TEST_EMAIL_URL"):
    globals().update(parse_email_url(test_env.str("TEST_EMAIL_URL"), name="TEST_EMAIL_URL"))  # noqa: F405
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Beat started by the tests keeps its schedule apart from a developer's `make run`,
# and from the beat of another test process (pytest-xdist names each one).
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / f"test-celerybeat-schedule{os.environ.get('PYTEST_XDIST_WORKER', '')}")  # noqa: F405
# WhiteNoise warns when STATIC_ROOT is missing; tests never run collectstatic.
STATIC_ROOT = VAR_DIR / "test-staticfiles"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)

# The notification integration test runs its worker on a queue of its own and
# its beat every second.
if test_env.str("TEST_CELERY_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = test_env.str("TEST_CELERY_QUEUE")
    CELERY_BEAT_SCHEDULE = {
        "dispatch-due-notifications": {"task": "sessions.tasks.notifications_dispatch", "schedule": 1.0}
    }

# The crash test lets a dead worker's rows return within seconds, not
# minutes, and has Redis hand a dead worker's unacknowledged tasks out again
# just as soon, so the resent rows meet their original tasks a second time.
if test_env.str("TEST_NOTIFICATION_LEASE_SECONDS"):
    NOTIFICATION_LEASE_SECONDS = test_env.int("TEST_NOTIFICATION_LEASE_SECONDS", default=600)
    if "visibility_timeout" in CELERY_BROKER_TRANSPORT_OPTIONS:  # noqa: F405
        CELERY_BROKER_TRANSPORT_OPTIONS = {
            **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
            "visibility_timeout": NOTIFICATION_LEASE_SECONDS,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }

# The .mo files are built, not committed: those missing or older than their
# .po are compiled before the suite, so `pytest` alone runs in every language.
from config.translations import catalogues_compile  # noqa: E402

catalogues_compile()

# PostgreSQL need not wait for the disk before it confirms a commit: what
# other connections see is unchanged, only a crash of the server could lose
# the last moments, and the integration tests commit thousands of times.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {"options": "-c synchronous_commit=off", **DATABASES["default"]["OPTIONS"]}  # noqa: F405
