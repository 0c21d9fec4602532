"""Run the web server, a Celery worker and Celery beat as one unit, started
with the same commands as the Docker image (``PROCESS_COMMANDS``).

All three stay in this command's process group, so Ctrl-C in the terminal
reaches every one of them at once; this command then only waits for them (a
second SIGINT would make the Celery worker abandon running tasks). A SIGTERM
sent to this command alone is passed on. Whatever still runs after the grace
period is terminated, then killed. When one of them dies on its own, the
others are stopped too and the command exits non-zero: a salon without its
worker would silently stop sending reminders.
"""

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from config.demo_data import DEMO_MANAGER_TOTP_SECRET
from config.logs import JsonFormatter
from salon.redaction import scrub_text

# gunicorn's own graceful timeout (30 s, time for a send in flight to finish)
# and then some: a web worker stuck that long is killed by gunicorn, which then
# exits cleanly, before this command gives up on it.
STOP_GRACE_SECONDS = 40
KILL_GRACE_SECONDS = 5
READY_TIMEOUT_SECONDS = 90
# Start-up is over when nobody has printed anything for this long.
SETTLE_SECONDS = 1.0

# What each process runs, here and in the Docker image: docker-compose.yml and
# the Dockerfile's CMD must say the same (tests/test_project.py checks), and
# the production smoke test starts what compose says.
PROCESS_COMMANDS = {
    "web": ["gunicorn", "--config", "python:config.gunicorn"],
    "worker": ["celery", "-A", "config", "--quiet", "worker", "--concurrency", "2"],
    "beat": ["celery", "-A", "config", "--quiet", "beat"],
}
# A line that tells that a process has started (gunicorn answers by HTTP).
READY_MARKERS = {"worker": " ready.", "beat": "Beat started:"}


