"""Media and private files in S3-compatible buckets (ocop_portal/storages.py, catalog/storage.py).

Against a real SeaweedFS S3 server on loopback (tests/s3_server.py), started once for the session: photos go to
the public bucket and pages show their URLs there; dossier documents go to the private bucket, which visitors
cannot read, and come out only through the permission-checked download view; an unreachable store fails fast.
"""

import io
import socket
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.urls import reverse
from PIL import Image

from accounts.roles import Actor
from catalog import services
from catalog import storage as catalog_storage
from catalog.models import ApplicationDocument
from catalog.storage import PrivateFileSystemStorage, private_storage
from ocop_portal.storages import PRIVATE_STORAGE_ALIAS, storage_settings
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, jpeg_upload
from tests.catalog.test_application_views import PDF, make_cycle, pdf_upload
from tests.s3_server import S3Server, free_port

# How long a request to an unreachable store may take with the tests' 1 s timeouts and a single attempt.
FAIL_FAST_SECONDS = 5


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3")).start()
    yield server
    server.stop()


def use_s3(settings, environ):
    """Point the portal's storages at S3 as these environment variables would (Django resets its storages)."""
    settings.STORAGES = storage_settings(production=False, environ=environ).storages


@pytest.fixture
def s3(settings, s3_server):
    use_s3(settings, s3_server.environ())
    return s3_server


@pytest.fixture
def maker():
    return UserFactory(organisation=ProducerFactory(legal_form="cooperative"))


@pytest.fixture
def application(producer):
    product = ProductFactory(producer=producer.organisation, name="Trà mãng cầu")
    actor = Actor(user=producer, organisation=producer.organisation)
    return services.application_create(actor=actor, product=product, cycle=make_cycle())


