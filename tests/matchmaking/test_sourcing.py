"""Sourcing: buyer profiles, shortlists, sourcing requests, offers and explained suggestions — views and services."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Ward
from accounts.roles import Actor
from matchmaking.models import BuyerProfile, Offer, ShortlistItem, SourcingRequest
from matchmaking.selectors import suggestions as selectors
from matchmaking.services import sourcing as services
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, subgroup
from tests.matchmaking.factories import (
    BuyerFactory,
    BuyerProfileFactory,
    OfferFactory,
    ShortlistItemFactory,
    SourcingRequestFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def en(url: str) -> str:
    """The English page of a URL (Vietnamese, the default language, has no prefix; after an English request
    reverse() already gives English URLs)."""
    return url if url.startswith("/en/") else "/en" + url


def actor(user) -> Actor:
    return Actor(user=user, organisation=user.organisation)


def certified_product(*, score="75", days_ago=100, **fields):
    product = ProductFactory(**fields)
    certify(product, score=score, days_ago=days_ago)
    product.refresh_from_db()
    return product


@pytest.fixture
def sourcing_request(buyer_org, buyer):
    return SourcingRequestFactory(buyer=buyer_org, created_by=buyer, title="Nước mắm cá cơm cho 120 siêu thị")


@pytest.fixture
def own_product(producer_org):
    return certified_product(producer=producer_org, name="Nước mắm cá cơm Vĩnh Châu")


@pytest.fixture
def other_buyer(db):
    return UserFactory(organisation=BuyerFactory())


@pytest.fixture
def unverified_producer(db):
    return UserFactory(organisation=ProducerFactory(is_verified=False))


def offer_data(product, **overrides):
    data = {
        "products": [product.pk],
        "quantity_per_month": "120",
        "unit": "hộp",
        "price": "45000",
        "message": "Giao đều.",
    }
    data.update(overrides)
    return data


# --- Who may open what --------------------------------------------------------------------------------------------


BUYER_PAGES = ["buyer-profile", "shortlist", "profile-suggestions", "request-create"]


@pytest.mark.parametrize("name", [*BUYER_PAGES, "request-list", "producer-opportunities"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"matchmaking:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["request-detail", "offer-compare", "request-suggestions"])
def test_anonymous_visitors_are_sent_to_sign_in_from_a_request(client, sourcing_request, name):
    response = client.get(reverse(f"matchmaking:{name}", args=[sourcing_request.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", BUYER_PAGES)
def test_producers_cannot_open_buyers_pages(client, producer, name):
    client.force_login(producer)
    assert client.get(reverse(f"matchmaking:{name}")).status_code == 403


def test_buyers_cannot_open_producers_opportunities(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("matchmaking:producer-opportunities")).status_code == 403


@pytest.mark.parametrize("name", ["offer-compare", "request-suggestions"])
def test_another_buyer_gets_404_on_a_requests_private_pages(client, other_buyer, sourcing_request, name):
    client.force_login(other_buyer)
    assert client.get(reverse(f"matchmaking:{name}", args=[sourcing_request.pk])).status_code == 404


def test_another_buyer_reads_an_open_request_without_its_buttons(client, other_buyer, sourcing_request):
    client.force_login(other_buyer)
    response = client.get(reverse("matchmaking:request-detail", args=[sourcing_request.pk]))
    assert response.status_code == 200
    assert response.context["role"] == "viewer"
    assert reverse("matchmaking:request-status", args=[sourcing_request.pk]) not in response.content.decode()
    assert reverse("matchmaking:offer-compare", args=[sourcing_request.pk]) not in response.content.decode()


@pytest.mark.parametrize("status", [SourcingRequest.Status.CLOSED, SourcingRequest.Status.FILLED])
def test_another_buyer_gets_404_on_a_request_that_is_not_open(client, other_buyer, buyer_org, status):
    closed = SourcingRequestFactory(buyer=buyer_org, status=status)
    client.force_login(other_buyer)
    assert client.get(reverse("matchmaking:request-detail", args=[closed.pk])).status_code == 404


def test_another_buyer_cannot_change_the_status(client, other_buyer, sourcing_request):
    client.force_login(other_buyer)
    response = client.post(reverse("matchmaking:request-status", args=[sourcing_request.pk]), {"status": "closed"})
    assert response.status_code == 404
    sourcing_request.refresh_from_db()
    assert sourcing_request.status == SourcingRequest.Status.OPEN


def test_an_unverified_producer_sees_a_notice_and_no_request(client, unverified_producer, sourcing_request):
    client.force_login(unverified_producer)
    response = client.get(en(reverse("matchmaking:request-list")))
    assert response.status_code == 200
    assert response.context["unverified_producer"] is True
    assert list(response.context["requests"]) == []
    assert "not verified yet" in response.content.decode()
    assert sourcing_request.title not in response.content.decode()
    assert client.get(reverse("matchmaking:request-detail", args=[sourcing_request.pk])).status_code == 404


def test_an_unverified_producer_has_no_opportunities(client, unverified_producer, sourcing_request):
    client.force_login(unverified_producer)
    response = client.get(reverse("matchmaking:producer-opportunities"))
    assert response.status_code == 200
    assert response.context["verified"] is False
    assert response.context["opportunities"] == []


def test_another_buyers_shortlist_item_is_not_found(client, buyer, other_buyer):
    item = ShortlistItemFactory(buyer=other_buyer.organisation, note="riêng tư")
    client.force_login(buyer)
    url = reverse("matchmaking:shortlist-item", args=[item.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "delete"}).status_code == 404
    assert ShortlistItem.objects.filter(pk=item.pk).exists()


# --- The lists ----------------------------------------------------------------------------------------------------


def test_a_buyer_lists_its_own_requests_in_every_status(client, buyer, buyer_org, other_buyer):
    mine = [
        SourcingRequestFactory(buyer=buyer_org, status=status)
        for status in (SourcingRequest.Status.OPEN, SourcingRequest.Status.CLOSED, SourcingRequest.Status.FILLED)
    ]
    SourcingRequestFactory(buyer=other_buyer.organisation)
    client.force_login(buyer)
    response = client.get(reverse("matchmaking:request-list"))
    assert {r.pk for r in response.context["requests"]} == {r.pk for r in mine}


def test_a_verified_producer_lists_open_requests_before_their_deadline(client, producer, buyer_org):
    open_request = SourcingRequestFactory(buyer=buyer_org)
    SourcingRequestFactory(buyer=buyer_org, status=SourcingRequest.Status.CLOSED)
    SourcingRequestFactory(buyer=buyer_org, status=SourcingRequest.Status.FILLED)
    SourcingRequestFactory(buyer=buyer_org, deadline=TODAY() - datetime.timedelta(days=1))
    last_day = SourcingRequestFactory(buyer=buyer_org, deadline=TODAY())
    client.force_login(producer)
    response = client.get(reverse("matchmaking:request-list"))
    assert {r.pk for r in response.context["requests"]} == {open_request.pk, last_day.pk}


def test_staff_list_every_request(client, staff, buyer_org, other_buyer):
    SourcingRequestFactory(buyer=buyer_org, status=SourcingRequest.Status.CLOSED)
    SourcingRequestFactory(buyer=other_buyer.organisation)
    client.force_login(staff)
    response = client.get(reverse("matchmaking:request-list"))
    assert response.context["page_obj"].paginator.count == 2


def test_the_list_filters_by_subgroup_and_province(client, producer, buyer_org):
    fish_sauce = SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.4.1"))
    SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.3.2"))
    elsewhere = SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.4.1"), delivery_province_id="79")
    client.force_login(producer)
    url = reverse("matchmaking:request-list")
    by_group = client.get(url, {"subgroup": subgroup("1.4.1").pk}).context["requests"]
    assert {r.pk for r in by_group} == {fish_sauce.pk, elsewhere.pk}
    both = client.get(url, {"subgroup": subgroup("1.4.1").pk, "province": "79"}).context["requests"]
    assert [r.pk for r in both] == [elsewhere.pk]


@pytest.mark.parametrize("count", [3, 12])
def test_the_producers_list_query_count_does_not_grow(client, producer, django_assert_max_num_queries, count):
    for _ in range(count):
        SourcingRequestFactory(buyer=BuyerFactory())
    client.force_login(producer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("matchmaking:request-list"))
    assert len(response.context["requests"]) == count


@pytest.mark.parametrize("count", [3, 12])
def test_the_buyers_list_query_count_does_not_grow(client, buyer, buyer_org, django_assert_max_num_queries, count):
    for _ in range(count):
        OfferFactory(request=SourcingRequestFactory(buyer=buyer_org))
    client.force_login(buyer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("matchmaking:request-list"))
    assert [r.offer_count for r in response.context["requests"]] == [1] * count


def test_the_list_is_paginated(client, staff, buyer_org):
    for _ in range(21):
        SourcingRequestFactory(buyer=buyer_org)
    client.force_login(staff)
    response = client.get(reverse("matchmaking:request-list"))
    assert len(response.context["requests"]) == 20
    assert response.context["page_obj"].paginator.num_pages == 2


# --- Buyer profile ------------------------------------------------------------------------------------------------


def test_a_buyer_creates_then_edits_its_profile(client, buyer, buyer_org):
    client.force_login(buyer)
    url = reverse("matchmaking:buyer-profile")
    page = client.get(en(url))
    assert page.status_code == 200
    groups = page.context["form"].grouped_subgroups()
    assert page.content.decode().count('<fieldset class="subgroup-group">') == len(groups) > 1
    data = {
        "kind": BuyerProfile.Kind.SUPERMARKET_CHAIN,
        "subgroups": [subgroup("1.4.1").pk, subgroup("1.3.2").pk],
        "min_stars": "4",
        "standards_required": ["haccp"],
        "provinces_served": ["92", "79"],
        "typical_volume": "2 tấn/tháng",
        "listing_requirements": "Mã vạch, hạn dùng 6 tháng.",
        "checklist": ["barcode", "ocop_certificate"],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    profile = BuyerProfile.objects.get(organisation=buyer_org)
    assert profile.min_stars == 4
    assert profile.standards_required == ["haccp"]
    assert set(profile.subgroups.values_list("code", flat=True)) == {"1.4.1", "1.3.2"}
    assert set(profile.provinces_served.values_list("code", flat=True)) == {"92", "79"}
    assert profile.checklist == ["ocop_certificate", "barcode"]  # the checklist's own order

    response = client.post(url, {**data, "min_stars": "3", "subgroups": [subgroup("1.3.2").pk]})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.min_stars == 3
    assert list(profile.subgroups.values_list("code", flat=True)) == ["1.3.2"]
    assert BuyerProfile.objects.count() == 1


def test_the_profile_refuses_two_stars(client, buyer, buyer_org):
    client.force_login(buyer)
    response = client.post(reverse("matchmaking:buyer-profile"), {"kind": "distributor", "min_stars": "2"})
    assert response.status_code == 400
    assert "min_stars" in response.context["form"].errors
    assert not BuyerProfile.objects.filter(organisation=buyer_org).exists()


def test_only_a_buyer_saves_a_buyer_profile(producer):
    with pytest.raises(ValidationError) as error:
        services.buyer_profile_save(
            actor=actor(producer), profile=BuyerProfile(kind="distributor"), subgroups=[], provinces_served=[]
        )
    assert error.value.code == "not_buyer"
    assert not BuyerProfile.objects.exists()


# --- Shortlist ----------------------------------------------------------------------------------------------------


def test_a_buyer_shortlists_a_product_once_with_a_note(client, buyer, buyer_org, own_product):
    client.force_login(buyer)
    url = reverse("matchmaking:shortlist-add")
    back = reverse("catalog:product-detail", args=[own_product.pk])
    response = client.post(url, {"product": own_product.pk, "note": "Hỏi giá sỉ", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    client.post(url, {"product": own_product.pk, "next": back})
    item = ShortlistItem.objects.get(buyer=buyer_org)
    assert item.product == own_product
    assert item.note == "Hỏi giá sỉ"


def test_a_buyer_shortlists_a_producer(client, buyer, buyer_org, producer_org):
    client.force_login(buyer)
    client.post(reverse("matchmaking:shortlist-add"), {"producer": producer_org.pk})
    assert ShortlistItem.objects.get(buyer=buyer_org).producer == producer_org


def test_shortlisting_a_draft_product_or_a_buyer_is_not_found(client, buyer, buyer_org, producer_org, other_buyer):
    client.force_login(buyer)
    draft = ProductFactory(producer=producer_org, status="draft", published_at=None)
    url = reverse("matchmaking:shortlist-add")
    assert client.post(url, {"product": draft.pk}).status_code == 404
    assert client.post(url, {"producer": other_buyer.organisation.pk}).status_code == 404
    assert not ShortlistItem.objects.exists()


def test_shortlisting_needs_exactly_one_target(client, buyer, own_product, producer_org):
    client.force_login(buyer)
    response = client.post(
        reverse("matchmaking:shortlist-add"), {"product": own_product.pk, "producer": producer_org.pk}
    )
    assert response.status_code == 302
    assert not ShortlistItem.objects.exists()


def test_a_buyer_edits_a_note_then_removes_the_item_after_confirming(client, buyer, buyer_org, own_product):
    item = ShortlistItemFactory(buyer=buyer_org, product=own_product, note="cũ")
    client.force_login(buyer)
    url = reverse("matchmaking:shortlist-item", args=[item.pk])
    assert client.get(url).context["form"].initial == {"note": "cũ"}
    client.post(url, {"action": "update", "note": "  mới  "})
    item.refresh_from_db()
    assert item.note == "mới"
    confirm = client.get(url, {"delete": "1"})
    assert confirm.context["confirm_delete"] is True
    assert ShortlistItem.objects.filter(pk=item.pk).exists()
    response = client.post(url, {"action": "delete"})
    assert response.status_code == 302
    assert not ShortlistItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("count", [2, 10])
def test_the_shortlist_query_count_does_not_grow(client, buyer, buyer_org, django_assert_max_num_queries, count):
    for index in range(count):
        if index % 2:
            ShortlistItemFactory(buyer=buyer_org, product=certified_product())
        else:
            ShortlistItemFactory(buyer=buyer_org)
    client.force_login(buyer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("matchmaking:shortlist"))
    assert len(response.context["items"]) == count


# --- Sourcing requests --------------------------------------------------------------------------------------------


def request_data(**overrides):
    data = {
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
        "deadline": (TODAY() + datetime.timedelta(days=10)).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_buyer_posts_a_sourcing_request(client, buyer, buyer_org):
    client.force_login(buyer)
    response = client.post(reverse("matchmaking:request-create"), request_data())
    sourcing_request = SourcingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matchmaking:request-detail", args=[sourcing_request.pk])
    assert sourcing_request.buyer == buyer_org
    assert sourcing_request.created_by == buyer
    assert sourcing_request.status == SourcingRequest.Status.OPEN
    assert sourcing_request.quantity_per_month == Decimal("2")
    assert sourcing_request.months_needed == [11, 12]
    assert sourcing_request.standards_required == ["haccp"]


def test_the_request_form_starts_from_the_buyer_profile(client, buyer, buyer_org):
    BuyerProfileFactory(organisation=buyer_org, min_stars=4, standards_required=["haccp"])
    client.force_login(buyer)
    form = client.get(reverse("matchmaking:request-create")).context["form"]
    assert form.initial["min_stars"] == 4
    assert form.initial["standards_required"] == ["haccp"]
    assert form.initial["delivery_province"] == "92"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadline", (datetime.date.today() - datetime.timedelta(days=1)).isoformat()),  # noqa: DTZ011
        ("quantity_per_month", "0"),
        ("quantity_per_month", "-5"),
        ("target_price", "0"),
        ("min_stars", "2"),
    ],
)
def test_bad_request_input_is_refused_beside_the_field(client, buyer, field, value):
    client.force_login(buyer)
    response = client.post(en(reverse("matchmaking:request-create")), request_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SourcingRequest.objects.exists()


def test_a_past_deadline_says_so(client, buyer):
    client.force_login(buyer)
    past = (TODAY() - datetime.timedelta(days=3)).isoformat()
    response = client.post(en(reverse("matchmaking:request-create")), request_data(deadline=past))
    assert "The deadline cannot be in the past." in response.content.decode()


def test_a_producer_cannot_post_a_sourcing_request(client, producer):
    client.force_login(producer)
    assert client.post(reverse("matchmaking:request-create"), request_data()).status_code == 403
    assert not SourcingRequest.objects.exists()


def test_the_service_refuses_a_request_by_a_non_buyer_and_a_past_deadline(producer, buyer):
    draft = SourcingRequest(
        title="x",
        subgroup=subgroup(),
        quantity_per_month=Decimal("1"),
        unit="kg",
        delivery_province_id="92",
        deadline=TODAY(),
    )
    with pytest.raises(ValidationError) as error:
        services.sourcing_request_create(actor=actor(producer), sourcing_request=draft)
    assert error.value.code == "not_buyer"
    draft.deadline = TODAY() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.sourcing_request_create(actor=actor(buyer), sourcing_request=draft)
    assert error.value.error_dict["deadline"][0].code == "deadline_past"
    assert not SourcingRequest.objects.exists()


def test_the_owner_closes_then_marks_filled_but_not_back(client, buyer, sourcing_request):
    client.force_login(buyer)
    url = reverse("matchmaking:request-status", args=[sourcing_request.pk])
    client.post(url, {"status": "closed"})
    sourcing_request.refresh_from_db()
    assert sourcing_request.status == SourcingRequest.Status.CLOSED
    client.post(url, {"status": "filled"})
    sourcing_request.refresh_from_db()
    assert sourcing_request.status == SourcingRequest.Status.FILLED
    with pytest.raises(ValidationError) as error:
        services.sourcing_request_set_status(actor=actor(buyer), sourcing_request=sourcing_request, status="open")
    assert error.value.code == "invalid_status"


def test_the_owner_sees_the_offer_count_and_its_links(client, buyer, sourcing_request):
    OfferFactory(request=sourcing_request)
    OfferFactory(request=sourcing_request)
    client.force_login(buyer)
    response = client.get(reverse("matchmaking:request-detail", args=[sourcing_request.pk]))
    content = response.content.decode()
    assert response.context["role"] == "owner"
    assert response.context["sourcing_request"].offer_count == 2
    assert reverse("matchmaking:offer-compare", args=[sourcing_request.pk]) in content
    assert reverse("matchmaking:request-suggestions", args=[sourcing_request.pk]) in content
    assert reverse("matchmaking:request-status", args=[sourcing_request.pk]) in content


# --- Offers -------------------------------------------------------------------------------------------------------


def test_a_verified_producer_sends_an_offer_and_the_buyer_is_emailed(
    client, producer, producer_org, buyer, sourcing_request, own_product, django_capture_on_commit_callbacks
):
    client.force_login(producer)
    url = reverse("matchmaking:request-detail", args=[sourcing_request.pk])
    assert client.get(url).context["offer_form"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, offer_data(own_product))
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.producer == producer_org
    assert list(offer.products.all()) == [own_product]
    assert offer.quantity_per_month == Decimal("120")
    assert offer.price == 45000
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [buyer.email]
    assert sourcing_request.title in mail.outbox[0].subject
    assert reverse("matchmaking:offer-compare", args=[sourcing_request.pk]) in mail.outbox[0].body
    page = client.get(url)
    assert page.context["own_offer"] == offer
    assert "offer_form" not in page.context


def test_a_second_offer_by_the_same_producer_is_refused_clearly(client, producer, sourcing_request, own_product):
    client.force_login(producer)
    url = en(reverse("matchmaking:request-detail", args=[sourcing_request.pk]))
    client.post(url, offer_data(own_product))
    with pytest.raises(ValidationError) as error:
        services.offer_submit(
            actor=actor(producer),
            sourcing_request=sourcing_request,
            products=[own_product],
            quantity_per_month=Decimal("1"),
            unit="hộp",
            price=1,
        )
    assert error.value.code == "offer_already_sent"
    assert Offer.objects.count() == 1


def test_the_database_allows_one_offer_per_producer_and_request(sourcing_request, producer_org):
    OfferFactory(request=sourcing_request, producer=producer_org)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(request=sourcing_request, producer=producer_org)


@pytest.mark.parametrize("status", [SourcingRequest.Status.CLOSED, SourcingRequest.Status.FILLED])
def test_no_offer_on_a_closed_or_filled_request(client, producer, buyer_org, own_product, status):
    closed = SourcingRequestFactory(buyer=buyer_org, status=status)
    client.force_login(producer)
    response = client.post(en(reverse("matchmaking:request-detail", args=[closed.pk])), offer_data(own_product))
    assert response.status_code == 400
    assert "takes no more offers" in response.content.decode()
    assert not Offer.objects.exists()


def test_no_offer_after_the_deadline(producer, buyer_org, own_product):
    late = SourcingRequestFactory(buyer=buyer_org, deadline=TODAY() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.offer_submit(
            actor=actor(producer),
            sourcing_request=late,
            products=[own_product],
            quantity_per_month=Decimal("1"),
            unit="hộp",
            price=1000,
        )
    assert error.value.code == "deadline_passed"
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("quantity_per_month", "0"), ("quantity_per_month", "-1"), ("price", "0")]
)
def test_quantity_and_price_must_be_above_zero(client, producer, sourcing_request, own_product, field, value):
    client.force_login(producer)
    url = reverse("matchmaking:request-detail", args=[sourcing_request.pk])
    response = client.post(url, offer_data(own_product, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["offer_form"].errors
    assert not Offer.objects.exists()


def test_the_service_refuses_quantity_zero_even_without_the_form(producer, sourcing_request, own_product):
    with pytest.raises(ValidationError) as error:
        services.offer_submit(
            actor=actor(producer),
            sourcing_request=sourcing_request,
            products=[own_product],
            quantity_per_month=Decimal("0"),
            unit="hộp",
            price=1000,
        )
    assert error.value.error_dict["quantity_per_month"][0].code == "quantity_not_positive"


def test_a_producer_offers_only_its_own_published_products(client, producer, sourcing_request, other_producer_org):
    someone_elses = certified_product(producer=other_producer_org)
    client.force_login(producer)
    response = client.post(reverse("matchmaking:request-detail", args=[sourcing_request.pk]), offer_data(someone_elses))
    assert response.status_code == 400
    assert "products" in response.context["offer_form"].errors
    with pytest.raises(ValidationError) as error:
        services.offer_submit(
            actor=actor(producer),
            sourcing_request=sourcing_request,
            products=[someone_elses],
            quantity_per_month=Decimal("1"),
            unit="hộp",
            price=1000,
        )
    assert error.value.error_dict["products"][0].code == "not_own_products"
    assert not Offer.objects.exists()


def test_an_unverified_producer_cannot_offer(unverified_producer, sourcing_request):
    product = certified_product(producer=unverified_producer.organisation)
    with pytest.raises(ValidationError) as error:
        services.offer_submit(
            actor=actor(unverified_producer),
            sourcing_request=sourcing_request,
            products=[product],
            quantity_per_month=Decimal("1"),
            unit="hộp",
            price=1000,
        )
    assert error.value.code == "not_verified"


def test_a_buyer_cannot_post_an_offer(client, other_buyer, sourcing_request, own_product):
    client.force_login(other_buyer)
    response = client.post(reverse("matchmaking:request-detail", args=[sourcing_request.pk]), offer_data(own_product))
    assert response.status_code == 403
    assert not Offer.objects.exists()


# --- Comparing offers ---------------------------------------------------------------------------------------------


def test_the_owner_compares_offers_side_by_side(client, buyer, sourcing_request, django_assert_max_num_queries):
    valid = certified_product(name="Mắm bốn sao", score="75")
    expired = certified_product(name="Mắm hết hạn", score="75", days_ago=1200)
    cheap = OfferFactory(request=sourcing_request, producer=valid.producer, products=[valid], price=40000)
    dear = OfferFactory(request=sourcing_request, producer=expired.producer, products=[expired], price=55000)
    client.force_login(buyer)
    with django_assert_max_num_queries(10):
        response = client.get(en(reverse("matchmaking:offer-compare", args=[sourcing_request.pk])))
    assert [o.pk for o in response.context["offers"]] == [cheap.pk, dear.pk]
    content = response.content.decode()
    assert "OCOP 4 stars" in content
    assert content.count("star-badge__stars") == 1  # the expired certificate shows no stars
    assert "OCOP certificate expired" in content
    meeting = reverse("matchmaking:meeting-create")
    assert f"{meeting}?producer={valid.producer_id}&amp;sourcing_request={sourcing_request.pk}" in content


@pytest.mark.parametrize("count", [2, 8])
def test_the_compare_page_query_count_does_not_grow(
    client, buyer, sourcing_request, django_assert_max_num_queries, count
):
    for _ in range(count):
        product = certified_product()
        OfferFactory(request=sourcing_request, producer=product.producer, products=[product])
    client.force_login(buyer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("matchmaking:offer-compare", args=[sourcing_request.pk]))
    assert len(response.context["offers"]) == count


# --- Suggestions, explained ---------------------------------------------------------------------------------------


@pytest.fixture
def fish_sauce_request(buyer_org, buyer):
    return SourcingRequestFactory(
        buyer=buyer_org,
        created_by=buyer,
        subgroup=subgroup("1.4.1"),
        keywords="nước mắm cá cơm",
        min_stars=3,
        quantity_per_month=Decimal("1"),
        unit="tấn",
    )


@pytest.fixture
def fish_sauces(db):
    """Four fish sauces of sub-group 1.4.1 and a namesake in another sub-group."""
    fish = subgroup("1.4.1")
    return {
        "four_stars": certified_product(
            name="Nước mắm cá cơm Vĩnh Châu", subgroup=fish, monthly_capacity=Decimal("2"), capacity_unit="tấn"
        ),
        "three_stars": certified_product(name="Nước mắm truyền thống", subgroup=fish, score="60"),
        "expired": certified_product(name="Nước mắm cá cơm Trần Đề", subgroup=fish, days_ago=1200),
        "uncertified": ProductFactory(name="Nước mắm nhà làm", subgroup=fish),
        "other_group": certified_product(name="Bánh nước mắm cá cơm", subgroup=subgroup("1.3.2")),
    }


def test_request_suggestions_show_scores_reasons_and_the_excluded_with_their_rule(
    client, buyer, fish_sauce_request, fish_sauces
):
    client.force_login(buyer)
    response = client.get(en(reverse("matchmaking:request-suggestions", args=[fish_sauce_request.pk])))
    assert response.status_code == 200
    suggested = response.context["suggested"]
    assert [s.product for s in suggested] == [fish_sauces["four_stars"], fish_sauces["three_stars"]]
    best = suggested[0]
    assert "4★ ≥ 3★ required" in best.reasons
    assert "capacity 2 tấn/month ≥ 1 tấn" in best.reasons
    assert "same province" in best.reasons
    assert "matches “ca com mam nuoc”" in best.reasons
    assert best.score > suggested[1].score
    excluded = {s.product: s.excluded_by for s in response.context["excluded"]}
    assert excluded[fish_sauces["expired"]] == ["certificate expired"]
    assert excluded[fish_sauces["uncertified"]] == ["no OCOP certificate"]
    assert excluded[fish_sauces["other_group"]] == ["another product group"]
    content = response.content.decode()
    assert "certificate expired" in content
    assert "4★ ≥ 3★ required" in content
    assert f"sourcing_request={fish_sauce_request.pk}" in content


def test_a_missing_standard_excludes_with_its_name(client, buyer, buyer_org, fish_sauces):
    with_haccp = certified_product(subgroup=subgroup("1.4.1"), standards=["haccp"])
    needs_haccp = SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.4.1"), standards_required=["haccp"])
    client.force_login(buyer)
    response = client.get(en(reverse("matchmaking:request-suggestions", args=[needs_haccp.pk])))
    assert [s.product for s in response.context["suggested"]] == [with_haccp]
    assert "HACCP ✓" in response.context["suggested"][0].reasons
    excluded = {s.product: s.excluded_by for s in response.context["excluded"]}
    assert excluded[fish_sauces["four_stars"]] == ["missing HACCP"]


def test_a_revoked_or_superseded_certificate_gives_no_star(fish_sauces):
    product = fish_sauces["four_stars"]
    certificate = product.current_certificate
    certificate.status = "revoked"
    assert selectors.certificate_state(certificate) == (None, "revoked")
    certificate.status = "superseded"
    assert selectors.certificate_state(certificate) == (None, None)
    certificate.status = "valid"
    assert selectors.certificate_state(certificate) == (4, "valid")


def test_the_suggestions_page_marks_shortlisted_products(client, buyer, buyer_org, fish_sauce_request, fish_sauces):
    ShortlistItemFactory(buyer=buyer_org, product=fish_sauces["four_stars"])
    client.force_login(buyer)
    response = client.get(en(reverse("matchmaking:request-suggestions", args=[fish_sauce_request.pk])))
    assert response.context["shortlisted"] == {fish_sauces["four_stars"].pk}
    content = response.content.decode()
    assert content.count("In your shortlist") == 1


@pytest.mark.parametrize("count", [2, 15])
def test_the_suggestions_query_count_does_not_grow(
    client, buyer, fish_sauce_request, django_assert_max_num_queries, count
):
    for index in range(count):
        certified_product(subgroup=subgroup("1.4.1"), days_ago=1200 if index % 3 == 0 else 100)
    client.force_login(buyer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("matchmaking:request-suggestions", args=[fish_sauce_request.pk]))
    assert len(response.context["suggested"]) + len(response.context["excluded"]) == count


def test_profile_suggestions_follow_the_profile_and_the_provinces_served(client, buyer, buyer_org):
    other_ward = Ward.objects.exclude(province_id="92").select_related("province").first()
    far_producer = ProducerFactory(ward=other_ward, province=other_ward.province)
    local = certified_product(subgroup=subgroup("1.4.1"), standards=["haccp"])
    far = certified_product(producer=far_producer, subgroup=subgroup("1.4.1"), standards=["haccp"])
    certified_product(subgroup=subgroup("1.4.1"))  # no HACCP
    certified_product(subgroup=subgroup("4.1.1"), standards=["haccp"])  # not a sub-group sourced
    BuyerProfileFactory(
        organisation=buyer_org,
        subgroups=[subgroup("1.4.1")],
        standards_required=["haccp"],
        provinces_served=[other_ward.province],
    )
    client.force_login(buyer)
    response = client.get(en(reverse("matchmaking:profile-suggestions")))
    suggested = response.context["suggested"]
    assert [s.product for s in suggested] == [far, local]
    assert "same province" in suggested[0].reasons
    assert "same province" not in suggested[1].reasons
    assert [s.excluded_by for s in response.context["excluded"]] == [["missing HACCP"]]


def test_profile_suggestions_ask_for_a_profile_first(client, buyer):
    client.force_login(buyer)
    response = client.get(reverse("matchmaking:profile-suggestions"))
    assert response.context["profile"] is None
    assert reverse("matchmaking:buyer-profile") in response.content.decode()


def test_a_producer_sees_the_open_requests_that_fit_its_products_ranked(client, producer, producer_org, buyer_org):
    certified_product(
        producer=producer_org, subgroup=subgroup("1.4.1"), monthly_capacity=Decimal("5"), capacity_unit="kg"
    )
    certified_product(producer=producer_org, subgroup=subgroup("1.3.2"), score="60")
    big = SourcingRequestFactory(
        buyer=buyer_org, subgroup=subgroup("1.4.1"), quantity_per_month=Decimal("10"), unit="kg"
    )
    small = SourcingRequestFactory(
        buyer=buyer_org, subgroup=subgroup("1.4.1"), quantity_per_month=Decimal("2"), unit="kg"
    )
    cakes = SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.3.2"))
    needs_haccp = SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.4.1"), standards_required=["haccp"])
    SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("1.4.1"), status=SourcingRequest.Status.CLOSED)
    SourcingRequestFactory(buyer=buyer_org, subgroup=subgroup("4.1.1"))
    client.force_login(producer)
    response = client.get(en(reverse("matchmaking:producer-opportunities")))
    opportunities = response.context["opportunities"]
    assert [o.sourcing_request for o in opportunities] == [small, big, cakes]
    assert "capacity 5 kg/month ≥ 2 kg" in opportunities[0].suggestion.reasons
    assert "capacity 5 kg/month < 10 kg" in opportunities[1].suggestion.reasons
    assert [(o.sourcing_request, o.suggestion.excluded_by) for o in response.context["unmet"]] == [
        (needs_haccp, ["missing HACCP"])
    ]


# --- Readiness ----------------------------------------------------------------------------------------------------


@pytest.fixture
def chain(buyer_org):
    return BuyerProfileFactory(
        organisation=buyer_org,
        min_stars=4,
        standards_required=["haccp"],
        checklist=["ocop_certificate", "standards", "barcode", "shelf_life", "photos"],
        listing_requirements="Hạn dùng tối thiểu 90 ngày.",
    )


def test_a_buyer_sees_a_products_readiness_against_its_checklist(client, buyer, chain, own_product):
    own_product.shelf_life_days = 365
    own_product.save()
    client.force_login(buyer)
    response = client.get(en(reverse("matchmaking:readiness", args=[own_product.pk])))
    assert response.status_code == 200
    items = {code: (met, detail) for code, _label, met, detail in response.context["items"]}
    assert items == {
        "ocop_certificate": (True, "4★, valid"),
        "standards": (False, "missing: HACCP"),
        "barcode": (False, "no GTIN barcode"),
        "shelf_life": (True, "365 days"),
        "photos": (False, "no photo"),
    }
    assert response.context["met_count"] == 2
    assert response.context["gap_count"] == 3


def test_the_producer_checks_its_own_product_against_a_chain(client, producer, chain, own_product, buyer_org):
    client.force_login(producer)
    url = reverse("matchmaking:readiness", args=[own_product.pk])
    chooser = client.get(url)
    assert list(chooser.context["buyers"]) == [chain]
    assert "items" not in chooser.context
    response = client.get(url, {"buyer": buyer_org.pk})
    assert response.context["profile"] == chain
    assert len(response.context["items"]) == 5


def test_readiness_is_not_found_for_others(client, other_producer, chain, own_product, buyer_org, producer):
    client.force_login(other_producer)
    assert (
        client.get(reverse("matchmaking:readiness", args=[own_product.pk]), {"buyer": buyer_org.pk}).status_code == 404
    )
    client.force_login(producer)
    assert client.get(reverse("matchmaking:readiness", args=[own_product.pk]), {"buyer": "x"}).status_code == 404
    assert client.get(reverse("matchmaking:readiness", args=[own_product.pk]), {"buyer": 999999}).status_code == 404


def test_readiness_of_a_draft_product_is_not_found(client, buyer, chain, producer_org):
    draft = ProductFactory(producer=producer_org, status="draft", published_at=None)
    client.force_login(buyer)
    assert client.get(reverse("matchmaking:readiness", args=[draft.pk])).status_code == 404


def test_readiness_asks_a_buyer_without_a_profile_to_make_one(client, buyer, own_product):
    client.force_login(buyer)
    response = client.get(reverse("matchmaking:readiness", args=[own_product.pk]))
    assert response.status_code == 200
    assert response.context["profile"] is None
    assert reverse("matchmaking:buyer-profile") in response.content.decode()


def test_staff_acting_for_a_buyer_post_its_request(client, staff, buyer_org):
    from accounts.roles import ACTING_SESSION_KEY

    client.force_login(staff)
    session = client.session
    session[ACTING_SESSION_KEY] = buyer_org.pk
    session.save()
    response = client.post(reverse("matchmaking:request-create"), request_data())
    assert response.status_code == 302
    assert SourcingRequest.objects.get().buyer == buyer_org


def test_organisation_factory_buyers_without_membership_are_refused(client, db):
    agency_member = UserFactory(organisation=OrganisationFactory(kind="agency", is_verified=True))
    client.force_login(agency_member)
    assert client.get(reverse("matchmaking:request-list")).status_code == 403
