"""Hostile files on every upload field, and the types uploaded files are served with.

The hostile set is made here with Pillow and the standard library (real images, archives and markup): a
decompression bomb, a real image with too many pixels, an SVG carrying a script, polyglots (a JPEG that is also
an HTML page, a JPEG with a ZIP/JAR archive behind it), a file whose name lies about its type, and an empty file.
Each is posted to every upload field of the portal (the members' forms, the staff's admin and the import) and
must be refused with a message beside the field, without one row written or one file stored.
"""

import io
import os
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from catalog.models import ApplicationDocument, ImportBatch
from catalog.storage import private_file_response, private_storage
from core.uploads import hidden_content_find
from events.models import MoU
from tests.security.conftest import TINY_PDF
from tests.security.db_writes import recorded_writes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, security_media):
    """Overrides the root fixture: requests must find the files the module's world stored."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = security_media


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in their English source text."""
    with translation.override("en"):
        yield


# --- The hostile set ------------------------------------------------------------------------------------------

HTML = b"<!doctype html><html><body><script>fetch('/accounts/me/').then(r => r.text())</script></body></html>"


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def photo_jpeg() -> bytes:
    """A real photo-like JPEG: a gradient with some noise."""
    image = Image.linear_gradient("L").resize((480, 360)).convert("RGB")
    return encode(Image.blend(image, Image.effect_noise((480, 360), 40).convert("RGB"), 0.3), "JPEG", quality=90)


