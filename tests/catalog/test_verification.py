"""Public verification of OCOP certificates, their QR codes, and the staff certification dashboard."""

import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from accounts.roles import Actor
from catalog import services
from catalog.models import Application, Certificate, EvaluationCycle, Product, RuleSet
from catalog.views.verification import CertificateQrView, verification_url
from tests.catalog.factories import ProductFactory, certify

pytestmark = pytest.mark.django_db

PORTAL_URL = "https://ocop.example.gov.vn"
COUNTERFEIT = "This may be a counterfeit label."


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL_URL


@pytest.fixture
def product(producer):
    return ProductFactory(producer=producer.organisation, name="Bánh pía Sóc Trăng")


@pytest.fixture
def certificate(product):
    return certify(product, score="75", days_ago=100)


@pytest.fixture
def certifier(staff):
    staff.groups.add(Group.objects.get(name="Hội đồng đánh giá OCOP"))
    return staff


def verify_url(code, language="vi"):
    with translation.override(language):
        return reverse("catalog:certificate-verify", args=[code])


def qr_url(certificate, fmt):
    return reverse(f"catalog:certificate-qr-{fmt}", args=[certificate.verification_code])


# ---------- The public verification page ----------


def test_valid_certificate_page_says_valid_with_the_stars(client, certificate, product):
    response = client.get(verify_url(certificate.verification_code, "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="verify-result__word">Valid</span>' in html
    assert "star-badge--4" in html
    assert product.name in html
    assert certificate.decision_number in html
    assert certificate.rule_set.code in html
    assert reverse("catalog:product-detail", args=[product.pk]) in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"]


def test_verification_page_in_vietnamese_by_default(client, certificate):
    response = client.get(verify_url(certificate.verification_code))

    assert response.status_code == 200
    assert response.context["status"] == "valid"
    assert "no-cache" in response["Cache-Control"]


def test_lapsed_certificate_reads_expired_without_stars(client, product):
    certificate = certify(product, days_ago=1200)
    assert certificate.status == Certificate.Status.VALID  # the daily expiry job has not run

    response = client.get(verify_url(certificate.verification_code, "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="verify-result__word">Expired</span>' in html
    assert "no longer gives the product an OCOP star" in html
    assert "star-badge" not in html


def test_revoked_certificate_shows_date_and_reason(client, certificate, certifier):
    revoked_on = timezone.localdate() - datetime.timedelta(days=5)
    services.certificate_revoke(
        actor=Actor(user=certifier, organisation=certifier.organisation),
        certificate=certificate,
        reason="Sản phẩm không đạt chỉ tiêu an toàn thực phẩm.",
        revoked_on=revoked_on,
    )

    response = client.get(verify_url(certificate.verification_code, "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="verify-result__word">Revoked</span>' in html
    assert "Sản phẩm không đạt chỉ tiêu an toàn thực phẩm." in html
    assert revoked_on.isoformat() in html
    assert "star-badge" not in html


def test_superseded_certificate_links_to_the_current_one(client, product):
    older = certify(product, score="60", days_ago=400)
    newer = certify(product, score="80", days_ago=10)
    older.refresh_from_db()
    assert older.status == Certificate.Status.SUPERSEDED

    response = client.get(verify_url(older.verification_code, "en"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="verify-result__word">Superseded</span>' in html
    assert verify_url(newer.verification_code, "en") in html
    assert "star-badge" not in html


def test_product_that_is_not_public_is_named_but_not_linked(client, certificate, product):
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED)

    response = client.get(verify_url(certificate.verification_code, "en"))

    assert response.status_code == 200
    assert product.name in response.content.decode()
    assert response.context["product_url"] is None
    assert reverse("catalog:product-detail", args=[product.pk]) not in response.content.decode()


def test_verification_page_query_count_is_bounded(client, certificate, django_assert_max_num_queries):
    # The certificate with its product, producer and place; the primary photo; "is the product public?".
    with django_assert_max_num_queries(3):
        response = client.get(verify_url(certificate.verification_code))
    assert response.status_code == 200


def test_unknown_code_is_a_404_warning_of_counterfeit(client, certificate):
    response = client.get(verify_url("A" * 22, "en"))

    assert response.status_code == 404
    html = response.content.decode()
    assert COUNTERFEIT in html
    assert "Sở Công Thương" in html
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/en/verify/" + "x" * 500 + "/", "/en/verify/../x/", "/en/verify/abc%24def%25ghijklmnopq/"]
)
def test_malformed_code_is_a_404(client, path):
    response = client.get(path)

    assert response.status_code == 404


def test_code_with_a_bad_character_gets_the_counterfeit_page(client, certificate):
    response = client.get(verify_url(certificate.verification_code[:-1] + "$", "en"))

    assert response.status_code == 404
    assert COUNTERFEIT in response.content.decode()


# ---------- The QR code ----------


def test_verification_url_uses_the_public_address_and_the_default_language(certificate):
    with translation.override("en"):
        url = verification_url(certificate)

    assert url == f"{PORTAL_URL}/verify/{certificate.verification_code}/"


def test_producer_downloads_a_png_qr_code_of_the_public_address(client, settings, producer, certificate):
    settings.ALLOWED_HOSTS = ["internal.example"]
    client.force_login(producer)

    response = client.get(qr_url(certificate, "png"), HTTP_HOST="internal.example")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ocop-')
    assert disposition.endswith('.png"')
    assert "ocop-" + str(certificate.product.pk) + "-qd-ubnd" in disposition
    image = Image.open(io.BytesIO(response.content))
    image.verify()
    assert image.format == "PNG"
    # The QR code is deterministic: the same bytes as the code of the PORTAL_URL address.
    assert response.content == CertificateQrView(fmt="png").render_qr(
        f"{PORTAL_URL}/verify/{certificate.verification_code}/"
    )


def test_producer_downloads_an_svg_qr_code(client, producer, certificate):
    client.force_login(producer)

    response = client.get(qr_url(certificate, "svg"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].endswith('.svg"')
    root = ET.fromstring(response.content)  # noqa: S314 -- our own output, parsed to prove it is well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert response.content == CertificateQrView(fmt="svg").render_qr(verification_url(certificate))


@pytest.mark.parametrize("who", ["other_producer", "buyer", "plain_staff"])
def test_qr_code_of_another_producers_certificate_is_not_found(client, request, certificate, who):
    client.force_login(request.getfixturevalue(who))

    for fmt in ("png", "svg"):
        assert client.get(qr_url(certificate, fmt)).status_code == 404


def test_qr_code_is_not_found_for_anonymous_visitors(client, certificate):
    assert client.get(qr_url(certificate, "png")).status_code == 404


def test_staff_download_any_qr_code(client, staff, certificate):
    client.force_login(staff)

    assert client.get(qr_url(certificate, "png")).status_code == 200


def test_qr_code_of_an_unknown_code_is_not_found(client, producer):
    client.force_login(producer)

    assert client.get(reverse("catalog:certificate-qr-png", args=["B" * 22])).status_code == 404


# ---------- Links to the verification page ----------


def test_product_and_producer_pages_link_to_the_verification_page(client, certificate, product):
    target = verify_url(certificate.verification_code)

    assert target in client.get(product.get_absolute_url()).content.decode()
    assert target in client.get(reverse("catalog:producer-detail", args=[product.producer_id])).content.decode()


def test_workspace_offers_the_qr_codes_of_a_valid_certificate(client, producer, certificate):
    client.force_login(producer)

    html = client.get(reverse("catalog:my-products")).content.decode()

    assert qr_url(certificate, "png") in html
    assert qr_url(certificate, "svg") in html
    assert verify_url(certificate.verification_code) in html


# ---------- Staff certification dashboard ----------

DASHBOARD = "catalog:staff-certification"


@pytest.fixture
def cycle():
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        year=today.year,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )


def applications(cycle, *statuses):
    for status in statuses:
        Application.objects.create(product=ProductFactory(), cycle=cycle, status=status)


def certificate_ending_in(days, score="75"):
    """A valid certificate whose validity ends `days` from today (negative: already lapsed)."""
    certificate = certify(ProductFactory(), score=score, days_ago=30)
    valid_until = timezone.localdate() + datetime.timedelta(days=days)
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=valid_until, decision_date=valid_until - datetime.timedelta(days=1095)
    )
    return certificate


def test_dashboard_counts_applications_by_status(client, staff, cycle):
    applications(cycle, "draft", "submitted", "submitted", "under_review")
    client.force_login(staff)

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 200
    counts = {row["value"]: row["count"] for row in response.context["application_statuses"]}
    assert counts == dict.fromkeys(Application.Status.values, 0) | {
        "draft": 1,
        "submitted": 2,
        "under_review": 1,
    }
    if admin.site.is_registered(Application):
        changelist = reverse("admin:catalog_application_changelist")
        assert f"{changelist}?status__exact=submitted" in response.content.decode()


def test_dashboard_lists_expiring_lapsed_and_recent_certificates(client, staff):
    soon = certificate_ending_in(20)
    later = certificate_ending_in(200)
    lapsed = certificate_ending_in(-3)
    client.force_login(staff)

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 200
    assert [(c.pk, days) for c, days in response.context["expiring"]] == [(soon.pk, 20)]
    assert response.context["expiring_count"] == 1
    assert [c.pk for c in response.context["lapsed"]] == [lapsed.pk]
    assert response.context["lapsed_count"] == 1
    assert {c.pk for c in response.context["recent"]} == {soon.pk, later.pk, lapsed.pk}
    html = response.content.decode()
    assert reverse("admin:catalog_certificate_change", args=[soon.pk]) in html
    assert "certificates_expire" in html


def test_dashboard_without_lapsed_certificates_shows_no_warning(client, staff):
    certificate_ending_in(20)
    client.force_login(staff)

    response = client.get(reverse(DASHBOARD))

    assert response.context["lapsed_count"] == 0
    assert "certificates_expire" not in response.content.decode()


def test_dashboard_query_count_does_not_grow(client, staff, cycle, django_assert_max_num_queries):
    applications(cycle, *Application.Status.values[:2])
    for days in (-5, -1, 10, 40, 80):
        certificate_ending_in(days)
    client.force_login(staff)

    # Session, user, 2 for permissions; 2 aggregates; the expiring, lapsed and recent lists; the counts of what
    # imported records lack (catalog.completion, one statement).
    with django_assert_max_num_queries(11):  # +1: the header counts unread meeting messages
        response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["plain_staff", "producer", "buyer"])
def test_dashboard_is_forbidden_without_the_permission(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
