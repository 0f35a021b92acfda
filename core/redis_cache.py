"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's client builds a new `redis.Redis` object for every cache operation, and redis-py fills a table of
about 170 response callbacks in each: on a page served from the cache (two operations) that costs more than
the round trips. The client objects are thread-safe and hold no connection themselves (the pool does),
so one per pool is enough.

And a Redis that is down or frozen must not hold pages up (RedisCache below).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, for which a Redis that does not answer is a cache miss, never a wait.

    The connection and each reply wait at most `socket_connect_timeout` / `socket_timeout` (CACHE_TIMEOUT_SECONDS
    in the settings). An operation that fails is logged and answered as a miss (a read finds nothing, a write
    stores nothing), and for the next RETRY_SECONDS this process does not ask Redis at all: a frozen Redis costs
    one timeout per process, not one per operation of every request. The page cache and the figures then work
    as if empty: pages are drawn from the database.
    """

    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0

    def _guarded(self, operation, miss, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return miss
        try:
            return operation(*args, **kwargs)
        except RedisError as error:
            self._down_until = time.monotonic() + self.RETRY_SECONDS
            logger.warning("The cache did not answer (%s); treated as empty for %s s", error, self.RETRY_SECONDS)
            return miss

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded(super().delete_many, None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as Django's contract says; only a silent Redis is a miss.
        return self._guarded(super().incr, 0, key, delta, version)

    def clear(self):
        return self._guarded(super().clear, False)