def png_declaring(width: int, height: int) -> bytes:
    """A real 1x1 PNG made by Pillow whose header is then rewritten to claim width x height (CRC fixed)."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    header_start = 8 + 4  # signature, then the IHDR chunk's length
    data[header_start + 4 : header_start + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[header_start : header_start + 17]))
    data[header_start + 17 : header_start + 21] = struct.pack(">I", crc)
    return bytes(data)


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: Payload\n")
        archive.writestr("index.html", HTML)
    return buffer.getvalue()


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    content_type: str

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.data, content_type=self.content_type)


@cache
def hostile_files() -> dict[str, Hostile]:
    return {
        # 900 megapixels declared in a file of a few dozen bytes.
        "decompression-bomb": Hostile("anh.png", png_declaring(30_000, 30_000), "image/png"),
        # A real, well-formed image of 8000 x 6000 = 48 megapixels (the limit is 40).
        "huge-dimensions": Hostile("anh-lon.png", encode(Image.new("L", (8000, 6000), 200), "PNG"), "image/png"),
        "svg-with-script": Hostile(
            "logo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
            b'<rect width="10" height="10"/></svg>',
            "image/svg+xml",
        ),
        "polyglot-html": Hostile("anh.jpg", photo_jpeg() + HTML, "image/jpeg"),
        "polyglot-jar": Hostile("anh.jpg", photo_jpeg() + zip_archive(), "image/jpeg"),
        "empty": Hostile("anh.jpg", b"", "image/jpeg"),
    }


# What each field says about each file (the error codes of core.images and catalog.documents).
IMAGE_CODES = {
    "decompression-bomb": "too_many_pixels",
    "huge-dimensions": "too_many_pixels",
    "svg-with-script": "svg_not_allowed",
    "polyglot-html": "hidden_content",
    "polyglot-jar": "hidden_content",
    "empty": "empty",
    # A real PDF named like a photo.
    "wrong-extension": "not_an_image",
}
DOCUMENT_CODES = {
    **IMAGE_CODES,
    "svg-with-script": "unsupported_document",
    # An HTML page named like the PDF the field expects.
    "wrong-extension": "unsupported_document",
}
WRONG_EXTENSION = {
    "image": Hostile("anh-san-pham.jpg", TINY_PDF, "image/jpeg"),
    "document": Hostile("giay-phep.pdf", HTML, "application/pdf"),
    "import": Hostile("danh-sach.xlsx", TINY_PDF, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def hostile(kind: str, family: str) -> Hostile:
    return WRONG_EXTENSION[family] if kind == "wrong-extension" else hostile_files()[kind]


HOSTILE_KINDS = [*hostile_files(), "wrong-extension"]


# --- Posting to each field ------------------------------------------------------------------------------------


def sign_in(client, world, role):
    if role == "superuser":
        user = get_user_model().objects.create_superuser(email="quantri@sct.example", password="quan-tri-he-thong")
    else:
        user = world.users[role]
    client.force_login(user)


def admin_form_data(response) -> dict:
    """What the admin's change form would send back unchanged: every field's value and the inlines' forms."""

    def value_of(bound_field):
        value = bound_field.value()
        if value is None or value is False:
            return None
        if value is True:
            return "on"
        if isinstance(value, (list, tuple)):
            return [str(item) for item in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms += list(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled or getattr(field.widget, "input_type", None) == "file":
                continue
            value = value_of(form[name])
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def organisation_form_data(world) -> dict:
    organisation = world.producer_a
    return {
        "name": organisation.name,
        "tax_code": organisation.tax_code,
        "province": organisation.province_id,
        "ward": organisation.ward_id,
        "street_address": organisation.street_address,
        "phone": organisation.phone,
        "email": "",
        "website": "",
        "description": "",
    }


@dataclass(frozen=True)
class UploadField:
    """One upload field: who may post it, where, with which other data, and the form that holds it."""

    role: str
    family: str  # image, document or import
    field: str
    url: object  # world -> path
    data: object  # (client, world, path) -> other form data
    form: object = lambda response: response.context["form"]


def _no_data(client, world, path):
    return {}


def _from_admin_page(client, world, path):
    return admin_form_data(client.get(path))


FIELDS = {
    "organisation-logo": UploadField(
        "producer_a",
        "image",
        "logo",
        lambda w: reverse("accounts:organisation-edit"),
        lambda c, w, p: organisation_form_data(w),
    ),
    "product-photo": UploadField(
        "producer_a",
        "image",
        "image",
        lambda w: reverse("catalog:my-product-photos", args=[w.product.pk]),
        lambda c, w, p: {"alt_text": "Hộp trà"},
    ),
    "application-document": UploadField(
        "producer_a",
        "document",
        "file",
        lambda w: reverse("catalog:my-application-detail", args=[w.application.pk]),
        lambda c, w, p: {"action": "upload", "kind": ApplicationDocument.Kind.BUSINESS_PLAN},
        lambda response: response.context["upload_form"],
    ),
    "admin-product-photo": UploadField(
        "superuser",
        "image",
        "new_photo",
        lambda w: reverse("admin:catalog_product_change", args=[w.product.pk]),
        # The shared world's product carries a barcode whose check digit the form refuses: send a valid one.
        lambda c, w, p: {**_from_admin_page(c, w, p), "gtin": "8935049500131"},
        lambda response: response.context["adminform"].form,
    ),
    "admin-organisation-logo": UploadField(
        "superuser",
        "image",
        "logo",
        lambda w: reverse("admin:accounts_organisation_change", args=[w.producer_a.pk]),
        _from_admin_page,
        lambda response: response.context["adminform"].form,
    ),
    "admin-mou-document": UploadField(
        "superuser",
        "document",
        "document",
        lambda w: reverse("admin:events_mou_change", args=[w.mou.pk]),
        _from_admin_page,
        lambda response: response.context["adminform"].form,
    ),
    "import-list": UploadField("superuser", "import", "file", lambda w: reverse("catalog:staff-import"), _no_data),
}


def stored_files() -> set[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return {path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()}


def post_upload(client, world, field: UploadField, upload):
    path = field.url(world)
    data = field.data(client, world, path)
    return client.post(path, {**data, field.field: upload})


def test_every_upload_field_of_the_portal_is_in_the_table():
    """A new file field (model or form) fails here until it is added to FIELDS with its hostile-file cases."""
    from django.apps import apps
    from django.db import models

    model_fields = {
        f"{model._meta.label}.{model_field.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "catalog", "events", "matchmaking", "reports"}
        for model_field in model._meta.get_fields()
        if isinstance(model_field, models.FileField) and model_field.editable
    }
    # Each model file field and the upload fields that fill it.
    assert model_fields == {
        "accounts.Organisation.logo",  # organisation-logo, admin-organisation-logo
        "catalog.ProductPhoto.image",  # product-photo, admin-product-photo (ProductAdminForm.new_photo)
        "catalog.ApplicationDocument.file",  # application-document
        "events.MoU.document",  # admin-mou-document
        "catalog.ImportBatch.file",  # import-list (the dry run keeps the file it checked)
    }
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for app in ("accounts", "catalog", "events", "matchmaking", "reports")
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
        if "migrations" not in path.parts
    )
    form_file_fields = len(re.findall(r"forms\.(?:File|Image)Field\(", source))
    # OrganisationForm.logo, OrganisationAdmin's logo, ProductPhotoForm.image, ProductAdminForm.new_photo,
    # ApplicationDocumentForm.file, ImportUploadForm.file (MoUAdminForm.document is the model field's).
    assert form_file_fields == 6
    assert len(FIELDS) == 7


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
@pytest.mark.parametrize("field_name", list(FIELDS))
def test_a_hostile_file_is_refused_beside_the_field_and_nothing_is_kept(client, world, field_name, kind):
    field = FIELDS[field_name]
    sign_in(client, world, field.role)
    upload = hostile(kind, field.family).upload()
    files_before = stored_files()
    path = field.url(world)
    data = {**field.data(client, world, path), field.field: upload}

    with recorded_writes() as writes:
        response = client.post(path, data)

    assert response.status_code in (200, 400), f"{field_name}/{kind}: {response.status_code}"
    form = field.form(response)
    errors = form.errors.as_data().get(field.field, [])
    assert errors, f"{field_name}/{kind}: no message beside the field; form errors: {form.errors}"
    if field.family in ("image", "document"):
        expected = (IMAGE_CODES if field.family == "image" else DOCUMENT_CODES)[kind]
        assert errors[0].code == expected, f"{field_name}/{kind}: {errors[0].code} ({errors[0].messages})"
    message = errors[0].messages[0]
    assert len(message) > 20
    assert message in response.text.replace("&#x27;", "'").replace("&quot;", '"')
    assert writes.portal_data() == {}, f"{field_name}/{kind} wrote {writes.portal_data()}"
    assert stored_files() == files_before


@pytest.mark.parametrize("field_name", list(FIELDS))
def test_each_field_accepts_a_good_file(client, world, field_name):
    """The same requests with a good file go through: the refusals above come from the files, not the forms."""
    field = FIELDS[field_name]
    sign_in(client, world, field.role)
    good = {
        "image": SimpleUploadedFile("anh.jpg", photo_jpeg(), content_type="image/jpeg"),
        "document": SimpleUploadedFile("bien-ban.pdf", TINY_PDF, content_type="application/pdf"),
        "import": SimpleUploadedFile("danh-sach.csv", good_import_list()),
    }[field.family]
    files_before = stored_files()

    response = post_upload(client, world, field, good)

    assert response.status_code == 302, f"{field_name}: {response.status_code}"
    assert stored_files() - files_before


def good_import_list() -> bytes:
    from tests.catalog.import_files import csv_bytes, generated_list

    return csv_bytes(generated_list(3)[0])


def test_the_import_refuses_a_zip_bomb_workbook(client, world):
    """An .xlsx is a ZIP: one that would unpack to far more than any list needs is refused before it is read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b"0" * 200_000_000 + b"</row>")
    assert len(buffer.getvalue()) < 1_000_000
    sign_in(client, world, "superuser")
    batches = ImportBatch.objects.count()

    with recorded_writes() as writes:
        response = client.post(
            reverse("catalog:staff-import"), {"file": SimpleUploadedFile("ds.xlsx", buffer.getvalue())}
        )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert writes.portal_data() == {}
    assert ImportBatch.objects.count() == batches


# --- The polyglot check itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [b"<script>alert(1)</script>", b"<HTML>", b"<body onload=x>", b"<iframe src=x>", b"<?php system($_GET[0]); ?>"],
)
def test_markup_anywhere_in_a_file_is_hidden_content(payload):
    image = photo_jpeg()
    assert hidden_content_find(image[:200] + payload + image[200:]) == "markup"
    assert hidden_content_find(image + payload) == "markup"


def test_an_appended_archive_is_hidden_content():
    assert hidden_content_find(photo_jpeg() + zip_archive()) == "archive"
    assert hidden_content_find(TINY_PDF + zip_archive()) == "archive"


def test_ordinary_files_are_not_flagged():
    """Photos with EXIF and XMP (markup, but not HTML), PDFs, and 10 MB of seeded random bytes standing for
    compressed pixel data, in which the markers would appear only by chance."""
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    )
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    assert hidden_content_find(encode(Image.new("RGB", (64, 48)), "JPEG", exif=exif, xmp=xmp)) is None
    assert hidden_content_find(TINY_PDF) is None
    assert hidden_content_find(photo_jpeg() + photo_jpeg()) is None  # a phone's second frame
    assert hidden_content_find(random.Random(2026).randbytes(10 * 1024 * 1024)) is None
    # An end-of-archive signature without the directory it should point at is noise, not an archive.
    assert hidden_content_find(photo_jpeg() + b"PK\x05\x06" + bytes(18)) is None


# --- Serving what was kept ------------------------------------------------------------------------------------


def download(client, world, document):
    return client.get(reverse("catalog:application-document", args=[world.application.pk, document.pk]))


def test_a_png_named_pdf_is_kept_as_a_png_and_downloaded_as_one(client, world):
    """The field takes PDF, JPEG or PNG by content: the name's extension decides nothing, not even the download's."""
    sign_in(client, world, "producer_a")
    png = encode(Image.new("RGB", (300, 200), (20, 120, 200)), "PNG")
    response = post_upload(client, world, FIELDS["application-document"], SimpleUploadedFile("giay-phep.pdf", png))
    assert response.status_code == 302
    document = ApplicationDocument.objects.get(
        application=world.application, kind=ApplicationDocument.Kind.BUSINESS_PLAN
    )
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")

    response = download(client, world, document)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="giay-phep.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_pdf_document_is_downloaded_as_a_pdf_attachment(client, world):
    sign_in(client, world, "producer_a")
    response = download(client, world, world.document)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="don-dang-ky.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_signed_mou_uploaded_with_a_misleading_name_is_stored_and_served_by_its_content(client, world):
    sign_in(client, world, "superuser")
    path = reverse("admin:events_mou_change", args=[world.mou.pk])
    data = admin_form_data(client.get(path))
    response = client.post(path, {**data, "document": SimpleUploadedFile("bien-ban-ky.jpg", TINY_PDF)})
    assert response.status_code == 302
    mou = MoU.objects.get(pk=world.mou.pk)
    assert re.fullmatch(r"mous/[0-9a-f]{32}\.pdf", mou.document.name)

    response = client.get(reverse("events:mou-document", args=[mou.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="bien-ban-ghi-nho-{mou.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_private_file_of_an_unknown_type_is_served_as_bytes_to_save(world, tmp_path):
    name = private_storage.save("cu/ghi-chu.html", io.BytesIO(HTML))
    field_file = MoU(document=name).document
    response = private_file_response(field_file, filename="ghi-chu.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    response.file_to_stream.close()  # not response.close(): that signals the end of a request, closing the database
    private_storage.delete(name)


@pytest.mark.parametrize(
    ("image_format", "extension"), [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp")], ids=["jpeg", "png", "webp"]
)
def test_public_images_are_stored_as_plain_images_named_by_their_real_type(client, world, image_format, extension):
    """The public media server maps the extension to the Content-Type: it must name the real, re-encoded type."""
    sign_in(client, world, "producer_a")
    data = encode(Image.new("RGB", (500, 400), (90, 160, 60)), image_format)
    # Named .gif on purpose: the name plays no part.
    response = post_upload(client, world, FIELDS["product-photo"], SimpleUploadedFile("anh.gif", data))
    assert response.status_code == 302
    photo = world.product.photos.order_by("-pk").first()
    stored = Path(photo.image.path)
    assert stored.suffix == extension
    with Image.open(stored) as reopened:
        assert reopened.format == image_format
    for thumbnail in (photo.thumbnail_small, photo.thumbnail_large):
        assert thumbnail.name.endswith(".webp")
        with Image.open(thumbnail.path) as reopened:
            assert reopened.format == "WEBP"
    assert not re.search(r"anh|gif", os.path.basename(photo.image.name))


def test_a_logo_uploaded_in_the_admin_is_re_encoded_too(client, world):
    sign_in(client, world, "superuser")
    path = reverse("admin:accounts_organisation_change", args=[world.producer_a.pk])
    data = admin_form_data(client.get(path))
    exif = Image.Exif()
    exif[0x010E] = "GPS 9.6, 105.9"  # anything of the file but its pixels must go
    original = encode(Image.new("RGB", (400, 300), (200, 30, 30)), "JPEG", exif=exif)

    response = client.post(path, {**data, "logo": SimpleUploadedFile("logo-htx.jpg", original)})

    assert response.status_code == 302
    world.producer_a.refresh_from_db()
    stored = Path(world.producer_a.logo.path)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", stored.name)
    assert b"GPS 9.6" not in stored.read_bytes()
    with Image.open(stored) as reopened:
        assert reopened.format == "JPEG"
