"""Where uploaded files live: on the file system, or in S3-compatible buckets when S3_BUCKET is set.

Without S3_BUCKET, media (product photos, logos: Django's "default" storage) stay under MEDIA_ROOT and private
files (application dossiers, province lists, signed MoUs: catalog.storage.PrivateFileStorage) under
PRIVATE_MEDIA_ROOT, as before.

With S3_BUCKET, media go to that bucket, whose objects visitors load directly (give it a public-read policy, or put
a CDN in front of it and name it in S3_CUSTOM_DOMAIN). Private files then go to S3_PRIVATE_BUCKET, which must be
another bucket that only the portal's credentials can read: the portal streams them through its
permission-checked views and never hands a visitor a URL to them (STORAGES["private"], used only by
PrivateFileStorage).

Every S3 request has short connect and read timeouts and few attempts, so an unreachable store fails the request
with botocore's error (it names the endpoint) within seconds instead of holding a worker.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The STORAGES alias of the private bucket; catalog.storage.PrivateFileStorage reads it at each use.
PRIVATE_STORAGE_ALIAS = "private"
S3_BACKEND = "storages.backends.s3.S3Storage"
DEFAULT_CONNECT_TIMEOUT = 3
DEFAULT_READ_TIMEOUT = 10
DEFAULT_MAX_ATTEMPTS = 2
ADDRESSING_STYLES = ("auto", "path", "virtual")


@dataclass(frozen=True)
class StorageSettings:
    storages: dict
    # Where visitors' browsers fetch media from when it is not the portal itself ("https://cdn.example.vn"), so
    # that the Content-Security-Policy's img-src can allow it; None for the file system.
    media_origin: str | None


def storage_settings(*, production: bool, environ: Mapping[str, str] = os.environ) -> StorageSettings:
    """Return STORAGES (and the media origin) for these environment variables."""
    staticfiles = {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    }
    bucket = _value(environ, "S3_BUCKET")
    private_bucket = _value(environ, "S3_PRIVATE_BUCKET")
    if not bucket:
        if private_bucket:
            raise ImproperlyConfigured("S3_PRIVATE_BUCKET is set but S3_BUCKET is not: set both, or neither.")
        return StorageSettings(
            storages={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": staticfiles,
            },
            media_origin=None,
        )
    if not private_bucket:
        raise ImproperlyConfigured(
            "S3_PRIVATE_BUCKET must be set with S3_BUCKET: application dossiers need a bucket of their own that "
            "visitors cannot read."
        )
    if private_bucket == bucket:
        raise ImproperlyConfigured("S3_PRIVATE_BUCKET must not be S3_BUCKET: the media bucket is readable by anyone.")

    connection = _connection_options(environ)
    custom_domain = _value(environ, "S3_CUSTOM_DOMAIN")
    url_protocol = _value(environ, "S3_URL_PROTOCOL") or "https:"
    if not url_protocol.endswith(":"):
        url_protocol += ":"
    media = {
        **connection,
        "bucket_name": bucket,
        "custom_domain": custom_domain,
        "url_protocol": url_protocol,
        # A public bucket's URLs need no signature; a bucket readable only with signed URLs sets this on.
        "querystring_auth": _bool(environ, "S3_QUERYSTRING_AUTH", default=False),
        "querystring_expire": _int(environ, "S3_QUERYSTRING_EXPIRE", 3600),
    }
    private = {
        **connection,
        "bucket_name": private_bucket,
        # Never used for a visitor (PrivateFileStorage refuses url()); signed if anything ever asked for one.
        "querystring_auth": True,
        "querystring_expire": 60,
    }
    return StorageSettings(
        storages={
            "default": {"BACKEND": S3_BACKEND, "OPTIONS": media},
            PRIVATE_STORAGE_ALIAS: {"BACKEND": S3_BACKEND, "OPTIONS": private},
            "staticfiles": staticfiles,
        },
        media_origin=_media_origin(
            custom_domain=custom_domain,
            url_protocol=url_protocol,
            endpoint_url=connection["endpoint_url"],
            virtual_host=bucket if connection["client_config"].s3["addressing_style"] == "virtual" else None,
        ),
    )


def _connection_options(environ: Mapping[str, str]) -> dict:
    """What both buckets share: where the store is, who the portal is, and how long it waits."""
    from botocore.config import Config

    endpoint_url = _value(environ, "S3_ENDPOINT_URL")
    if endpoint_url and urlsplit(endpoint_url).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"S3_ENDPOINT_URL must start with http:// or https://, not {endpoint_url!r}.")
    addressing_style = _value(environ, "S3_ADDRESSING_STYLE") or ("path" if endpoint_url else "auto")
    if addressing_style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}.")
    access_key = _value(environ, "S3_ACCESS_KEY_ID")
    secret_key = _value(environ, "S3_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither.")
    options = {
        "region_name": _value(environ, "S3_REGION"),
        "endpoint_url": endpoint_url,
        # Generated names (a UUID each) never collide; if one ever did, keep both files as the file system does.
        "file_overwrite": False,
        # No ACL on uploads: the bucket's policy decides who reads (buckets with ACLs disabled refuse them).
        "default_acl": None,
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style},
            connect_timeout=_int(environ, "S3_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
            read_timeout=_int(environ, "S3_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
            retries={"mode": "standard", "max_attempts": _int(environ, "S3_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)},
        ),
    }
    if access_key:
        # Otherwise boto3 finds credentials itself (AWS_* variables, an instance or pod role).
        options.update(access_key=access_key, secret_key=secret_key)
    return options


def _media_origin(
    *, custom_domain: str | None, url_protocol: str, endpoint_url: str | None, virtual_host: str | None
) -> str:
    if custom_domain:
        return f"{url_protocol}//{custom_domain.split('/', 1)[0]}"
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        host = f"{virtual_host}.{parts.netloc}" if virtual_host else parts.netloc
        return f"{parts.scheme}://{host}"
    # Amazon S3 itself: the bucket's host depends on the region and addressing style.
    return "https://*.amazonaws.com"


def _value(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def _bool(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = _value(environ, name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _value(environ, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {number}.")
    return number
