"""The shared cache (``config.cache.RedisCache``) against a real Redis
server: one client kept for the process's life serves every thread, and
still works after Redis restarts."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from config.cache import RedisCache

pytestmark = pytest.mark.integration


def test_threads_share_the_cache_and_read_what_each_other_wrote(private_redis):
    cache = RedisCache(private_redis.url, {})

    def write_then_read(number: int):
        cache.set(f"answer:{number}", {"number": number, "starts": list(range(number))}, timeout=60)
        return cache.get(f"answer:{(number + 1) % 8}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write_then_read, range(8)))
        read = list(pool.map(write_then_read, range(8)))

    assert read == [{"number": (n + 1) % 8, "starts": list(range((n + 1) % 8))} for n in range(8)]


def test_the_cache_works_again_once_redis_is_back(private_redis):
    cache = RedisCache(private_redis.url, {})
    cache.set("salon:time_zone", "Europe/Berlin", timeout=60)

    private_redis.stop()
    with pytest.raises(redis.ConnectionError):
        cache.get("salon:time_zone")

    private_redis.start()  # an empty server: it keeps nothing on disk

    assert cache.get("salon:time_zone") is None
    cache.set("salon:time_zone", "Europe/London", timeout=60)
    assert cache.get("salon:time_zone") == "Europe/London"
