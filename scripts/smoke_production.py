"""The production smoke test: install and run Salon the way the Docker image
does, and use it.

A fresh virtual environment gets ``requirements.txt`` and nothing else (no
test tools that could bring a missing module along). With ``DEBUG=0``, a
generated ``SECRET_KEY``, a new PostgreSQL database, Redis and an SMTP sink,
it runs migrate and collectstatic, then starts gunicorn, a Celery worker and
beat with the commands of ``docker-compose.yml``, and checks: ``/healthz``
says database and broker are fine, a token login, a booking through the API,
the booking's confirmation arriving at the SMTP sink through the worker, and
``celery inspect ping``. Everything it started is stopped at the end.

Run by ``.ci/run`` (and ``make smoke``) with the development environment's
Python, which brings PyYAML and aiosmtpd; the application itself runs only
in the fresh environment. Exits non-zero with a message naming the step
that failed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import email
import email.policy
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "smoke"
VENV = WORK / "venv"
POSTGRES = os.environ.get("SMOKE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
# Build steps the Dockerfile runs before the image starts anything
# (tests/test_project.py checks that it does).
COLLECTSTATIC = ["python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
COMPILE_TRANSLATIONS = ["python", "manage.py", "compile_translations", "--all", "--verbosity", "0"]
DEMO_PASSWORD = "smoke-" + secrets.token_urlsafe(12)
# Published in the README and config/demo_data.py, like the demo itself.
DEMO_TOTP_KEY = "SALONDEMOMANAGERTOTPSECRETKEY234"


def totp_now(base32_key: str) -> str:
    """RFC 6238 with the authenticator apps' defaults (SHA-1, 30 s, 6 digits),
    in the standard library: this script runs outside the installed venv."""
    counter = int(time.time() // 30).to_bytes(8, "big")
    digest = hmac.new(base64.b32decode(base32_key), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


STEP_TIMEOUT = 90


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {name: services[name]["command"] for name in ("migrate", "web", "worker", "beat")}


def in_venv(command: list[str]) -> list[str]:
    """The command as the image runs it, with this environment's programs."""
    program = VENV / "bin" / command[0]
    if not program.exists():
        raise SmokeFailure(f"{command[0]} is not installed by requirements.txt")
    return [str(program), *command[1:]]


