import pytest
from rest_framework.test import APIClient

from salon.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

INTEGRATION_TESTS = "tests/integration/"
BROWSER_TESTS = "tests/integration/test_browser_"
# Modules whose tests share a costly module-scoped fixture (an owner's
# database built by subprocesses, the seeded demo salon): split between two
# test processes, each process would build it again.
ONE_PROCESS_MODULES = (
    "tests/config/test_backups.py",
    "tests/config/test_seed_demo_salon.py",
    "tests/clients/test_demo_plans.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`make test`) the integration tests run in two
    test processes, each taking one kind one after another: the browser
    tests in one, those that start workers, servers and Redis in the other,
    while both share out the unit tests. Two of one kind at once would
    fight over the same things (a Redis stopped by one, a worker's queue)
    and several test races and timeouts, which would only make them flaky
    on a 2-core machine. (xdist's own ``--dist loadgroup`` marks cannot do
    it on pytest 9, which no longer reads the node ids it rewrites.) The
    modules of ``ONE_PROCESS_MODULES`` go whole to one process too."""
    from xdist.scheduler import LoadScopeScheduling

    class IntegrationTestsByKind(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return BROWSER_TESTS
            if nodeid.startswith(ONE_PROCESS_MODULES):
                return nodeid.partition("::")[0]
            return INTEGRATION_TESTS if nodeid.startswith(INTEGRATION_TESTS) else nodeid

    return IntegrationTestsByKind(config, log)


def pytest_collection_modifyitems(items):
    """A test using ``demo_salon`` must run in its module's one process and
    must not commit: a flush would empty the salon for the module's other
    tests."""
    for item in items:
        if "demo_salon" not in getattr(item, "fixturenames", ()):
            continue
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction"):
            raise pytest.UsageError(f"{item.nodeid} uses demo_salon and commits: give it a salon of its own.")
        if not item.nodeid.startswith(ONE_PROCESS_MODULES):
            raise pytest.UsageError(f"{item.nodeid} uses demo_salon: add its module to ONE_PROCESS_MODULES.")


def _commits_and_is_flushed(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that commits leaves the database flushed: Django puts back what
    the migrations loaded (roles, the guide's routines) only when the next
    such test starts. Run alone, pytest-django puts those tests after all
    the others; under pytest-xdist a test process may take ordinary tests
    after them (the integration tests go first), so what the migrations
    loaded is put back here, once the last of a run of such tests is done."""
    result = yield
    if _commits_and_is_flushed(item) and nextitem is not None and not _commits_and_is_flushed(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for alias in connections:
                contents = getattr(connections[alias], "_test_serialized_contents", None)
                if contents:
                    connections[alias].creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(scope="module")
def demo_salon(django_db_setup, django_db_blocker):
    """The demo salon, seeded once for a module whose tests only look at it
    or roll back what they change (each test's own transaction is a
    savepoint inside this one), and rolled back after the module, or at
    once when seeding fails; yields when it was seeded. Seeding books 180
    sessions; once for each test made the seeding tests the slowest of the
    unit tests. A module using it belongs in ``ONE_PROCESS_MODULES`` and has
    no test that commits (``pytest_collection_modifyitems`` checks both)."""
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    with django_db_blocker.unblock(), transaction.atomic():
        seeded_at = timezone.now()
        call_command("seed_demo", stdout=io.StringIO())
        try:
            with django_db_blocker.block():
                yield seeded_at
        finally:
            transaction.set_rollback(True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def receptionist(db):
    return UserFactory(username="reception-test", roles=[Role.RECEPTIONIST])


@pytest.fixture
def manager(db):
    return UserFactory(username="manager-test", roles=[Role.MANAGER])


@pytest.fixture
def therapist_user(db):
    return UserFactory(username="therapist-test", roles=[Role.THERAPIST])


@pytest.fixture
def eager_celery():
    """Tasks run in this process, so nothing reaches the real broker here
    (tests/integration covers the real worker). With
    ``django_capture_on_commit_callbacks(execute=True)``, tasks enqueued
    with ``delay_on_commit`` run too, and mail lands in ``mail.outbox``."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def sms_outbox(monkeypatch) -> list[dict]:
    """Every text handed to the SMS gateway, whole (``{"to", "text"}``), as
    ``mail.outbox`` keeps emails: the console gateway's log masks the links'
    tokens, which a test needs to follow them."""
    from sessions import messages

    sent: list[dict] = []
    monkeypatch.setattr(messages, "sms_send_text", lambda *, to, text: sent.append({"to": to, "text": text}))
    return sent


@pytest.fixture
def unused_tcp_port() -> int:
    """A local port nothing listens on (free when asked)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached values (the salon's zone, remembered free times) must not leak
    from one test to the next."""
    from django.core.cache import caches

    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()
