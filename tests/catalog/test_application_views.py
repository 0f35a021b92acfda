"""The producer's OCOP applications in its workspace: create, upload the dossier, submit, download — and nobody else's."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import ACTING_SESSION_KEY, Actor
from catalog import services
from catalog.models import Application, ApplicationDocument, ApplicationEvent, EvaluationCycle, Product, RuleSet
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="document.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def image_bytes(image_format, size=(60, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 90)).save(buffer, format=image_format)
    return buffer.getvalue()


def png_upload(name="scan.png"):
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def stored_files():
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def make_cycle(*, year=2026, round=1, opens_in=-30, closes_in=30):
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        year=year,
        round=round,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today + datetime.timedelta(days=opens_in),
        closes_on=today + datetime.timedelta(days=closes_in),
    )


@pytest.fixture
def cycle():
    return make_cycle()


@pytest.fixture
def product(producer):
    return ProductFactory(producer=producer.organisation, name="Trà mãng cầu Cẩm Thiều")


@pytest.fixture
def owner_actor(producer):
    return Actor(user=producer, organisation=producer.organisation)


@pytest.fixture
def application(owner_actor, product, cycle):
    return services.application_create(actor=owner_actor, product=product, cycle=cycle)


@pytest.fixture
def document(owner_actor, application):
    return services.document_add(
        actor=owner_actor,
        application=application,
        kind=ApplicationDocument.Kind.REGISTRATION_FORM,
        upload=pdf_upload("Phiếu đăng ký.pdf"),
    )


def detail_url(application):
    return reverse("catalog:my-application-detail", args=[application.pk])


def upload(client, application, kind, file):
    return client.post(detail_url(application), {"action": "upload", "kind": kind, "file": file})


# ---------- List ----------


def test_list_explains_ocop_evaluation_when_empty(client, producer):
    client.force_login(producer)
    response = client.get(reverse("catalog:my-applications"))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("catalog:my-application-create") in content
    assert "empty-state" in content


def test_list_shows_own_applications_only(client, producer, application, other_producer, cycle):
    other_product = ProductFactory(producer=other_producer.organisation, name="Bánh pía của người khác")
    services.application_create(
        actor=Actor(user=other_producer, organisation=other_producer.organisation), product=other_product, cycle=cycle
    )
    client.force_login(producer)
    response = client.get(reverse("catalog:my-applications"))
    assert list(response.context["applications"]) == [application]
    assert "Trà mãng cầu Cẩm Thiều" in response.content.decode()
    assert "Bánh pía của người khác" not in response.content.decode()


def test_list_query_count_does_not_grow_with_the_page(
    client, producer, owner_actor, cycle, django_assert_max_num_queries
):
    for _ in range(25):
        services.application_create(
            actor=owner_actor, product=ProductFactory(producer=producer.organisation), cycle=cycle
        )
    client.force_login(producer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:my-applications"))
    assert response.status_code == 200
    assert len(response.context["applications"]) == 20
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:my-applications"), {"page": 2})
    assert len(response.context["applications"]) == 5


def test_buyer_is_refused_and_anonymous_sent_to_login(client, buyer, application):
    for url in (reverse("catalog:my-applications"), detail_url(application)):
        client.logout()
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        client.force_login(buyer)
        assert client.get(url).status_code == 403


# ---------- Create ----------


def test_producer_creates_a_draft_application(client, producer, product, cycle):
    client.force_login(producer)
    response = client.post(
        reverse("catalog:my-application-create"),
        {"product": product.pk, "cycle": cycle.pk, "self_assessment_score": "72.5"},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(application)
    assert application.product == product
    assert application.cycle == cycle
    assert application.status == Application.Status.DRAFT
    assert application.self_assessment_score == Decimal("72.5")
    assert ApplicationEvent.objects.filter(application=application, to_status="draft", actor=producer).exists()


def test_create_form_preselects_the_product_and_the_only_open_cycle(client, producer, product, cycle):
    client.force_login(producer)
    response = client.get(reverse("catalog:my-application-create"), {"product": product.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"product": product.pk, "cycle": cycle.pk}
    assert f'<option value="{product.pk}" selected>' in response.content.decode()


def test_create_offers_only_own_products_that_are_not_archived(client, producer, product, other_producer, cycle):
    archived = ProductFactory(producer=producer.organisation, status=Product.Status.ARCHIVED)
    foreign = ProductFactory(producer=other_producer.organisation)
    client.force_login(producer)
    response = client.get(reverse("catalog:my-application-create"))
    assert list(response.context["form"].fields["product"].queryset) == [product]
    for refused in (archived, foreign):
        response = client.post(reverse("catalog:my-application-create"), {"product": refused.pk, "cycle": cycle.pk})
        assert response.status_code == 200
        assert "product" in response.context["form"].errors
    assert not Application.objects.exists()


def test_no_open_cycle_shows_a_message_instead_of_the_form(client, producer, product):
    closed = make_cycle(year=2025, opens_in=-90, closes_in=-10)
    client.force_login(producer)
    response = client.get(reverse("catalog:my-application-create"))
    assert response.status_code == 200
    assert response.context["has_open_cycle"] is False
    assert 'name="cycle"' not in response.content.decode()
    assert "alert--warning" in response.content.decode()

    response = client.post(reverse("catalog:my-application-create"), {"product": product.pk, "cycle": closed.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("cycle", "invalid_choice")
    assert not Application.objects.exists()


def test_closed_cycle_is_refused_beside_the_field(client, producer, product, cycle):
    closed = make_cycle(year=2025, opens_in=-90, closes_in=-10)
    client.force_login(producer)
    response = client.post(reverse("catalog:my-application-create"), {"product": product.pk, "cycle": closed.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("cycle")
    assert not Application.objects.exists()


def test_second_application_for_the_same_product_and_cycle_is_refused(client, producer, application):
    client.force_login(producer)
    response = client.post(
        reverse("catalog:my-application-create"), {"product": application.product.pk, "cycle": application.cycle.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("product")
    assert "error-summary" in response.content.decode()
    assert Application.objects.count() == 1


def test_self_assessment_out_of_range_is_refused(client, producer, product, cycle):
    client.force_login(producer)
    response = client.post(
        reverse("catalog:my-application-create"),
        {"product": product.pk, "cycle": cycle.pk, "self_assessment_score": "150"},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("self_assessment_score")
    assert not Application.objects.exists()


# ---------- Detail, documents and submission ----------


def test_detail_shows_the_checklist_and_the_forms_of_a_draft(client, producer, application, document):
    client.force_login(producer)
    response = client.get(detail_url(application))
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["missing_count"] == len(ApplicationDocument.REQUIRED_KINDS) - 1
    assert "1489/2025" in content
    assert 'enctype="multipart/form-data"' in content
    assert 'accept="application/pdf,image/jpeg,image/png"' in content
    assert reverse("catalog:application-document", args=[application.pk, document.pk]) in content
    assert reverse("catalog:my-document-delete", args=[application.pk, document.pk]) in content
    assert reverse("catalog:my-application-submit", args=[application.pk]) in content


def test_upload_every_required_document_then_submit(
    client, producer, application, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(producer)
    for index, kind in enumerate(ApplicationDocument.REQUIRED_KINDS):
        file = png_upload(f"{kind}.png") if index % 2 else pdf_upload(f"{kind}.pdf")
        response = upload(client, application, kind, file)
        assert response.status_code == 302
    assert set(application.documents.values_list("kind", flat=True)) == set(ApplicationDocument.REQUIRED_KINDS)
    assert set(application.documents.values_list("content_type", flat=True)) == {"application/pdf", "image/png"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:my-application-submit", args=[application.pk]))
    assert response.status_code == 302
    assert response.url == detail_url(application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at is not None
    assert ApplicationEvent.objects.filter(application=application, from_status="draft", to_status="submitted").exists()
    assert any(producer.email in message.to for message in mailoutbox)

    response = client.get(detail_url(application))
    content = response.content.decode()
    assert response.context["editable"] is False
    assert 'name="action"' not in content
    assert reverse("catalog:my-application-submit", args=[application.pk]) not in content


def test_submit_with_missing_documents_is_refused(client, producer, application, document):
    client.force_login(producer)
    response = client.post(reverse("catalog:my-application-submit", args=[application.pk]))
    assert response.status_code == 302
    assert any(str(ApplicationDocument.Kind.BUSINESS_PLAN.label) in message for message in messages_of(response))
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert not ApplicationEvent.objects.filter(application=application, to_status="submitted").exists()


def test_submit_needs_post(client, producer, application):
    client.force_login(producer)
    response = client.get(reverse("catalog:my-application-submit", args=[application.pk]))
    assert response.status_code == 405
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.pdf", b""),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("script.pdf", b"%PDF-1.4\n1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("animation.gif", image_bytes("GIF")),
    ],
)
def test_bad_upload_is_refused_and_nothing_saved(client, producer, application, name, data):
    client.force_login(producer)
    response = upload(client, application, "business_plan", SimpleUploadedFile(name, data))
    assert response.status_code == 400
    assert response.context["upload_form"].has_error("file")
    assert 'class="error-summary"' in response.content.decode()
    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_upload_without_a_kind_is_refused(client, producer, application):
    client.force_login(producer)
    response = upload(client, application, "", pdf_upload())
    assert response.status_code == 400
    assert response.context["upload_form"].has_error("kind")
    assert not ApplicationDocument.objects.exists()


def test_self_assessment_score_is_saved_and_checked(client, producer, application):
    client.force_login(producer)
    response = client.post(detail_url(application), {"action": "score", "self_assessment_score": "64"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.self_assessment_score == Decimal("64")

    response = client.post(detail_url(application), {"action": "score", "self_assessment_score": "101"})
    assert response.status_code == 400
    assert response.context["score_form"].has_error("self_assessment_score")
    application.refresh_from_db()
    assert application.self_assessment_score == Decimal("64")


def test_returned_application_shows_what_is_missing(client, producer, application, staff, owner_actor):
    for kind in ApplicationDocument.REQUIRED_KINDS:
        services.document_add(actor=owner_actor, application=application, kind=kind, upload=pdf_upload())
    services.application_submit(actor=owner_actor, application=application)
    services.application_return(
        actor=Actor(user=staff, organisation=staff.organisation),
        application=application,
        message="Thiếu giấy chứng nhận an toàn thực phẩm.",
    )
    client.force_login(producer)
    response = client.get(detail_url(application))
    content = response.content.decode()
    assert "alert--warning" in content
    assert "Thiếu giấy chứng nhận an toàn thực phẩm." in content
    assert response.context["editable"] is True
    assert reverse("catalog:my-application-submit", args=[application.pk]) in content


def test_scored_application_shows_the_council_score_and_stars(client, producer, application):
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SCORED, total_score=Decimal("75"))
    client.force_login(producer)
    response = client.get(detail_url(application))
    content = response.content.decode()
    assert "75" in content
    assert "star-badge--4" in content


def test_submitted_application_refuses_uploads(client, producer, application):
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SUBMITTED)
    client.force_login(producer)
    response = upload(client, application, "award", pdf_upload())
    assert response.status_code == 302
    assert messages_of(response)
    assert not ApplicationDocument.objects.exists()


def test_staff_acting_for_the_producer_upload_and_are_shown_in_the_timeline(client, staff, producer, application):
    client.force_login(staff)
    session = client.session
    session[ACTING_SESSION_KEY] = producer.organisation.pk
    session.save()
    for kind in ApplicationDocument.REQUIRED_KINDS:
        assert upload(client, application, kind, pdf_upload()).status_code == 302
    client.post(reverse("catalog:my-application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    event = application.events.get(to_status="submitted")
    assert event.actor == staff
    assert event.on_behalf is True

    client.force_login(producer)
    response = client.get(detail_url(application))
    assert "table__secondary" in response.content.decode()
    assert response.context["events"][1].on_behalf is True


# ---------- Download ----------


def test_owner_downloads_the_document(client, producer, application, document):
    client.force_login(producer)
    response = client.get(reverse("catalog:application-document", args=[application.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    response.close()


def test_staff_of_the_department_download_the_document(client, staff, application, document):
    client.force_login(staff)
    response = client.get(reverse("catalog:application-document", args=[application.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    response.close()


@pytest.mark.parametrize("who", ["other_producer", "buyer", "plain_staff"])
def test_others_cannot_download_the_document(client, request, who, application, document):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("catalog:application-document", args=[application.pk, document.pk]))
    assert response.status_code == 404


def test_anonymous_download_goes_to_login(client, application, document):
    response = client.get(reverse("catalog:application-document", args=[application.pk, document.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_document_is_not_found_under_another_application(client, producer, owner_actor, cycle, document):
    other = services.application_create(
        actor=owner_actor, product=ProductFactory(producer=producer.organisation), cycle=cycle
    )
    client.force_login(producer)
    response = client.get(reverse("catalog:application-document", args=[other.pk, document.pk]))
    assert response.status_code == 404


# ---------- Removing a document ----------


def test_removing_a_document_asks_first(client, producer, application, document, django_capture_on_commit_callbacks):
    client.force_login(producer)
    url = reverse("catalog:my-document-delete", args=[application.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "button--danger" in response.content.decode()
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert len(stored_files()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert stored_files() == []


# ---------- Another producer ----------


def test_another_producer_cannot_touch_the_application(
    client, other_producer, application, document, django_capture_on_commit_callbacks
):
    client.force_login(other_producer)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.get(detail_url(application)),
            client.post(reverse("catalog:my-application-submit", args=[application.pk])),
            upload(client, application, "award", pdf_upload()),
            client.post(detail_url(application), {"action": "score", "self_assessment_score": "99"}),
            client.get(reverse("catalog:my-document-delete", args=[application.pk, document.pk])),
            client.post(reverse("catalog:my-document-delete", args=[application.pk, document.pk])),
        ]
    assert [response.status_code for response in responses] == [404] * len(responses)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.self_assessment_score is None
    assert list(ApplicationDocument.objects.all()) == [document]
    assert len(stored_files()) == 1