def _descendants(pid: int) -> set[tuple[int, str]]:
    """Every process below ``pid`` (Linux ``/proc``; empty elsewhere), each as
    (pid, start time), so a reused pid is never mistaken for one of them."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces and parentheses; the fields after its last ")" do not.
            fields = entry.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append((int(entry.parent.name), fields[19]))
    found, waiting = set(), [pid]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.add(child)
            waiting.append(child[0])
    return found


def _still_running(process: tuple[int, str]) -> bool:
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{process[0]}/stat").read_text().rsplit(")", 1)[1].split()
        return stat[0] != "Z" and stat[19] == process[1]
    return False


def site_host(host: str) -> str:
    """The host name links should use for a server bound to ``host``."""
    return "127.0.0.1" if host in {"0.0.0.0", "", "::", "[::]"} else host  # noqa: S104 (a comparison, not a bind)


def json_line(line: str, *, process: str) -> str:
    """A child's log line as JSON, marked with the process it came from; a
    line that is not JSON already (a crash before logging is set up) is
    wrapped, so that every line of the output parses."""
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if not isinstance(entry, dict):
        record = logging.LogRecord(process, logging.INFO, "", 0, line, None, None)
        entry = json.loads(JsonFormatter().format(record))
    entry["process"] = process
    return json.dumps(entry, ensure_ascii=False)


try:  # loaded here: a forked child must not load libraries while threads run
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """Linux only: a child gets SIGTERM if this command is killed outright."""
    if _LIBC is not None:
        pr_set_pdeathsig = 1
        _LIBC.prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = "Start web (gunicorn), Celery worker and Celery beat together; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, web_workers: int, **options):
        python = sys.executable
        programs = {name: [python, "-m", *command] for name, command in PROCESS_COMMANDS.items()}
        programs["web"] += ["--bind", f"{host}:{port}", "--workers", str(web_workers)]
        self.json_lines = settings.LOG_FORMAT == "json"
        self.last_output = time.monotonic()
        self.started = {name: threading.Event() for name in READY_MARKERS}
        url = f"http://{site_host(host)}:{port}/"
        environment = dict(os.environ)
        # Links in messages to clients must reach this server unless the
        # operator named another address.
        environment.setdefault("SITE_URL", url.rstrip("/"))
        children: dict[str, subprocess.Popen] = {}
        stopping = threading.Event()
        received: list[int] = []

        def request_stop(signum, frame):
            received.append(signum)
            stopping.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        for name, command in programs.items():
            children[name] = subprocess.Popen(  # noqa: S603 (fixed commands, no user input)
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                preexec_fn=_die_with_parent,
            )
            threading.Thread(target=self._relay, args=(name, children[name]), daemon=True).start()

        threading.Thread(target=self._announce_when_ready, args=(url, stopping), daemon=True).start()

        exit_code = 0
        while not stopping.is_set():
            for name, child in children.items():
                if child.poll() is not None:
                    self._say(f"serve: {name} exited with code {child.returncode}; stopping the others.", error=True)
                    exit_code = 1
                    stopping.set()
                    break
            stopping.wait(0.5)

        # Ctrl-C reached the whole group already; anything else is passed on.
        interrupted_by_terminal = received[:1] == [signal.SIGINT]
        self._stop(children, forward=not interrupted_by_terminal)
        if exit_code:
            sys.exit(exit_code)

    def _relay(self, name: str, child: subprocess.Popen) -> None:
        marker = READY_MARKERS.get(name)
        for line in child.stdout:
            # What a child prints outside its logging (a library's own
            # output, a traceback on stderr) is masked too.
            line = scrub_text(line.rstrip())
            self.last_output = time.monotonic()
            if marker and marker in line:
                self.started[name].set()
            if self.json_lines:
                if line.strip():
                    self.stdout.write(json_line(line, process=name))
            else:
                self.stdout.write(f"{name:>6} | {line}")

    def _announce_when_ready(self, url: str, stopping: threading.Event) -> None:
        """Print the address and logins last, once the web server answers, the
        worker and beat have started and their start-up output has passed."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not stopping.is_set():
            if all(event.is_set() for event in self.started.values()) and self._answers(url):
                break
            time.sleep(0.5)
        else:
            if not stopping.is_set():
                waiting = [name for name, event in self.started.items() if not event.is_set()] or ["web"]
                self._say(
                    f"serve: still waiting for {', '.join(waiting)} after {READY_TIMEOUT_SECONDS} s "
                    f"(is {url} in ALLOWED_HOSTS?)",
                    error=True,
                )
            return
        while time.monotonic() - self.last_output < SETTLE_SECONDS and time.monotonic() < deadline:
            time.sleep(0.2)
        logins = "manager, reception, therapist1 … therapist4"
        lines = [
            f"Salon is running at {url}",
            f"Demo logins: {logins} — password: {settings.DEMO_PASSWORD}",
            f"The manager also enters a code: add the key {DEMO_MANAGER_TOTP_SECRET} to an authenticator app.",
            "Press Ctrl-C to stop web, worker and beat.",
        ]
        if self.json_lines:
            self.stdout.write(json_line(" ".join(lines), process="serve"))
        else:
            self.stdout.write(self.style.SUCCESS("\n" + "\n".join(lines) + "\n"))

    def _say(self, message: str, *, error: bool = False) -> None:
        if self.json_lines:
            record = logging.LogRecord("serve", logging.ERROR if error else logging.INFO, "", 0, message, None, None)
            self.stdout.write(json_line(JsonFormatter().format(record), process="serve"))
        else:
            (self.stderr if error else self.stdout).write(message)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url + "accounts/login/", timeout=2):  # noqa: S310 (our own server)
                return True
        except OSError:
            return False

    def _stop(self, children: dict[str, subprocess.Popen], *, forward: bool) -> None:
        # Noted now: a worker killed below would leave its pool processes
        # behind, no longer below this command.
        below = _descendants(os.getpid())
        if forward:
            self._signal_running(children, signal.SIGTERM)
        if self._wait(children, STOP_GRACE_SECONDS):
            self._say("serve: web, worker and beat stopped.")
        else:
            self._say("serve: still running after the grace period; terminating.", error=True)
            below |= _descendants(os.getpid())  # with any started meanwhile
            self._signal_running(children, signal.SIGTERM)
            if not self._wait(children, KILL_GRACE_SECONDS):
                self._say("serve: killing what is left.", error=True)
                self._signal_running(children, signal.SIGKILL)
                self._wait(children, KILL_GRACE_SECONDS)
        left_behind = [process for process in below if _still_running(process)]
        if left_behind:
            self._say(f"serve: {len(left_behind)} process(es) left behind; killing them.", error=True)
            for pid, _ in left_behind:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    @staticmethod
    def _signal_running(children: dict[str, subprocess.Popen], signum: int) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    @staticmethod
    def _wait(children: dict[str, subprocess.Popen], seconds: float) -> bool:
        """True when every child exited within ``seconds``."""
        deadline = time.monotonic() + seconds
        for child in children.values():
            try:
                child.wait(timeout=max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                return False
        return True
