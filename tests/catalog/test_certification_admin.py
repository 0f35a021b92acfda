"""Sở Công Thương staff run the OCOP certification in the admin: every step goes through the services."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Actor
from catalog import services
from catalog.models import Application, ApplicationDocument, Certificate, EvaluationCycle, RuleSet, Score
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, certify

pytestmark = pytest.mark.django_db

CERTIFYING_GROUP_NAME = "Hội đồng đánh giá OCOP"
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin_url(name, *args):
    """Admin URLs in English, so that assertions can read the messages."""
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


@pytest.fixture
def certifier(staff):
    staff.groups.add(Group.objects.get(name=CERTIFYING_GROUP_NAME))
    return staff


@pytest.fixture
def second_certifier(staff_group):
    user = UserFactory(is_staff=True)
    user.groups.add(staff_group, Group.objects.get(name=CERTIFYING_GROUP_NAME))
    return user


@pytest.fixture
def reviewer(staff_group):
    """Sở Công Thương staff who review dossiers but do not certify."""
    user = UserFactory(is_staff=True)
    user.groups.add(staff_group)
    return user


@pytest.fixture
def cycle(db):
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        year=today.year,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )


def submitted_application(producer, cycle):
    """An application its producer has submitted with the four required documents."""
    actor = Actor(user=producer, organisation=producer.organisation)
    product = ProductFactory(producer=producer.organisation)
    application = services.application_create(actor=actor, product=product, cycle=cycle)
    for kind in ApplicationDocument.REQUIRED_KINDS:
        upload = SimpleUploadedFile(f"{kind}.pdf", TINY_PDF, content_type="application/pdf")
        services.document_add(actor=actor, application=application, kind=kind, upload=upload)
    return services.application_submit(actor=actor, application=application)


@pytest.fixture
def application(producer, cycle):
    return submitted_application(producer, cycle)


def staff_actor(user):
    return Actor(user=user, organisation=None)


def under_review(application, reviewer):
    return services.application_review_start(actor=staff_actor(reviewer), application=application)


def scored(application, certifier, sections=("30", "20", "25")):
    """Move the application to scored with one member's score."""
    if application.status == Application.Status.SUBMITTED:
        under_review(application, certifier)
    a, b, c = (Decimal(value) for value in sections)
    services.score_enter(
        actor=staff_actor(certifier), application=application, section_a=a, section_b=b, section_c=c, note=""
    )
    return services.application_score_finish(actor=staff_actor(certifier), application=application)


def button_slugs(response):
    return {button["slug"] for button in response.context["workflow_buttons"]}


# --- the change page and its buttons ---------------------------------------------------------------------------


def test_change_page_shows_the_reviewers_moves_for_a_submitted_application(client, reviewer, application):
    client.force_login(reviewer)
    response = client.get(admin_url("catalog_application_change", application.pk))
    assert response.status_code == 200
    assert button_slugs(response) == {"review", "return"}
    assert admin_url("catalog_application_review", application.pk) in response.text
    assert admin_url("catalog_application_score", application.pk) not in response.text
    document = application.documents.first()
    assert reverse("catalog:application-document", args=[application.pk, document.pk]) in response.text
    assert response.context["has_change_permission"] is False


def test_change_page_shows_only_the_moves_the_user_may_make(client, reviewer, certifier, application):
    under_review(application, reviewer)
    client.force_login(reviewer)
    assert button_slugs(client.get(admin_url("catalog_application_change", application.pk))) == {"return"}
    client.force_login(certifier)
    assert button_slugs(client.get(admin_url("catalog_application_change", application.pk))) == {
        "return",
        "score",
        "finish",
    }


def test_a_scored_application_offers_recognition_or_central_proposal_by_its_score(
    client, certifier, application, producer, cycle
):
    scored(application, certifier, ("30", "20", "25"))
    client.force_login(certifier)
    assert button_slugs(client.get(admin_url("catalog_application_change", application.pk))) == {
        "reopen",
        "recognise",
        "reject",
    }
    candidate = submitted_application(producer, cycle)
    scored(candidate, certifier, ("38", "24", "30"))
    assert button_slugs(client.get(admin_url("catalog_application_change", candidate.pk))) == {
        "reopen",
        "propose",
        "reject",
    }


def test_changelist_lists_applications_with_their_stars(client, certifier, application, django_assert_max_num_queries):
    scored(application, certifier)
    client.force_login(certifier)
    with django_assert_max_num_queries(20):
        response = client.get(admin_url("catalog_application_changelist"), {"q": application.product.name[:6]})
    assert response.status_code == 200
    assert "4★" in response.text
    assert application.product.producer.name in response.text


