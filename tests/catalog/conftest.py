import pytest
from django.core.cache import cache


@pytest.fixture
def page_cache_on(settings):
    """Visitors' pages and the public figures cached, in an empty cache (the tests' local memory)."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()
