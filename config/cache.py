"""Two cache backends of our own: Django's Redis cache with one Redis client
kept for the process's life, and a memory of the process's own that shares
its values rather than copying them.

For Redis: Django's own backend builds a new ``redis.Redis`` around its connection pool
on every call, and building one fills a table of about 170 response
callbacks: about a sixth of a millisecond, more than the round trip to Redis
it prepares. A client is safe to share between threads (each command takes a
connection from the pool), so one is enough."""

from django.core.cache.backends import locmem
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT


class ReusedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class ProcessMemoryCache(locmem.LocMemCache):
    """Django's memory cache (per process, thread-safe, least recently used
    out first) without pickling: ``get`` returns the very object that was
    ``set``, shared by every request of the process. A page asks for half a
    dozen remembered answers, and unpickling them (model instances among
    them) cost more than all the rest of the page's work. Only for values no
    one changes after they are kept: remembered free times
    (``sessions.availability_cache``), a zone's name."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key {key!r} not found")
            value = self._cache[key] + delta
            self._cache[key] = value
            self._cache.move_to_end(key, last=False)
        return value