class Smoke:
    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.web_port = free_port()
        self.smtp_port = free_port()
        self.database = f"salon_smoke_{os.getpid()}"
        # One key for every process: links the worker signs, web must accept.
        self.secret_key = secrets.token_urlsafe(50)
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.smtp = None
        self.inbox: list[email.message.EmailMessage] = []

    # --- set-up ----------------------------------------------------------

    def install(self) -> None:
        shutil.rmtree(VENV, ignore_errors=True)
        WORK.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        result = subprocess.run(
            [*pip, "--require-hashes", "-r", str(ROOT / "requirements.txt")], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SmokeFailure(f"pip could not install requirements.txt:\n{result.stderr[-3000:]}")
        say(f"installed requirements.txt alone into a fresh environment ({time.monotonic() - started:.0f} s)")

    def environment(self) -> dict[str, str]:
        path = os.pathsep.join([str(VENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
        parts = urlsplit(POSTGRES)
        database_url = urlunsplit(parts._replace(path=f"/{self.database}"))
        return {
            "PATH": path,
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 (only when HOME is unset)
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.base,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": REDIS,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "DEFAULT_FROM_EMAIL": "Salon smoke test <salon@smoke.invalid>",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "PORT": str(self.web_port),
            "WEB_CONCURRENCY": "2",
        }

    def create_database(self) -> None:
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.database)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        except psycopg.Error as error:
            raise SmokeFailure(f"PostgreSQL at {POSTGRES} is not usable: {error}") from None
        say(f"created the PostgreSQL database {self.database}")

    def drop_database(self) -> None:
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.database)))
        except psycopg.Error as error:
            say(f"could not drop {self.database}: {error}")

    def empty_redis(self) -> None:
        """FLUSHDB on the smoke test's own Redis database, spoken directly
        (this script must not depend on the Redis client it is testing for)."""
        parts = urlsplit(REDIS)
        number = parts.path.strip("/") or "0"
        try:
            with socket.create_connection((parts.hostname, parts.port or 6379), timeout=5) as connection:
                connection.sendall(f"SELECT {number}\r\nFLUSHDB\r\n".encode())
                answer = b""
                while answer.count(b"\r\n") < 2:
                    chunk = connection.recv(256)
                    if not chunk:
                        break
                    answer += chunk
        except OSError as error:
            raise SmokeFailure(f"Redis at {REDIS} is not usable: {error}") from None
        if answer != b"+OK\r\n+OK\r\n":
            raise SmokeFailure(f"Redis at {REDIS} answered {answer!r} to SELECT and FLUSHDB")

    def start_smtp_sink(self) -> None:
        from aiosmtpd.controller import Controller

        inbox = self.inbox

        class Sink:
            async def handle_DATA(self, server, session, envelope):
                inbox.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        self.smtp = Controller(Sink(), hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()
        say(f"SMTP sink listening on 127.0.0.1:{self.smtp_port}")

    # --- running the image's commands ------------------------------------

    def run_once(self, name: str, command: list[str]) -> None:
        result = subprocess.run(
            in_venv(command), cwd=ROOT, env=self.environment(), capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise SmokeFailure(f"`{' '.join(command)}` failed:\n{(result.stdout + result.stderr)[-3000:]}")
        say(f"{name}: `{' '.join(command)}` ok")

    def start(self, name: str, command: list[str]) -> None:
        log = WORK / f"{name}.log"
        self.logs[name] = log
        with log.open("w") as output:
            self.processes[name] = subprocess.Popen(
                in_venv(command), cwd=ROOT, env=self.environment(), stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        say(f"started {name}: `{' '.join(command)}`")

    def log_tail(self, name: str, lines: int = 25) -> str:
        log = self.logs.get(name)
        if not log or not log.exists():
            return ""
        return f"\n--- last lines of {name}'s log ---\n" + "\n".join(log.read_text().splitlines()[-lines:])

    def wait(self, what: str, check, *, timeout: float = STEP_TIMEOUT, logs: tuple[str, ...] = ()):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise SmokeFailure(f"{name} exited with code {process.returncode}" + self.log_tail(name))
            result, last = check()
            if result:
                return result
            time.sleep(0.5)
        raise SmokeFailure(f"{what} (gave up after {timeout:.0f} s; last: {last})" + "".join(map(self.log_tail, logs)))

    def stop_all(self) -> None:
        """SIGTERM to each process group (also when its leader died and left
        a Celery pool behind), then SIGKILL to whatever is left."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 40
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within 40 s of SIGTERM; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # --- talking to the running site --------------------------------------

    def http(self, method: str, path: str, *, token: str | None = None, body: dict | None = None):
        request = urllib.request.Request(self.base + path, method=method)  # noqa: S310 (our own server)
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, data=data, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:2000]
        except OSError as error:
            return None, str(error)

    def check_health(self) -> None:
        def healthy():
            status, body = self.http("GET", "/healthz")
            return status == 200 and body == {"database": "ok", "broker": "ok"}, f"{status} {body}"

        try:
            self.wait("/healthz did not answer 200", healthy, logs=("web",))
        except SmokeFailure as failure:
            status, body = self.http("GET", "/healthz")
            if isinstance(body, str) and '"broker": "unavailable"' in body:
                raise SmokeFailure(
                    f"/healthz answered {status} {body}: the production install cannot reach the broker "
                    f"(Redis at {REDIS}); check that requirements.in asks for celery[redis]." + self.log_tail("web")
                ) from None
            raise failure
        say('/healthz 200 {"database": "ok", "broker": "ok"}')

    def check_workers_warmed(self) -> None:
        """Each gunicorn worker warms itself before serving (config.warmup) and says so."""
        workers = int(self.environment()["WEB_CONCURRENCY"])

        def warmed():
            text = self.logs["web"].read_text()
            if "Not warmed" in text:
                raise SmokeFailure("a template did not compile while warming" + self.log_tail("web"))
            count = text.count("Warmed: ")
            return count >= workers, f"{count} of {workers} workers warmed"

        self.wait("gunicorn's workers did not warm themselves", warmed, logs=("web",))
        say(f"{workers} web workers warmed before serving")

    def manager_signs_in_with_a_code(self) -> None:
        """The demo manager's token needs the authenticator code (django-otp
        in the production install), computed here from the published key."""
        login = {"username": "manager", "password": DEMO_PASSWORD}
        status, body = self.http("POST", "/api/v1/auth/token/", body=login)
        if status != 400 or json.loads(body).get("code") != "otp_required":
            raise SmokeFailure(f"the manager's password alone did not ask for the code: {status} {body}")
        status, body = self.http("POST", "/api/v1/auth/token/", body={**login, "otp": totp_now(DEMO_TOTP_KEY)})
        if status != 200 or "token" not in body:
            raise SmokeFailure(f"the manager's sign-in with a code failed: {status} {body}")
        say("token login with a second factor ok (manager)")

    def book(self) -> str:
        login = {"username": "reception", "password": DEMO_PASSWORD}
        status, body = self.http("POST", "/api/v1/auth/token/", body=login)
        if status != 200 or not isinstance(body, dict) or "token" not in body:
            raise SmokeFailure(f"token login failed: {status} {body}")
        token = body["token"]
        say("token login ok (reception)")
        self.manager_signs_in_with_a_code()

        address = f"smoke-{secrets.token_hex(4)}@client.invalid"
        status, client = self.http(
            "POST", "/api/v1/clients/", token=token,
            body={"given_name": "Smoke", "family_name": "Test", "email": address, "preferred_channel": "email",
                  "consent_reminders": True},
        )  # fmt: skip
        if status != 201:
            raise SmokeFailure(f"creating a client failed: {status} {client}")
        status, routines = self.http("GET", "/api/v1/routines/", token=token)
        if status != 200 or not routines.get("results"):
            raise SmokeFailure(f"listing routines failed: {status} {routines}")
        routine = routines["results"][0]
        # Beyond the demo salon's cut-off for cancelling online (24 h), so the
        # confirmation carries a cancel link.
        first = datetime.date.today() + datetime.timedelta(days=3)
        query = urlencode({"routine": routine["id"], "start": first, "end": first + datetime.timedelta(days=7)})
        status, availability = self.http("GET", f"/api/v1/availability/?{query}", token=token)
        if status != 200 or not availability.get("slots"):
            raise SmokeFailure(f"no free slot for {routine['name']}: {status} {availability}")
        slot = availability["slots"][0]
        status, appointment = self.http(
            "POST", "/api/v1/appointments/", token=token,
            body={"client": client["id"], "routine": routine["id"], "start": slot["start"]},
        )  # fmt: skip
        if status != 201:
            raise SmokeFailure(f"booking through the API failed: {status} {appointment}")
        say(f"booked appointment {appointment['id']} at {slot['start']} through the API")
        return address

    def check_confirmation(self, address: str) -> None:
        def arrived():
            found = [m for m in self.inbox if address in str(m["To"]) and "booked" in str(m["Subject"])]
            return found, f"{len(self.inbox)} message(s) in the sink: {[str(m['Subject']) for m in self.inbox]}"

        messages = self.wait(
            f"no confirmation reached the SMTP sink for {address}", arrived, timeout=120, logs=("worker", "beat")
        )
        say(f'the confirmation "{messages[0]["Subject"]}" arrived at the SMTP sink through the worker')
        self.check_link(messages[0])

    def check_link(self, message: email.message.EmailMessage) -> None:
        """The cancel link the worker put in the message opens on the web
        server: same SITE_URL, same SECRET_KEY."""
        text = "\n".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")
        link = next((word for word in text.split() if word.startswith(f"{self.base}/forms/cancel/")), None)
        if link is None:
            raise SmokeFailure(f"the confirmation has no cancel link to {self.base}:\n{text[:1000]}")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        try:
            with browser.open(link, timeout=10) as response:
                page = response.read().decode()
                landed = response.url
        except OSError as error:
            raise SmokeFailure(f"the cancel link in the confirmation does not open: {error}") from None
        if landed != f"{self.base}/forms/cancel/" or "Cancel" not in page:
            raise SmokeFailure(f"the cancel link led to {landed}, not the cancel form")
        say("the cancel link in the confirmation opens the cancel form on the web server")

    def check_ping(self) -> None:
        command = in_venv(["celery", "-A", "config", "inspect", "ping", "--timeout", "5"])
        result = subprocess.run(command, cwd=ROOT, env=self.environment(), capture_output=True, text=True, timeout=60)
        if result.returncode != 0 or "pong" not in result.stdout:
            raise SmokeFailure(f"celery inspect ping got no answer:\n{result.stdout}{result.stderr}")
        say("celery inspect ping: the worker answered pong")

    def run(self) -> None:
        commands = compose_commands()
        self.install()
        self.create_database()
        self.empty_redis()
        self.start_smtp_sink()
        self.run_once("migrate", commands["migrate"])
        self.run_once("collectstatic", COLLECTSTATIC)
        self.run_once("compile translations", COMPILE_TRANSLATIONS)
        self.run_once("demo data", ["python", "manage.py", "seed_demo"])
        for name in ("web", "worker", "beat"):
            self.start(name, commands[name])
        self.check_health()
        self.check_workers_warmed()
        address = self.book()
        self.check_confirmation(address)
        self.check_ping()

    def clean_up(self) -> None:
        self.stop_all()
        if self.processes:
            codes = ", ".join(f"{name} {process.returncode}" for name, process in self.processes.items())
            say(f"stopped web, worker and beat (exit codes: {codes})")
        if self.smtp:
            self.smtp.stop()
        self.drop_database()
        with contextlib.suppress(SmokeFailure):
            self.empty_redis()


def main() -> int:
    started = time.monotonic()
    say("== production smoke test: requirements.txt only, DEBUG=0, PostgreSQL, Redis, gunicorn, worker, beat")
    smoke = Smoke()
    try:
        smoke.run()
    except SmokeFailure as failure:
        say(f"FAILED: {failure}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        smoke.clean_up()
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
