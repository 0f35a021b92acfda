"""The MoU registry: the party rules, follow-up notes, the private document and the public list."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Actor
from events import services
from events.models import MoU, MoUNote, MoUParty
from tests.accounts.factories import OrganisationFactory
from tests.catalog.factories import ProductFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIGNED_ON = datetime.date(2024, 10, 27)


def staff_actor(user):
    return Actor(user=user, organisation=None)


def value_shown(content: bytes, value: int) -> bool:
    text = content.decode()
    return any(form in text for form in (f"{value:,}", f"{value:,}".replace(",", "."), str(value)))


@pytest.fixture
def agency(db):
    return OrganisationFactory(kind=Organisation.Kind.AGENCY, is_verified=True, name="Sở Công Thương tỉnh Thử")


@pytest.fixture
def other_agency(db):
    return OrganisationFactory(kind=Organisation.Kind.AGENCY, is_verified=True, name="Sở Công Thương tỉnh Bạn")


@pytest.fixture
def business_mou(staff, producer_org, buyer_org):
    """A business MoU between the `producer` fixture's organisation and the `buyer`'s, with a value and a document."""
    mou = services.mou_create(
        actor=staff_actor(staff),
        parties=[producer_org, buyer_org],
        kind=MoU.Kind.BUSINESS,
        title="Biên bản ghi nhớ cung ứng bánh pía",
        scope="Cung ứng bánh pía sầu riêng cho hệ thống siêu thị.",
        signed_on=SIGNED_ON,
        value=123_456_789,
    )
    mou.document.save("bien-ban.pdf", ContentFile(TINY_PDF))
    return mou


# --- The party rules, through the service -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "party_kinds", "code"),
    [
        (MoU.Kind.BUSINESS, ["producer"], "one_party"),
        (MoU.Kind.AGENCY_AGENCY, ["agency", "producer"], "party_kinds"),
        (MoU.Kind.AGENCY_RETAILER, ["agency", "agency"], "party_kinds"),
        (MoU.Kind.BUSINESS, ["producer", "agency"], "party_kinds"),
    ],
)
def test_mou_create_refuses_parties_that_do_not_fit_and_saves_nothing(staff, kind, party_kinds, code):
    parties = [OrganisationFactory(kind=party_kind) for party_kind in party_kinds]
    with pytest.raises(ValidationError) as raised:
        services.mou_create(actor=staff_actor(staff), parties=parties, kind=kind, title="Thử", signed_on=SIGNED_ON)
    assert raised.value.error_dict["parties"][0].code == code
    assert not MoU.objects.exists()
    assert not MoUParty.objects.exists()


def test_mou_create_refuses_the_same_party_twice(staff, agency):
    with pytest.raises(ValidationError) as raised:
        services.mou_create(
            actor=staff_actor(staff),
            parties=[agency, agency],
            kind=MoU.Kind.AGENCY_AGENCY,
            title="Thử",
            signed_on=SIGNED_ON,
        )
    assert raised.value.error_dict["parties"][0].code == "duplicate_party"
    assert not MoU.objects.exists()


def test_mou_create_records_the_parties(staff, agency, other_agency):
    mou = services.mou_create(
        actor=staff_actor(staff),
        parties=[agency, other_agency],
        kind=MoU.Kind.AGENCY_AGENCY,
        title="Hợp tác xúc tiến thương mại",
        signed_on=SIGNED_ON,
    )
    assert set(mou.parties.all()) == {agency, other_agency}
    assert mou.created_by == staff


def test_only_staff_record_mous(producer, producer_org, buyer_org):
    with pytest.raises(PermissionDenied):
        services.mou_create(
            actor=Actor(user=producer, organisation=producer_org),
            parties=[producer_org, buyer_org],
            kind=MoU.Kind.BUSINESS,
            title="Thử",
            signed_on=SIGNED_ON,
        )
    assert not MoU.objects.exists()


# --- Follow-up notes ----------------------------------------------------------------------------------------------


def note_data(**overrides):
    data = {"status": MoU.Status.FIRST_ORDER, "noted_on": timezone.localdate().isoformat(), "text": "Đơn hàng đầu"}
    data.update(overrides)
    return data


def test_a_party_member_adds_a_note_and_the_mou_takes_its_status(client, producer, business_mou):
    assert business_mou.status == MoU.Status.SIGNED
    client.force_login(producer)
    url = reverse("events:mou-detail", args=[business_mou.pk])
    response = client.post(url, note_data(text="Đơn hàng đầu tiên 500 hộp"))
    assert response.status_code == 302
    business_mou.refresh_from_db()
    assert business_mou.status == MoU.Status.FIRST_ORDER
    note = MoUNote.objects.get(mou=business_mou)
    assert (note.text, note.author) == ("Đơn hàng đầu tiên 500 hộp", producer)
    page = client.get(url)
    assert "Đơn hàng đầu tiên 500 hộp" in page.content.decode()


def test_a_note_with_a_bad_date_is_an_error_beside_the_date_and_nothing_is_saved(client, producer, business_mou):
    client.force_login(producer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("events:mou-detail", args=[business_mou.pk]), note_data(noted_on=tomorrow.isoformat())
    )
    assert response.status_code == 400
    assert "noted_on" in response.context["form"].errors
    assert "Đơn hàng đầu" in response.content.decode()  # what was typed is kept
    before_signing = SIGNED_ON - datetime.timedelta(days=1)
    response = client.post(
        reverse("events:mou-detail", args=[business_mou.pk]), note_data(noted_on=before_signing.isoformat())
    )
    assert set(response.context["form"].errors) == {"noted_on"}
    response = client.post(reverse("events:mou-detail", args=[business_mou.pk]), note_data(text=""))
    assert set(response.context["form"].errors) == {"text"}
    assert not MoUNote.objects.exists()
    business_mou.refresh_from_db()
    assert business_mou.status == MoU.Status.SIGNED


def test_a_producer_who_is_not_a_party_cannot_add_a_note(client, other_producer, other_producer_org, business_mou):
    client.force_login(other_producer)
    response = client.post(reverse("events:mou-detail", args=[business_mou.pk]), note_data())
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.mou_note_add(
            actor=Actor(user=other_producer, organisation=other_producer_org),
            mou=business_mou,
            status=MoU.Status.LAPSED,
            text="Không phải bên ký",
        )
    assert not MoUNote.objects.exists()
    page = client.get(reverse("events:mou-detail", args=[business_mou.pk]))
    assert page.context["form"] is None


def test_an_anonymous_note_is_sent_to_sign_in(client, business_mou):
    response = client.post(reverse("events:mou-detail", args=[business_mou.pk]), note_data())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not MoUNote.objects.exists()


def test_staff_add_notes_to_any_mou(client, staff, business_mou):
    client.force_login(staff)
    response = client.post(reverse("events:mou-detail", args=[business_mou.pk]), note_data(status="listed"))
    assert response.status_code == 302
    business_mou.refresh_from_db()
    assert business_mou.status == MoU.Status.LISTED


# --- The detail page and the document -----------------------------------------------------------------------------


def test_the_public_page_shows_parties_and_products_but_not_the_value_or_document(client, business_mou, producer_org):
    product = ProductFactory(producer=producer_org, name="Bánh pía sầu riêng trứng")
    business_mou.products.add(product)
    response = client.get(reverse("events:mou-detail", args=[business_mou.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert business_mou.title in content
    assert producer_org.name in content
    assert reverse("catalog:producer-detail", args=[producer_org.pk]) in content
    assert "Bánh pía sầu riêng trứng" in content
    assert not value_shown(response.content, 123_456_789)
    assert reverse("events:mou-document", args=[business_mou.pk]) not in content
    assert response.context["form"] is None


def test_a_party_member_sees_the_value_the_document_link_and_the_note_form(client, buyer, business_mou):
    client.force_login(buyer)
    response = client.get(reverse("events:mou-detail", args=[business_mou.pk]))
    assert value_shown(response.content, 123_456_789)
    assert reverse("events:mou-document", args=[business_mou.pk]) in response.content.decode()
    assert response.context["form"] is not None


@pytest.mark.parametrize("who", ["producer", "buyer", "staff"])
def test_parties_and_staff_download_the_document(client, request, business_mou, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("events:mou-document", args=[business_mou.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == TINY_PDF


@pytest.mark.parametrize("who", ["anonymous", "other_producer", "plain_staff"])
def test_anyone_else_does_not_find_the_document(client, request, business_mou, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("events:mou-document", args=[business_mou.pk]))
    assert response.status_code == 404


def test_an_mou_without_a_document_has_none_to_download(client, producer, staff, producer_org, buyer_org):
    mou = services.mou_create(
        actor=staff_actor(staff), parties=[producer_org, buyer_org], kind="business", title="Thử", signed_on=SIGNED_ON
    )
    client.force_login(producer)
    assert client.get(reverse("events:mou-document", args=[mou.pk])).status_code == 404


# --- The list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def registry(staff, agency, other_agency, producer_org, buyer_org):
    """Three agency MoUs of 2023 at an event, and two business MoUs of 2024 (one listed) without an event."""
    actor = staff_actor(staff)
    event = EventFactory(name="Hội nghị kết nối 2023")
    for number in range(3):
        services.mou_create(
            actor=actor,
            parties=[agency, other_agency],
            kind=MoU.Kind.AGENCY_AGENCY,
            title=f"Hợp tác giữa hai Sở số {number}",
            signed_on=datetime.date(2023, 5, 1),
            event=event,
        )
    services.mou_create(
        actor=actor,
        parties=[producer_org, buyer_org],
        kind=MoU.Kind.BUSINESS,
        title="Cung ứng gạo ST25",
        signed_on=datetime.date(2024, 3, 1),
        value=987_654_321,
        status=MoU.Status.LISTED,
    )
    services.mou_create(
        actor=actor,
        parties=[OrganisationFactory(kind="producer"), buyer_org],
        kind=MoU.Kind.BUSINESS,
        title="Cung ứng mắm cá lóc",
        signed_on=datetime.date(2024, 4, 1),
        value=555_444_333,
    )
    return event


def listed_titles(response) -> list[str]:
    return [mou.title for mou in response.context["mous"]]


def test_the_list_shows_every_mou_with_its_parties_and_counts_per_kind(client, registry, agency):
    response = client.get(reverse("events:mou-list"))
    assert response.status_code == 200
    assert len(listed_titles(response)) == 5
    counts = {tab["value"]: tab["count"] for tab in response.context["kind_tabs"]}
    assert counts == {"agency_agency": 3, "agency_retailer": 0, "business": 2}
    assert agency.name in response.content.decode()


def test_the_list_filters_by_kind_event_status_and_year(client, registry):
    url = reverse("events:mou-list")
    assert len(listed_titles(client.get(url, {"kind": "business"}))) == 2
    assert len(listed_titles(client.get(url, {"event": registry.pk}))) == 3
    assert listed_titles(client.get(url, {"status": "listed"})) == ["Cung ứng gạo ST25"]
    assert len(listed_titles(client.get(url, {"year": "2024"}))) == 2
    response = client.get(url, {"year": "2024", "kind": "agency_agency"})
    assert listed_titles(response) == []
    # The counts per kind follow the other filters, not the kind chosen.
    counts = {tab["value"]: tab["count"] for tab in response.context["kind_tabs"]}
    assert counts == {"agency_agency": 0, "agency_retailer": 0, "business": 2}


def test_the_list_ignores_a_bad_filter_value(client, registry):
    response = client.get(reverse("events:mou-list"), {"year": "abc", "event": "999999", "kind": "nope"})
    assert response.status_code == 200
    assert len(listed_titles(response)) == 5


def test_the_public_list_hides_every_value(client, registry):
    response = client.get(reverse("events:mou-list"))
    assert not response.context["shows_value"]
    assert not value_shown(response.content, 987_654_321)
    assert not value_shown(response.content, 555_444_333)


def test_a_party_member_sees_only_its_own_mous_value_in_the_list(client, producer, registry):
    client.force_login(producer)
    response = client.get(reverse("events:mou-list"))
    assert value_shown(response.content, 987_654_321)
    assert not value_shown(response.content, 555_444_333)


def test_staff_see_every_value_in_the_list(client, staff, registry):
    client.force_login(staff)
    response = client.get(reverse("events:mou-list"))
    assert value_shown(response.content, 987_654_321)
    assert value_shown(response.content, 555_444_333)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_query_count_does_not_grow_with_the_page(
    client, staff, buyer, buyer_org, signed_in, django_assert_max_num_queries
):
    if signed_in:
        client.force_login(buyer)
    actor = staff_actor(staff)
    event = EventFactory()
    for number in range(30):
        services.mou_create(
            actor=actor,
            parties=[OrganisationFactory(kind="producer"), buyer_org],
            kind=MoU.Kind.BUSINESS,
            title=f"Cung ứng số {number}",
            signed_on=SIGNED_ON,
            event=event,
            value=1_000_000,
        )
    with django_assert_max_num_queries(10):
        response = client.get(reverse("events:mou-list"))
    assert len(response.context["mous"]) == 25
    with django_assert_max_num_queries(10):
        assert client.get(reverse("events:mou-list"), {"page": 2}).status_code == 200


def test_the_detail_query_count_is_bounded(client, business_mou, django_assert_max_num_queries):
    for _ in range(5):
        business_mou.products.add(ProductFactory())
    with django_assert_max_num_queries(6):
        assert client.get(reverse("events:mou-detail", args=[business_mou.pk])).status_code == 200
