"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's client builds a new `redis.Redis` object for every cache operation, and redis-py fills a table of
about 170 response callbacks in each: on a page served from the cache (two operations) that costs more than
the round trips. The client objects are thread-safe and hold no connection themselves (the pool does),
so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
