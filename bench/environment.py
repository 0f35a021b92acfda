"""The benchmark's process environment: the production settings, with local values for the secrets.

Set before Django starts (here and in the gunicorn server the benchmark launches), so the measured
stack is the production one: DEBUG off, the cached template loader, manifest static files, HTTPS
settings (the load generator sends X-Forwarded-Proto: https, as the reverse proxy does).
"""

import os
import secrets
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "var" / "bench"
REDIS_URL = "redis://127.0.0.1:6379/9"


def redis_reachable(url: str) -> bool:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def configure(*, database_name: str) -> list[str]:
    """Set the environment for Django and return notes about what was chosen."""
    notes = []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    cache_url = os.environ.get("BENCH_CACHE_URL", REDIS_URL)
    if redis_reachable(cache_url):
        os.environ["CACHE_URL"] = cache_url
    else:
        os.environ.pop("CACHE_URL", None)
        notes.append(
            f"Redis is not reachable at {cache_url}: the page cache is per gunicorn worker (local memory), "
            "so warm numbers are lower than with a shared cache."
        )
    values = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PORTAL_URL": "https://127.0.0.1",
        "DEMO_MODE": "true",
        "BENCH_DATABASE_NAME": database_name,
        "STATIC_ROOT": str(OUTPUT / "static"),
        "MEDIA_ROOT": str(OUTPUT / "media"),
        "PRIVATE_MEDIA_ROOT": str(OUTPUT / "private"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "BENCH_FLOOR_DIR": str(OUTPUT / "floor"),
    }
    for name, value in values.items():
        os.environ[name] = value
    if not os.environ.get("PAGE_CACHE_SECONDS"):
        # The production default needs a shared cache; with local memory the bench still turns it on.
        os.environ["PAGE_CACHE_SECONDS"] = "600"
    return notes
