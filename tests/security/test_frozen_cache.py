"""A Redis that accepts connections and never answers (frozen, or its machine gone) is a cache miss, not a wait."""

import socket
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from django.urls import reverse

from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


class FrozenRedis:
    """A TCP server on loopback that takes every connection and reads what it is sent, and answers nothing."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(conn)

    def close(self):
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def frozen_cache(settings):
    server = FrozenRedis()
    config = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    with override_settings(CACHES=config, PAGE_CACHE_SECONDS=600):
        yield server
    caches["default"].close()
    server.close()


def test_each_operation_is_a_miss_and_one_timeout_leaves_redis_alone_for_a_while(frozen_cache):
    started = time.perf_counter()
    assert cache.get("anything", "default") == "default"
    assert time.perf_counter() - started < 2  # the 0.25 s timeout, not redis-py's default of waiting forever
    assert cache.add("marker", 1) is False
    assert cache.set("page", b"x") is None
    assert cache.get_many(["a", "b"]) == {}
    assert cache.incr("counter") == 0
    assert frozen_cache.connections == 1  # after the first timeout, nothing more was sent to it


def test_pages_are_drawn_from_the_database_while_the_cache_is_frozen(client, frozen_cache):
    product = ProductFactory()
    started = time.perf_counter()
    for url in (reverse("home"), reverse("catalog:product-list"), reverse("catalog:product-detail", args=[product.pk])):
        response = client.get(url)
        assert response.status_code == 200
    assert product.name in response.text
    assert time.perf_counter() - started < 5  # it was 15 s a page
    assert frozen_cache.connections == 1