# --- review and return -------------------------------------------------------------------------------------------


def test_staff_start_the_review(client, reviewer, application):
    client.force_login(reviewer)
    url = admin_url("catalog_application_review", application.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert admin_url("catalog_application_change", application.pk) in response.text  # breadcrumbs and Cancel
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == admin_url("catalog_application_change", application.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    event = application.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("submitted", "under_review", reviewer)


def test_staff_return_an_application_with_a_message(client, reviewer, application):
    client.force_login(reviewer)
    response = client.post(
        admin_url("catalog_application_return", application.pk), {"message": "Thiếu giấy chứng nhận ATTP."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert application.return_message == "Thiếu giấy chứng nhận ATTP."


def test_returning_without_a_message_is_refused(client, reviewer, application):
    client.force_login(reviewer)
    response = client.post(admin_url("catalog_application_return", application.pk), {"message": "   "})
    assert response.status_code == 200
    assert "message" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_step_the_status_does_not_allow_goes_back_to_the_change_page(client, certifier, application):
    client.force_login(certifier)
    response = client.post(admin_url("catalog_application_finish", application.pk))
    assert response.status_code == 302
    assert response.url == admin_url("catalog_application_change", application.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


# --- scoring -----------------------------------------------------------------------------------------------------


def score_form(a, b, c, note=""):
    return {"section_a": a, "section_b": b, "section_c": c, "note": note}


def test_two_certifiers_score_and_the_council_score_is_their_average(
    client, reviewer, certifier, second_certifier, application
):
    under_review(application, reviewer)
    client.force_login(certifier)
    url = admin_url("catalog_application_score", application.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert "0–40 points (1489/2025)" in response.text
    assert "0–25 points (1489/2025)" in response.text
    assert client.post(url, score_form("30", "20", "25", "Bao bì đẹp.")).status_code == 302
    client.force_login(second_certifier)
    assert client.post(url, score_form("34", "22", "27")).status_code == 302
    assert Score.objects.filter(application=application).count() == 2

    finish = admin_url("catalog_application_finish", application.pk)
    response = client.get(finish)
    assert response.status_code == 200
    assert "79.0" in response.text
    assert "Bao bì đẹp." in response.text
    assert client.post(finish).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SCORED
    assert application.total_score == Decimal("79.0")
    assert application.stars == 4


def test_a_certifier_corrects_their_own_score_and_sees_it_prefilled(client, reviewer, certifier, application):
    under_review(application, reviewer)
    client.force_login(certifier)
    url = admin_url("catalog_application_score", application.pk)
    client.post(url, score_form("30", "20", "25"))
    response = client.get(url)
    assert response.context["form"].initial["section_a"] == Decimal("30")
    change = client.get(admin_url("catalog_application_change", application.pk))
    assert "Correct my score" in change.text
    client.post(url, score_form("31", "20", "25", "Sửa điểm."))
    score = Score.objects.get(application=application)
    assert (score.section_a, score.note) == (Decimal("31"), "Sửa điểm.")
    assert score.history.first().history_user == certifier


@pytest.mark.parametrize(("a", "b", "c", "field"), [("41", "20", "25", "section_a"), ("30", "-1", "25", "section_b")])
def test_a_score_out_of_the_sections_range_is_refused(client, reviewer, certifier, application, a, b, c, field):
    under_review(application, reviewer)
    client.force_login(certifier)
    response = client.post(admin_url("catalog_application_score", application.pk), score_form(a, b, c))
    assert response.status_code == 200
    assert "1489/2025" in response.context["form"].errors[field][0]
    assert not Score.objects.exists()


def test_finishing_without_scores_shows_the_services_refusal(client, reviewer, certifier, application):
    under_review(application, reviewer)
    client.force_login(certifier)
    response = client.post(admin_url("catalog_application_finish", application.pk))
    assert response.status_code == 200
    assert "Enter at least one score" in response.text
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW


# --- recognition -------------------------------------------------------------------------------------------------


def test_certifier_recognises_a_four_star_product(client, certifier, application):
    scored(application, certifier, ("30", "20", "25"))
    client.force_login(certifier)
    url = admin_url("catalog_application_recognise", application.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["level"].initial == Certificate.Level.PROVINCE
    decision_date = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url, {"decision_number": "2150/QĐ-UBND", "decision_date": decision_date.isoformat(), "level": "province"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.RECOGNISED
    certificate = Certificate.objects.get(application=application)
    assert (certificate.stars, certificate.level, certificate.decision_date) == (4, "province", decision_date)
    application.product.refresh_from_db()
    assert application.product.current_certificate == certificate
    assert application.history.first().history_user == certifier
    assert certificate.history.first().history_user == certifier


def test_a_future_decision_date_is_shown_on_the_form(client, certifier, application):
    scored(application, certifier)
    client.force_login(certifier)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        admin_url("catalog_application_recognise", application.pk),
        {"decision_number": "1/QĐ-UBND", "decision_date": tomorrow.isoformat(), "level": "province"},
    )
    assert response.status_code == 200
    assert "decision_date" in response.context["form"].errors
    assert not Certificate.objects.exists()


def test_a_ninety_point_product_goes_to_the_centre_for_five_stars(client, certifier, application):
    scored(application, certifier, ("38", "24", "30"))
    client.force_login(certifier)
    recognise = admin_url("catalog_application_recognise", application.pk)
    decision = {"decision_number": "99/QĐ-UBND", "decision_date": timezone.localdate().isoformat()}

    response = client.post(recognise, {**decision, "level": "province"})
    assert response.status_code == 200
    assert "5 stars are recognised centrally" in response.text
    assert not Certificate.objects.exists()

    response = client.post(admin_url("catalog_application_propose", application.pk))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.PROPOSED_CENTRAL

    assert client.get(recognise).context["form"]["level"].initial == Certificate.Level.CENTRAL
    response = client.post(recognise, {**decision, "decision_number": "123/QĐ-BNNMT", "level": "central"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.RECOGNISED
    certificate = Certificate.objects.get(application=application)
    assert (certificate.stars, certificate.level) == (5, "central")


def test_a_product_under_ninety_points_is_not_proposed_to_the_centre(client, certifier, application):
    scored(application, certifier, ("30", "20", "25"))
    client.force_login(certifier)
    response = client.post(admin_url("catalog_application_propose", application.pk))
    assert response.status_code == 200
    assert "90 or more" in response.text
    application.refresh_from_db()
    assert application.status == Application.Status.SCORED


def test_certifier_marks_an_application_not_recognised_with_a_reason(client, certifier, application):
    scored(application, certifier, ("15", "10", "15"))
    client.force_login(certifier)
    url = admin_url("catalog_application_reject", application.pk)
    assert client.post(url, {"reason": ""}).status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.SCORED
    response = client.post(url, {"reason": "Chưa đạt 50 điểm."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.NOT_RECOGNISED
    assert application.decision_note == "Chưa đạt 50 điểm."
    assert not Certificate.objects.exists()


# --- who may do what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "status", "data"),
    [
        ("score", "under_review", score_form("30", "20", "25")),
        ("finish", "under_review", {}),
        ("recognise", "scored", {"decision_number": "1/QĐ", "decision_date": "2025-08-01", "level": "province"}),
        ("propose", "scored", {}),
        ("reject", "scored", {"reason": "Không đạt."}),
        ("reopen", "scored", {}),
    ],
)
def test_staff_without_certify_cannot_score_recognise_or_propose(
    client, reviewer, certifier, application, step, status, data
):
    if status == "scored":
        scored(application, certifier, ("38", "24", "30"))
    else:
        under_review(application, reviewer)
    scores_before = Score.objects.count()
    client.force_login(reviewer)
    url = admin_url(f"catalog_application_{step}", application.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    application.refresh_from_db()
    assert application.status == status
    assert Score.objects.count() == scores_before
    assert not Certificate.objects.exists()


def test_staff_outside_the_department_cannot_review(client, plain_staff, application):
    client.force_login(plain_staff)
    assert client.get(admin_url("catalog_application_change", application.pk)).status_code == 403
    assert client.post(admin_url("catalog_application_review", application.pk)).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


@pytest.mark.parametrize("who", ["producer", "buyer"])
def test_producers_and_buyers_cannot_reach_the_certification_admin(client, request, application, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        admin_url("catalog_application_change", application.pk),
        admin_url("catalog_application_review", application.pk),
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert "login" in response.url
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_applications_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, application):
    assert admin_client.get(admin_url("catalog_application_add")).status_code == 403
    response = admin_client.post(admin_url("catalog_application_delete", application.pk), {"post": "yes"})
    assert response.status_code == 403
    response = admin_client.post(admin_url("catalog_application_change", application.pk), {"status": "recognised"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_scores_are_read_only_in_the_admin(client, reviewer, certifier, application):
    under_review(application, reviewer)
    score = services.score_enter(
        actor=staff_actor(certifier),
        application=application,
        section_a=Decimal(30),
        section_b=Decimal(20),
        section_c=Decimal(25),
        note="",
    )
    client.force_login(certifier)
    assert client.get(admin_url("catalog_score_change", score.pk)).status_code == 200
    assert client.get(admin_url("catalog_score_add")).status_code == 403
    assert client.post(admin_url("catalog_score_change", score.pk), {"section_a": "40"}).status_code == 403
    assert client.post(admin_url("catalog_score_delete", score.pk), {"post": "yes"}).status_code == 403
    assert client.get(admin_url("catalog_score_history", score.pk)).status_code == 200
    score.refresh_from_db()
    assert score.section_a == Decimal(30)


# --- the audit trail ---------------------------------------------------------------------------------------------


def test_history_pages_name_the_staff_who_acted(client, certifier, application):
    scored(application, certifier)
    client.force_login(certifier)
    client.post(
        admin_url("catalog_application_recognise", application.pk),
        {"decision_number": "7/QĐ-UBND", "decision_date": timezone.localdate().isoformat(), "level": "province"},
    )
    certificate = Certificate.objects.get()
    assert application.history.first().history_user == certifier
    for url in (
        admin_url("catalog_application_history", application.pk),
        admin_url("catalog_certificate_history", certificate.pk),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert str(certifier) in response.text


def test_the_history_cannot_revert_an_application(client, certifier, application):
    first = application.history.order_by("history_date").first()
    scored(application, certifier)
    client.force_login(certifier)
    url = admin_url("catalog_application_simple_history", application.pk, first.history_id)
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SCORED


# --- certificates ------------------------------------------------------------------------------------------------


def test_certificate_list_links_to_the_public_verification_page(client, certifier):
    certificate = certify(ProductFactory(), score="80")
    client.force_login(certifier)
    response = client.get(admin_url("catalog_certificate_changelist"))
    assert response.status_code == 200
    verify = reverse("catalog:certificate-verify", args=[certificate.verification_code])
    assert f'href="{verify}" target="_blank"' in response.text


def test_certifier_revokes_a_certificate(client, certifier):
    certificate = certify(ProductFactory(), score="80")
    client.force_login(certifier)
    change = client.get(admin_url("catalog_certificate_change", certificate.pk))
    assert button_slugs(change) == {"revoke"}
    url = admin_url("catalog_certificate_revoke", certificate.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["revoked_on"].initial == timezone.localdate()
    assert client.post(url, {"reason": "", "revoked_on": timezone.localdate().isoformat()}).status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    response = client.post(url, {"reason": "Hết hiệu lực giấy ATTP.", "revoked_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_reason == "Hết hiệu lực giấy ATTP."
    assert certificate.revoked_on == timezone.localdate()
    assert certificate.history.first().history_user == certifier
    assert button_slugs(client.get(admin_url("catalog_certificate_change", certificate.pk))) == set()


def test_a_revocation_date_before_the_decision_is_shown_on_the_form(client, certifier):
    certificate = certify(ProductFactory(), score="80", days_ago=10)
    client.force_login(certifier)
    too_early = certificate.decision_date - datetime.timedelta(days=1)
    response = client.post(
        admin_url("catalog_certificate_revoke", certificate.pk), {"reason": "Sai.", "revoked_on": too_early.isoformat()}
    )
    assert response.status_code == 200
    assert "revoked_on" in response.context["form"].errors
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_staff_without_certify_cannot_revoke(client, reviewer):
    certificate = certify(ProductFactory(), score="80")
    client.force_login(reviewer)
    assert button_slugs(client.get(admin_url("catalog_certificate_change", certificate.pk))) == set()
    url = admin_url("catalog_certificate_revoke", certificate.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "X", "revoked_on": timezone.localdate().isoformat()}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_certificates_cannot_be_deleted_or_reverted(client, certifier):
    certificate = certify(ProductFactory(), score="80")
    client.force_login(certifier)
    assert client.post(admin_url("catalog_certificate_delete", certificate.pk), {"post": "yes"}).status_code == 403
    record = certificate.history.first()
    services.certificate_revoke(
        actor=staff_actor(certifier), certificate=certificate, reason="Thu hồi.", revoked_on=timezone.localdate()
    )
    url = admin_url("catalog_certificate_simple_history", certificate.pk, record.history_id)
    assert client.post(url, {}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_evaluation_cycles_are_listed_and_filtered(client, staff, cycle):
    client.force_login(staff)
    response = client.get(admin_url("catalog_evaluationcycle_changelist"), {"year": cycle.year})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
