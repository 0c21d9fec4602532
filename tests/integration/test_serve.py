"""`manage.py serve` (what `make run` ends with): web, worker and beat come up
together and Ctrl-C stops all of them."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from config.demo_data import DEMO_MANAGER_TOTP_SECRET
from config.management.commands.serve import PROCESS_COMMANDS
from salon.roles import Role
from tests.factories import TEST_PASSWORD, ClientFactory, UserFactory
from tests.helpers import ROOT, child_env, wait_for

pytestmark = pytest.mark.integration


def process_group_members(pgid: int) -> list[str]:
    """What still runs in the group: one "pid stat command" line per process."""
    listing = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-g", str(pgid)], capture_output=True, text=True)
    return listing.stdout.splitlines()


def assert_every_child_exits(pgid: int, log) -> None:
    try:
        wait_for(lambda: not process_group_members(pgid), timeout=15, what="every child to exit")
    except AssertionError as timeout:
        left = "\n".join(process_group_members(pgid))
        raise AssertionError(f"{timeout}\nStill running:\n{left}\n{log.read_text()[-3000:]}") from None


def fetch(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def post_json(url: str, body: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def start_serve(port: int, log, stop_process_group, **env: str) -> subprocess.Popen:
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
        cwd=ROOT,
        env=child_env(**env),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    stop_process_group(serve)
    return serve


def test_serve_starts_web_worker_and_beat_and_ctrl_c_stops_them(
    transactional_db, stop_process_group, unused_tcp_port, tmp_path
):
    log = tmp_path / "serve.log"
    serve = start_serve(unused_tcp_port, log, stop_process_group, DEBUG="1")  # as `make run` does
    base = f"http://127.0.0.1:{unused_tcp_port}"

    wait_for(lambda: fetch(f"{base}/accounts/login/") == 200, timeout=90, what="the login page")
    wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker")
    wait_for(lambda: "Beat started:" in log.read_text(), timeout=60, what="beat")
    assert fetch(f"{base}/healthz") == 200
    assert f"Salon is running at {base}/" in wait_for(
        lambda: "Salon is running" in log.read_text() and log.read_text(), timeout=10, what="the banner"
    )
    assert "password: salon-demo" in log.read_text()
    assert f"add the key {DEMO_MANAGER_TOTP_SECRET} to an authenticator app" in log.read_text()
    assert len(process_group_members(serve.pid)) >= 4  # serve, gunicorn master + worker, celery, beat
    time.sleep(2)
    # Start-up is over: the banner with the logins is the last thing shown,
    # and development runs show no warnings meant for servers.
    output = log.read_text()
    assert output.rstrip().splitlines()[-1] == "Press Ctrl-C to stop web, worker and beat."
    assert "superuser privileges" not in output
    assert "No hostname was supplied" not in output

    os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C in the terminal does

    assert serve.wait(timeout=70) == 0, log.read_text()[-3000:]
    assert_every_child_exits(serve.pid, log)
    assert fetch(f"{base}/healthz") is None
    assert "serve: web, worker and beat stopped." in log.read_text()
    assert "worker: Warm shutdown" in log.read_text()
    assert "worker: Cold shutdown" not in log.read_text()  # running tasks are finished, not abandoned


def test_links_for_clients_follow_the_port_and_requests_are_logged_with_their_id(
    transactional_db, stop_process_group, unused_tcp_port, tmp_path
):
    """`make run PORT=8291`: an intake link from the API opens on that port."""
    UserFactory(username="desk", roles=[Role.RECEPTIONIST])
    client = ClientFactory()
    log = tmp_path / "serve.log"
    start_serve(unused_tcp_port, log, stop_process_group)
    base = f"http://127.0.0.1:{unused_tcp_port}"
    wait_for(lambda: "Salon is running" in log.read_text(), timeout=90, what="the banner")

    token = post_json(f"{base}/api/v1/auth/token/", {"username": "desk", "password": TEST_PASSWORD})["token"]
    link = post_json(f"{base}/api/v1/clients/{client.pk}/intake-link/", {}, token=token)["url"]

    assert link.startswith(f"{base}/forms/intake/")
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # the link's session is a cookie
    with browser.open(link, timeout=10) as response:
        assert response.status == 200
        assert response.url == f"{base}/forms/intake/"  # the token moved out of the address
        page = response.read().decode()
    assert client.given_name in page
    with urllib.request.urlopen(f"{base}/favicon.ico", timeout=5) as response:
        assert response.status == 200
        request_id = response.headers["X-Request-ID"]
    wait_for(lambda: f"request_id={request_id}" in log.read_text(), timeout=10, what="the access line")
    assert "GET /favicon.ico" in log.read_text()
    assert "GET /forms/intake/[redacted]/" in log.read_text()
    assert link.rstrip("/").rsplit("/", 1)[1] not in log.read_text()  # the link's token is not logged


def test_json_logs_give_one_object_per_line_for_web_worker_and_beat(
    transactional_db, stop_process_group, unused_tcp_port, tmp_path
):
    """`LOG_FORMAT=json make run`: every line parses, whatever process wrote it."""
    log = tmp_path / "serve.log"
    serve = start_serve(unused_tcp_port, log, stop_process_group, LOG_FORMAT="json")
    wait_for(lambda: "Salon is running" in log.read_text(), timeout=90, what="the banner")
    assert fetch(f"http://127.0.0.1:{unused_tcp_port}/healthz") == 200
    # The worker writes the access line after the answer has gone; Ctrl-C before that would lose it.
    wait_for(lambda: '"path": "/healthz"' in log.read_text(), timeout=10, what="the access line")

    os.killpg(serve.pid, signal.SIGINT)
    assert serve.wait(timeout=70) == 0, log.read_text()[-3000:]

    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert {entry["process"] for entry in entries} == {"web", "worker", "beat", "serve"}
    assert all({"time", "level", "logger", "message", "request_id"} <= set(entry) for entry in entries)
    access = next(entry for entry in entries if entry["logger"] == "gunicorn.access" and entry["path"] == "/healthz")
    assert access["status"] == 200
    assert len(access["request_id"]) == 32
    assert any(entry["message"].endswith(" ready.") for entry in entries if entry["process"] == "worker")
    assert any("Salon is running" in entry["message"] for entry in entries if entry["process"] == "serve")


def test_a_sigterm_to_serve_alone_is_passed_on(transactional_db, stop_process_group, unused_tcp_port, tmp_path):
    log = tmp_path / "serve.log"
    serve = start_serve(unused_tcp_port, log, stop_process_group)
    wait_for(lambda: "Beat started:" in log.read_text() and "ready." in log.read_text(), timeout=60, what="start")
    wait_for(lambda: fetch(f"http://127.0.0.1:{unused_tcp_port}/healthz") == 200, timeout=60, what="web")

    serve.send_signal(signal.SIGTERM)

    assert serve.wait(timeout=70) == 0, log.read_text()[-3000:]
    assert_every_child_exits(serve.pid, log)
    assert "serve: web, worker and beat stopped." in log.read_text()


def test_serve_stops_everything_when_one_part_dies(transactional_db, stop_process_group, unused_tcp_port, tmp_path):
    log = tmp_path / "serve.log"
    serve = start_serve(unused_tcp_port, log, stop_process_group)
    wait_for(lambda: "Beat started:" in log.read_text(), timeout=60, what="beat")
    beat_command = " ".join(PROCESS_COMMANDS["beat"])
    beat_pids = subprocess.run(["pgrep", "-g", str(serve.pid), "-f", beat_command], capture_output=True)
    beat_pid = int(beat_pids.stdout.split()[0])

    os.kill(beat_pid, signal.SIGKILL)

    assert serve.wait(timeout=40) == 1
    assert "beat exited" in log.read_text()
    assert_every_child_exits(serve.pid, log)


def test_serve_finds_grandchildren_it_must_not_leave_behind():
    """What serve kills when a child had to be killed and left its own
    children (a Celery pool) behind: everything below it, and nothing once gone."""
    from config.management.commands.serve import _descendants, _still_running

    shell = subprocess.Popen(["sh", "-c", "sleep 30 & wait"])
    try:
        wait_for(lambda: len(_descendants(shell.pid)) == 1, timeout=5, what="the grandchild")
        found = _descendants(os.getpid())
        assert shell.pid in {pid for pid, _ in found}
        grandchild = next(iter(_descendants(shell.pid)))
        assert grandchild in found
        assert _still_running(grandchild)
        assert not _still_running((grandchild[0], "0"))  # another start time: a reused pid, not this process
    finally:
        shell.kill()
        shell.wait()
    os.kill(grandchild[0], signal.SIGKILL)
    wait_for(lambda: not _still_running(grandchild), timeout=5, what="the grandchild to go")
