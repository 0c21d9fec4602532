"""Pick the services the test suite runs on, then run a command with them.

Usage: ``python scripts/testenv.py <python args...>`` (``make test`` uses it).

PostgreSQL and Redis are used when they answer: at ``DATABASE_URL`` and
``CELERY_BROKER_URL`` when set, else at the local default ports. When one does
not answer the run falls back to the embedded default (SQLite, filesystem
broker) and says so, unless ``REQUIRE_SERVICES=1``, which makes it a failure.
``SALON_EMBEDDED=1`` skips the local defaults and runs on the embedded default.
"""

import os
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/salon"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
CONNECT_TIMEOUT_SECONDS = 3
# Options of DATABASE_URL that config.env reads itself; psycopg refuses them.
SALON_OPTIONS = {"conn_max_age", "prepared_statements"}


def maintenance_url(url: str) -> str:
    """The server's ``postgres`` database at ``url``'s address, with the
    driver's options (``sslmode``...) but not the project's own."""
    parts = urlsplit(url)
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query) if key not in SALON_OPTIONS])
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres", query=query))


def postgres_problem(url: str) -> str | None:
    """None when PostgreSQL answers at ``url``; the database is created when
    missing (``makemigrations --check`` reads its migration history)."""
    import psycopg
    from psycopg import sql

    database = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(maintenance_url(url), connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()
    return None


def redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS).ping()
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()
    return None


def choose(env: dict) -> tuple[dict, list[str]]:
    """Return the environment for the run and the problems found."""
    env = dict(env)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    embedded = env.get("SALON_EMBEDDED") == "1"
    problems = []

    database_url = env.get("DATABASE_URL") or ("" if embedded else LOCAL_POSTGRES)
    if database_url.startswith("postgres"):
        problem = postgres_problem(database_url)
        if problem:
            problems.append(f"PostgreSQL at {database_url} is unreachable ({problem})")
            database_url = ""
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)

    broker_url = env.get("CELERY_BROKER_URL") or ("" if embedded else LOCAL_REDIS)
    if broker_url.startswith("redis"):
        problem = redis_problem(broker_url)
        if problem:
            problems.append(f"Redis at {broker_url} is unreachable ({problem})")
            broker_url = ""
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    else:
        env.pop("CELERY_BROKER_URL", None)
    return env, problems


def main(argv: list[str]) -> int:
    env, problems = choose(dict(os.environ))
    for problem in problems:
        print(f"testenv: {problem}", file=sys.stderr)
    if problems and env.get("REQUIRE_SERVICES") == "1":
        print("testenv: REQUIRE_SERVICES=1, so an unreachable service fails the run.", file=sys.stderr)
        return 2
    database = env.get("DATABASE_URL", "SQLite under var/ (embedded default)")
    broker = env.get("CELERY_BROKER_URL", "filesystem broker under var/ (embedded default)")
    print(f"testenv: database {database}; broker {broker}", flush=True)
    os.execvpe(sys.executable, [sys.executable, *argv], env)  # noqa: S606
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
