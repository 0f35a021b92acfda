"""The check-in desk: who may use it, checking in once, the counts, the search."""

import pytest
from django.urls import reverse

from accounts.roles import Actor
from events import services
from events.models import Registration
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def member(kind="producer", name=None):
    organisation = OrganisationFactory(kind=kind, is_verified=True, **({"name": name} if name else {}))
    return UserFactory(organisation=organisation)


def register(user, event, **kwargs):
    kwargs.setdefault("participation", "attendee")
    kwargs.setdefault("people_count", 1)
    return services.registration_create(actor=Actor(user=user, organisation=user.organisation), event=event, **kwargs)


def checkin_url(event):
    return reverse("events:staff-checkin", args=[event.slug])


def registration_url(registration):
    return reverse("events:staff-checkin-registration", args=[registration.event.slug, registration.code])


@pytest.fixture
def event():
    return EventFactory(capacity=20)


@pytest.mark.parametrize("who", ["anonymous", "producer", "buyer", "plain_staff", "staff"])
def test_only_registration_staff_use_the_desk(client, request, event, who):
    registration = register(member(), event)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    expected = {"anonymous": 302, "staff": 200}.get(who, 403)
    assert client.get(checkin_url(event)).status_code == expected
    assert client.get(registration_url(registration)).status_code == expected
    post = client.post(registration_url(registration))
    assert post.status_code == (302 if who in ("anonymous", "staff") else 403)
    registration.refresh_from_db()
    assert (registration.checked_in_at is not None) == (who == "staff")


def test_check_in_twice_keeps_the_first_time(client, staff, event):
    registration = register(member(), event)
    client.force_login(staff)
    response = client.post(registration_url(registration))
    assert response.status_code == 302
    assert response.url == checkin_url(event)
    registration.refresh_from_db()
    first = registration.checked_in_at
    assert first is not None
    assert registration.checked_in_by == staff

    client.post(registration_url(registration))
    registration.refresh_from_db()
    assert registration.checked_in_at == first


def test_a_waitlisted_registration_cannot_check_in(client, staff):
    event = EventFactory(capacity=1)
    register(member(), event)
    waiting = register(member("buyer"), event, participation="buyer")
    assert waiting.status == Status.WAITLISTED
    client.force_login(staff)
    page = client.get(registration_url(waiting))
    assert page.status_code == 200
    assert b"checkin-button" not in page.content
    response = client.post(registration_url(waiting), follow=True)
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_a_code_of_another_event_is_not_found(client, staff, event):
    other = register(member(), EventFactory())
    client.force_login(staff)
    url = reverse("events:staff-checkin-registration", args=[event.slug, other.code])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_code_lookup_ignores_case(client, staff, event):
    registration = register(member(), event)
    client.force_login(staff)
    url = reverse("events:staff-checkin-registration", args=[event.slug, registration.code.lower()])
    assert client.get(url).status_code == 200


def test_counts_registered_and_present_by_participation(client, staff, event):
    exhibitors = [register(member(), event, participation="exhibitor", people_count=2) for _ in range(3)]
    buyers = [register(member("buyer"), event, participation="buyer", people_count=1) for _ in range(2)]
    cancelled = register(member(), event)
    services.registration_cancel(actor=Actor(user=staff, organisation=None), registration=cancelled)
    staff_actor = Actor(user=staff, organisation=None)
    services.registration_check_in(actor=staff_actor, registration=exhibitors[0])
    services.registration_check_in(actor=staff_actor, registration=buyers[0])
    services.registration_check_in(actor=staff_actor, registration=buyers[1])

    client.force_login(staff)
    response = client.get(checkin_url(event))
    rows = {row.participation: row for row in response.context["counts"]}
    assert (rows["exhibitor"].registered, rows["exhibitor"].present) == (3, 1)
    assert (rows["exhibitor"].registered_people, rows["exhibitor"].present_people) == (6, 2)
    assert (rows["buyer"].registered, rows["buyer"].present) == (2, 2)
    assert (rows["attendee"].registered, rows["attendee"].present) == (0, 0)
    total = response.context["total"]
    assert (total.registered, total.present, total.registered_people, total.present_people) == (5, 3, 8, 4)
    # The cancelled registration is not in the default list.
    assert cancelled not in list(response.context["registrations"])


def test_search_folds_diacritics_and_finds_codes(client, staff, event):
    wanted = register(member(name="Hợp tác xã Bánh Pía Đồng Tiến"), event)
    register(member(name="Công ty Mắm Cá Linh"), event)
    client.force_login(staff)
    for query in ("banh pia", "BÁNH PÍA", "dong tien", wanted.code.lower()):
        response = client.get(checkin_url(event), {"q": query})
        assert list(response.context["registrations"]) == [wanted], query
    assert list(client.get(checkin_url(event), {"q": "không có"}).context["registrations"]) == []


def test_pending_rows_offer_approve_and_decline(client, staff):
    event = EventFactory(requires_approval=True)
    pending = register(member(), event)
    client.force_login(staff)
    response = client.get(checkin_url(event))
    content = response.content.decode()
    assert reverse("events:staff-registration-decide", args=[event.slug, pending.pk]) in content
    assert 'value="approve"' in content and 'value="reject"' in content

    decide = client.post(
        reverse("events:staff-registration-decide", args=[event.slug, pending.pk]),
        {"decision": "approve", "next": checkin_url(event) + "?status=pending"},
    )
    assert decide.url == checkin_url(event) + "?status=pending"
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


def test_the_desk_never_redirects_off_site(client, staff, event):
    registration = register(member(), event)
    client.force_login(staff)
    response = client.post(registration_url(registration), {"next": "https://evil.example/" + checkin_url(event)})
    assert response.url == checkin_url(event)


def test_desk_query_count_does_not_grow_with_the_list(client, staff, event, django_assert_max_num_queries):
    for n in range(15):
        registration = register(member(), event)
        if n % 2:
            services.registration_check_in(actor=Actor(user=staff, organisation=None), registration=registration)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(checkin_url(event))
    assert len(response.context["registrations"]) == 15
    with django_assert_max_num_queries(13):
        client.get(checkin_url(event), {"q": "hop tac xa"})


def test_desk_is_paginated_by_fifty(client, staff):
    event = EventFactory(capacity=None)
    for _ in range(52):
        register(member(), event)
    client.force_login(staff)
    assert len(client.get(checkin_url(event)).context["registrations"]) == 50
    assert len(client.get(checkin_url(event), {"page": 2}).context["registrations"]) == 2
