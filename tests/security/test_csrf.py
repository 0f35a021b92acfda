"""CSRF: a form of every app posted without its token is refused (403, with the portal's page) and changes nothing.

Each case posts valid data as a user allowed to send it. Without the token: 403 and not one row written. Then the
same request with the token goes through (and, where the data makes a change, writes), which proves that the
refusal came from the CSRF check and not from the form or the permissions.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import ApplicationDocument
from tests.accounts.factories import PASSWORD
from tests.catalog.factories import subgroup
from tests.catalog.import_files import csv_bytes, generated_list
from tests.security.conftest import TINY_PDF, World
from tests.security.db_writes import recorded_writes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, security_media):
    """Overrides the root fixture: requests must find the files the module's world stored."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = security_media


def jpeg(name="anh-san-pham.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def local_input(days: int, hour: int) -> str:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Case:
    role: str
    path: Callable[[World], str]
    data: Callable[[World], dict]
    # Whether the valid request, once it carries its token, changes portal data (some valid requests do not:
    # an application without its dossier is refused by the service, with a message).
    changes: bool = True


CASES = {
    "login": Case(
        "anonymous",
        lambda w: reverse("accounts:login"),
        lambda w: {"username": w.users["producer_b"].email, "password": PASSWORD},
    ),
    "sign-up": Case(
        "anonymous",
        lambda w: reverse("accounts:signup-kind", args=["producer"]),
        lambda w: {
            "full_name": "Lâm Thị Ngọc Trân",
            "email": "ngoctran@example.vn",
            "phone": "0299 3851 678",
            "password1": "tra-mang-cau-nga-nam",
            "password2": "tra-mang-cau-nga-nam",
            "organisation_name": "Hộ kinh doanh Ngọc Trân",
            "tax_code": "2200123456",
            "province": "92",
            "ward": "31120",
            "street_address": "12 Nguyễn Trãi",
        },
    ),
    "logout": Case("producer_a", lambda w: reverse("accounts:logout"), lambda w: {}),
    "organisation-logo": Case(
        "producer_a",
        lambda w: reverse("accounts:organisation-edit"),
        lambda w: {
            "name": w.producer_a.name,
            "tax_code": w.producer_a.tax_code,
            "province": w.producer_a.province_id,
            "ward": w.producer_a.ward_id,
            "street_address": w.producer_a.street_address,
            "phone": w.producer_a.phone,
            "email": "",
            "website": "",
            "description": "",
            "logo": jpeg("logo.jpg"),
        },
    ),
    "acting-on-behalf": Case("staff", lambda w: reverse("accounts:acting-start", args=[w.producer_a.pk]), lambda w: {}),
    "product-create": Case(
        "producer_a",
        lambda w: reverse("catalog:my-product-create"),
        lambda w: {
            "name": "Trà mãng cầu túi lọc",
            "subgroup": subgroup("1.5.2").pk,
            "description": "Trà mãng cầu xiêm sấy lạnh, đóng túi lọc.",
            "unit": "hộp",
            "months_available": ["3", "4"],
        },
    ),
    "photo-upload": Case(
        "producer_a",
        lambda w: reverse("catalog:my-product-photos", args=[w.product.pk]),
        lambda w: {"image": jpeg(), "alt_text": "Hộp trà"},
    ),
    "application-document": Case(
        "producer_a",
        lambda w: reverse("catalog:my-application-detail", args=[w.application.pk]),
        lambda w: {
            "action": "upload",
            "kind": ApplicationDocument.Kind.BUSINESS_PLAN,
            "file": SimpleUploadedFile("phuong-an.pdf", TINY_PDF, content_type="application/pdf"),
        },
    ),
    "application-submit": Case(
        "producer_a",
        lambda w: reverse("catalog:my-application-submit", args=[w.application.pk]),
        lambda w: {},
        changes=False,
    ),
    "sourcing-request": Case(
        "buyer",
        lambda w: reverse("matchmaking:request-create"),
        lambda w: {
            "subgroup": subgroup("1.4.1").pk,
            "title": "Nước mắm cá cơm",
            "keywords": "nước mắm cá cơm",
            "description": "Chai 500 ml.",
            "quantity_per_month": "2",
            "unit": "tấn",
            "min_stars": "3",
            "standards_required": ["haccp"],
            "delivery_province": "92",
            "target_price": "",
            "months_needed": ["11", "12"],
            "deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        },
    ),
    "meeting-request": Case(
        "buyer",
        lambda w: reverse("matchmaking:meeting-create") + f"?producer={w.producer_b.pk}",
        lambda w: {
            "mode": "online",
            "online_link": "https://meet.example.vn/abc",
            "time_1": local_input(5, 9),
            "time_2": local_input(5, 14),
            "message": "Chúng tôi muốn tìm hiểu sản phẩm của quý cơ sở.",
        },
    ),
    "meeting-answer": Case(
        "producer_a",
        lambda w: reverse("matchmaking:meeting-action", args=[w.meeting.pk, "accept"]),
        lambda w: {"accept-time": w.meeting.proposed_times[0].isoformat()},
    ),
    "event-registration": Case(
        "producer_b",
        lambda w: reverse("events:event-register", args=[w.event.slug]),
        lambda w: {"participation": "attendee", "people_count": "2", "note": "", "booth": ""},
    ),
    "check-in": Case(
        "staff",
        lambda w: reverse("events:staff-checkin-registration", args=[w.event.slug, w.registration_a.code]),
        lambda w: {},
    ),
    "mou-follow-up": Case(
        "producer_a",
        lambda w: reverse("events:mou-detail", args=[w.mou.pk]),
        lambda w: {"status": "first_order", "noted_on": timezone.localdate().isoformat(), "text": "Đơn hàng đầu"},
    ),
    "admin-review": Case(
        "staff",
        lambda w: reverse("admin:catalog_application_review", args=[w.submitted_app.pk]),
        lambda w: {},
    ),
    "import-upload": Case(
        "superuser",
        lambda w: reverse("catalog:staff-import"),
        lambda w: {"file": SimpleUploadedFile("danh-sach.csv", csv_bytes(generated_list(3)[0]))},
    ),
}


def browser_for(world: World, role: str) -> Client:
    """A client that checks CSRF as a browser's request is checked, signed in as the role."""
    browser = Client(enforce_csrf_checks=True)
    if role == "superuser":
        user = get_user_model().objects.create_superuser(email="quantri@sct.example", password="quan-tri-he-thong")
    else:
        user = world.users[role]
    if user is not None:
        browser.force_login(user)
    return browser


def csrf_token(browser: Client) -> str:
    """The token a page's form would carry: any page with a form sets the cookie whose secret it masks."""
    browser.get(reverse("accounts:password-reset"))
    return browser.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_a_post_without_the_token_is_refused_and_changes_nothing(world, case):
    browser = browser_for(world, case.role)
    path = case.path(world)

    with recorded_writes() as writes:
        response = browser.post(path, case.data(world))

    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    assert writes.by_table == {}, f"POST {path} without a token wrote {writes.by_table}"

    with recorded_writes() as writes:
        response = browser.post(path, {**case.data(world), "csrfmiddlewaretoken": csrf_token(browser)})
    assert response.status_code != 403, f"POST {path} with its token: {response.status_code}"
    if case.changes:
        assert writes.portal_data(), f"POST {path} with its token changed nothing: is the data valid?"


def test_a_wrong_token_is_refused_too(world):
    browser = browser_for(world, "buyer")
    csrf_token(browser)
    with recorded_writes() as writes:
        response = browser.post(
            reverse("matchmaking:shortlist-add"), {"product": world.product.pk, "csrfmiddlewaretoken": "x" * 64}
        )
    assert response.status_code == 403
    assert writes.by_table == {}


def test_the_refusal_page_says_nothing_was_saved_in_the_portals_layout(world):
    browser = browser_for(world, "anonymous")
    response = browser.post("/en" + reverse("accounts:login"), {"username": "a@b.vn", "password": "x"})
    assert response.status_code == 403
    assert '<html lang="en"' in response.text
    assert "Nothing was saved" in response.text
