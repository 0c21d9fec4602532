"""The process's own memory (``CACHES["process"]``): the values kept are the
very objects set, they go after their time, and the oldest go first when full."""

import time

from config.cache import ProcessMemoryCache


def memory(**options) -> ProcessMemoryCache:
    return ProcessMemoryCache(f"test-{time.monotonic_ns()}", {"OPTIONS": options})


def test_a_value_is_shared_not_copied():
    cache = memory()
    answer = (["10:00", "11:15"], "until")

    cache.set("answer", answer, timeout=60)

    assert cache.get("answer") is answer
    assert cache.add("answer", "other", timeout=60) is False
    assert cache.get("answer") is answer


def test_a_value_goes_after_its_time(monkeypatch):
    cache = memory()
    now = time.time()
    cache.set("zone", "Europe/Berlin", timeout=10)

    monkeypatch.setattr(time, "time", lambda: now + 11)

    assert cache.get("zone") is None
    assert cache.add("zone", "Europe/London", timeout=10) is True
    assert cache.get("zone") == "Europe/London"


def test_when_full_the_least_recently_used_go_first():
    cache = memory(MAX_ENTRIES=3, CULL_FREQUENCY=3)
    for name in ("a", "b", "c"):
        cache.set(name, name.upper(), timeout=60)
    cache.get("a")  # used again: now the most recent

    cache.set("d", "D", timeout=60)

    assert cache.get("a") == "A"
    assert cache.get("b") is None
    assert cache.get("d") == "D"


def test_counting_up_keeps_the_count():
    cache = memory()
    cache.set("tries", 1, timeout=60)

    assert cache.incr("tries") == 2
    assert cache.get("tries") == 2
