"""Run the web server, a Celery worker and Celery beat as one unit.

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

STOP_GRACE_SECONDS = 30  # gunicorn's own graceful timeout; time for a send in flight to finish
KILL_GRACE_SECONDS = 5
READY_TIMEOUT_SECONDS = 90


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


def _die_with_parent() -> None:
    """Linux only: a child gets SIGTERM if this command is killed outright."""
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = "Start web (gunicorn), Celery worker and Celery beat together; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, web_workers: int, **options):
        python = sys.executable
        programs = {
            "web": [
                python, "-m", "gunicorn", "salon.wsgi:application",
                "--bind", f"{host}:{port}",
                "--workers", str(web_workers),
                "--threads", "4",
                "--access-logfile", "-",
            ],
            "worker": [python, "-m", "celery", "-A", "salon", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [python, "-m", "celery", "-A", "salon", "beat", "--loglevel", "INFO"],
        }  # fmt: skip
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
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                preexec_fn=_die_with_parent,
            )
            threading.Thread(target=self._relay, args=(name, children[name]), daemon=True).start()

        url = f"http://{host}:{port}/"
        threading.Thread(target=self._announce_when_ready, args=(url, stopping), daemon=True).start()

        exit_code = 0
        while not stopping.is_set():
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"serve: {name} exited with code {child.returncode}; stopping the others.")
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
        for line in child.stdout:
            self.stdout.write(f"{name:>6} | {line.rstrip()}")

    def _announce_when_ready(self, url: str, stopping: threading.Event) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not stopping.is_set():
            try:
                with urllib.request.urlopen(url + "accounts/login/", timeout=2):  # noqa: S310 (our own server)
                    break
            except OSError:
                time.sleep(0.5)
        else:
            return
        logins = "manager, reception, therapist1 … therapist4"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSalon is running at {url}\n"
                f"Demo logins: {logins} — password: {settings.DEMO_PASSWORD}\n"
                "Press Ctrl-C to stop web, worker and beat.\n"
            )
        )

    def _stop(self, children: dict[str, subprocess.Popen], *, forward: bool) -> None:
        # Noted now: a worker killed below would leave its pool processes
        # behind, no longer below this command.
        below = _descendants(os.getpid())
        if forward:
            self._signal_running(children, signal.SIGTERM)
        if self._wait(children, STOP_GRACE_SECONDS):
            self.stdout.write("serve: web, worker and beat stopped.")
        else:
            self.stderr.write("serve: still running after the grace period; terminating.")
            below |= _descendants(os.getpid())  # with any started meanwhile
            self._signal_running(children, signal.SIGTERM)
            if not self._wait(children, KILL_GRACE_SECONDS):
                self.stderr.write("serve: killing what is left.")
                self._signal_running(children, signal.SIGKILL)
                self._wait(children, KILL_GRACE_SECONDS)
        left_behind = [process for process in below if _still_running(process)]
        if left_behind:
            self.stderr.write(f"serve: {len(left_behind)} process(es) left behind; killing them.")
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
