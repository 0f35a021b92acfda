"""Where the database is: DATABASE_URL, or an embedded PostgreSQL kept under var/."""

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ImproperlyConfigured

EMBEDDED_DATABASE_NAME = "ocop"
POSTGRES_ENGINES = {"django.db.backends.postgresql"}


def config(*, base_dir: Path) -> dict:
    """Return Django's DATABASES["default"] for this process."""
    url = os.environ.get("DATABASE_URL", "").strip()
    settings = from_url(url) if url else embedded(base_dir / "var" / "pgdata")
    settings.update(
        {
            "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    )
    return settings


def from_url(url: str) -> dict:
    import dj_database_url

    try:
        settings = dj_database_url.parse(url)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({error}).") from None
    if settings.get("ENGINE") not in POSTGRES_ENGINES:
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://user:password@host:port/name).")
    if not settings.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database (…/name at its end).")
    return settings


def embedded(pgdata: Path) -> dict:
    """Start (or reuse) the pgserver instance whose data lives in `pgdata`."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine here.
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed."
        ) from None
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running between commands; `make stop-db` stops it.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    uri = urlparse(server.get_uri())
    host = parse_qs(uri.query).get("host", [""])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DATABASE_NAME,
        "USER": uri.username or "postgres",
        "PASSWORD": "",
        "HOST": host or uri.hostname or "",
        "PORT": str(uri.port or ""),
    }