def http_get(url):
    """Fetch a URL as a visitor's browser would: no credentials."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (the test server's http URL)
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def download_url(application, document):
    return reverse("catalog:application-document", args=[application.pk, document.pk])


# ---------- Settings from the environment ----------


def test_without_s3_bucket_files_stay_on_the_file_system():
    config = storage_settings(production=False, environ={})
    assert config.storages == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert config.media_origin is None
    assert storage_settings(production=True, environ={}).storages["staticfiles"] == {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }


def test_private_storage_looks_for_the_entry_the_settings_make():
    assert catalog_storage.PRIVATE_STORAGE_ALIAS == PRIVATE_STORAGE_ALIAS


def test_the_test_settings_use_the_file_system(settings):
    assert PRIVATE_STORAGE_ALIAS not in settings.STORAGES
    assert isinstance(storages["default"], FileSystemStorage)
    assert isinstance(private_storage.backend, PrivateFileSystemStorage)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"S3_PRIVATE_BUCKET": "private"}, "S3_BUCKET is not"),
        ({"S3_BUCKET": "media"}, "S3_PRIVATE_BUCKET must be set"),
        ({"S3_BUCKET": "media", "S3_PRIVATE_BUCKET": "media"}, "must not be S3_BUCKET"),
        ({"S3_BUCKET": "m", "S3_PRIVATE_BUCKET": "p", "S3_ACCESS_KEY_ID": "key"}, "go together"),
        ({"S3_BUCKET": "m", "S3_PRIVATE_BUCKET": "p", "S3_ENDPOINT_URL": "127.0.0.1:8333"}, "http:// or https://"),
        ({"S3_BUCKET": "m", "S3_PRIVATE_BUCKET": "p", "S3_READ_TIMEOUT": "soon"}, "whole number"),
        ({"S3_BUCKET": "m", "S3_PRIVATE_BUCKET": "p", "S3_QUERYSTRING_AUTH": "maybe"}, "true or false"),
        ({"S3_BUCKET": "m", "S3_PRIVATE_BUCKET": "p", "S3_ADDRESSING_STYLE": "dns"}, "S3_ADDRESSING_STYLE"),
    ],
)
def test_incomplete_s3_settings_stop_with_a_message(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storage_settings(production=False, environ=environ)


def test_s3_settings_have_short_timeouts_and_a_separate_private_bucket():
    config = storage_settings(production=True, environ={"S3_BUCKET": "media", "S3_PRIVATE_BUCKET": "dossiers"})
    media, private = config.storages["default"], config.storages[PRIVATE_STORAGE_ALIAS]
    assert media["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (media["OPTIONS"]["bucket_name"], private["OPTIONS"]["bucket_name"]) == ("media", "dossiers")
    assert media["OPTIONS"]["querystring_auth"] is False
    for options in (media["OPTIONS"], private["OPTIONS"]):
        client_config = options["client_config"]
        assert (client_config.connect_timeout, client_config.read_timeout) == (3, 10)
        assert client_config.retries == {"mode": "standard", "max_attempts": 2}
        assert options["file_overwrite"] is False
        assert "access_key" not in options  # boto3's own credential chain
    assert config.media_origin == "https://*.amazonaws.com"


def test_a_custom_domain_makes_the_media_urls_and_origin(settings):
    environ = {
        "S3_BUCKET": "media",
        "S3_PRIVATE_BUCKET": "dossiers",
        "S3_CUSTOM_DOMAIN": "anh.ocop.example.vn",
        "S3_ACCESS_KEY_ID": "key",
        "S3_SECRET_ACCESS_KEY": "secret",
        "S3_REGION": "ap-southeast-1",
    }
    config = storage_settings(production=True, environ=environ)
    settings.STORAGES = config.storages
    assert default_storage.url("products/a b.jpg") == "https://anh.ocop.example.vn/products/a%20b.jpg"
    assert config.media_origin == "https://anh.ocop.example.vn"
    with pytest.raises(ValueError, match="no public URL"):
        private_storage.url("applications/x.pdf")


@pytest.mark.parametrize(
    ("extra", "origin"),
    [
        ({}, "https://s3.example.vn:9000"),
        ({"S3_ADDRESSING_STYLE": "virtual"}, "https://media.s3.example.vn:9000"),
        ({"S3_CUSTOM_DOMAIN": "cdn.example.vn/ocop", "S3_URL_PROTOCOL": "http"}, "http://cdn.example.vn"),
    ],
)
def test_the_media_origin_is_where_browsers_fetch_photos(extra, origin):
    environ = {"S3_BUCKET": "media", "S3_PRIVATE_BUCKET": "p", "S3_ENDPOINT_URL": "https://s3.example.vn:9000"}
    assert storage_settings(production=True, environ={**environ, **extra}).media_origin == origin


# ---------- Media: the public bucket ----------


@pytest.mark.django_db
def test_an_uploaded_photo_is_in_the_public_bucket_at_the_url_the_page_shows(
    client, s3, maker, django_capture_on_commit_callbacks
):
    product = ProductFactory(producer=maker.organisation, name="Mứt dừa Bến Tre")
    client.force_login(maker)
    response = client.post(
        reverse("catalog:my-product-photos", args=[product.pk]),
        {"image": jpeg_upload("IMG_0001.jpg"), "alt_text": "Hộp mứt"},
    )
    assert response.status_code == 302
    photo = product.photos.get()

    names = {photo.image.name, photo.thumbnail_small.name, photo.thumbnail_large.name}
    assert names <= s3.keys(s3.public_bucket)
    assert not names & s3.keys(s3.private_bucket)
    assert photo.image.url == f"{s3.endpoint_url}/{s3.public_bucket}/{photo.image.name}"

    client.logout()
    page = client.get(product.get_absolute_url()).content.decode()
    assert f'href="{photo.image.url}"' in page
    assert f'src="{photo.thumbnail_large.url}"' in page

    # The browser loads them straight from the bucket, with no credentials.
    status, content_type, body = http_get(photo.image.url)
    assert (status, content_type) == (200, "image/jpeg")
    with Image.open(io.BytesIO(body)) as image:
        assert (image.format, image.size) == ("JPEG", (photo.width, photo.height)) == ("JPEG", (640, 480))
    status, content_type, body = http_get(photo.thumbnail_large.url)
    assert (status, content_type) == (200, "image/webp")

    # Deleting a photo (not a published product's last) deletes its files from the bucket too.
    client.force_login(maker)
    client.post(reverse("catalog:my-product-photos", args=[product.pk]), {"image": jpeg_upload()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalog:my-photo-delete", args=[product.pk, photo.pk]))
    assert not product.photos.filter(pk=photo.pk).exists()
    assert not names & s3.keys(s3.public_bucket)


# ---------- Private files: the private bucket ----------


@pytest.mark.django_db
def test_a_dossier_document_is_in_the_private_bucket_and_only_the_view_serves_it(
    client, settings, s3, application, producer, staff, other_producer, buyer, plain_staff
):
    client.force_login(producer)
    response = client.post(
        reverse("catalog:my-application-detail", args=[application.pk]),
        {"action": "upload", "kind": ApplicationDocument.Kind.REGISTRATION_FORM, "file": pdf_upload("Phiếu.pdf")},
    )
    assert response.status_code == 302
    document = application.documents.get()

    assert document.file.name in s3.keys(s3.private_bucket)
    assert document.file.name not in s3.keys(s3.public_bucket)
    assert not settings.PRIVATE_MEDIA_ROOT.exists() or not any(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))
    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018
    # A visitor who guesses the object's address is refused by the store itself.
    status, _type, body = http_get(f"{s3.endpoint_url}/{s3.private_bucket}/{document.file.name}")
    assert status == 403
    assert PDF not in body

    for allowed in (producer, staff):
        client.force_login(allowed)
        response = client.get(download_url(application, document))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF

    for refused in (other_producer, buyer, plain_staff):
        client.force_login(refused)
        assert client.get(download_url(application, document)).status_code == 404
    client.logout()
    response = client.get(download_url(application, document))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_document_missing_from_the_bucket_is_not_found(client, s3, application, producer):
    client.force_login(producer)
    client.post(
        reverse("catalog:my-application-detail", args=[application.pk]),
        {"action": "upload", "kind": ApplicationDocument.Kind.REGISTRATION_FORM, "file": pdf_upload()},
    )
    document = application.documents.get()
    s3.client().delete_object(Bucket=s3.private_bucket, Key=document.file.name)
    assert client.get(download_url(application, document)).status_code == 404


@pytest.mark.django_db
def test_private_storage_saves_opens_and_deletes_in_the_private_bucket(s3):
    data = b"PK\x03\x04 the province's list"
    name = private_storage.save("imports/danh-sach.xlsx", io.BytesIO(data))
    assert name in s3.keys(s3.private_bucket)
    assert private_storage.exists(name)
    assert private_storage.size(name) == len(data)
    with private_storage.open(name) as stored:
        assert stored.read() == data
    # Names are never overwritten, as on the file system.
    again = private_storage.save("imports/danh-sach.xlsx", io.BytesIO(b"other"))
    assert again != name
    private_storage.delete(name)
    private_storage.delete(again)
    assert not {name, again} & s3.keys(s3.private_bucket)


# ---------- An unreachable store ----------


@pytest.fixture
def black_hole():
    """An address that takes the connection and never answers (an overloaded or wedged store)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def short_waits(server, endpoint_url):
    return server.environ(
        S3_ENDPOINT_URL=endpoint_url, S3_CONNECT_TIMEOUT="1", S3_READ_TIMEOUT="1", S3_MAX_ATTEMPTS="1"
    )


@pytest.mark.django_db
def test_a_photo_upload_to_a_store_that_is_down_fails_at_once_with_the_endpoint_named(
    client, settings, s3_server, maker
):
    down = f"http://127.0.0.1:{free_port()}"
    use_s3(settings, short_waits(s3_server, down))
    product = ProductFactory(producer=maker.organisation)
    client.force_login(maker)
    started = time.monotonic()
    with pytest.raises(EndpointConnectionError, match=f'Could not connect to the endpoint URL: "{down}/'):
        client.post(reverse("catalog:my-product-photos", args=[product.pk]), {"image": jpeg_upload()})
    assert time.monotonic() - started < FAIL_FAST_SECONDS
    assert not product.photos.exists()


@pytest.mark.django_db
def test_a_download_from_a_store_that_never_answers_times_out_instead_of_hanging(
    client, settings, s3, application, producer, black_hole
):
    client.force_login(producer)
    client.post(
        reverse("catalog:my-application-detail", args=[application.pk]),
        {"action": "upload", "kind": ApplicationDocument.Kind.REGISTRATION_FORM, "file": pdf_upload()},
    )
    document = application.documents.get()

    use_s3(settings, short_waits(s3, black_hole))
    started = time.monotonic()
    with pytest.raises((ReadTimeoutError, ConnectTimeoutError), match=black_hole):
        client.get(download_url(application, document))
    assert time.monotonic() - started < FAIL_FAST_SECONDS
