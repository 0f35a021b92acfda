"""The public event pages: list, detail with agenda, printable agenda, participants."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Actor
from events import services
from events.models import Event, Registration, Session, Speaker
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProductFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def register(user, event, **kwargs):
    kwargs.setdefault("participation", "attendee")
    kwargs.setdefault("people_count", 1)
    return services.registration_create(actor=Actor(user=user, organisation=user.organisation), event=event, **kwargs)


def member(kind="producer"):
    return UserFactory(organisation=OrganisationFactory(kind=kind, is_verified=True))


def past_event(**kwargs):
    starts = timezone.now() - datetime.timedelta(days=60)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8),
        registration_opens_at=starts - datetime.timedelta(days=30),
        registration_closes_at=starts - datetime.timedelta(days=1),
        status=Event.Status.CLOSED,
        **kwargs,
    )


def with_agenda(event):
    for hour, title in (
        (8, "Phiên 1: Chính sách xúc tiến thương mại"),
        (13, "Phiên 2: Đưa sản phẩm OCOP vào siêu thị"),
    ):
        session = Session.objects.create(
            event=event,
            starts_at=event.starts_at + datetime.timedelta(hours=hour - 8),
            ends_at=event.starts_at + datetime.timedelta(hours=hour - 6),
            room="Hội trường A",
            title=title,
            moderator="Giám đốc Sở Công Thương",
            topics="Thị trường trong nước\nXuất khẩu",
        )
        Speaker.objects.create(
            session=session, name="Nguyễn Văn A", title="Phó Cục trưởng", organisation_name="Bộ Công Thương"
        )
    return event


# ---------- List ----------


def test_list_shows_upcoming_then_past_and_hides_drafts(client):
    later = EventFactory(name="Hội chợ sau", starts_at=timezone.now() + datetime.timedelta(days=40))
    sooner = EventFactory(name="Hội nghị sắp tới", starts_at=timezone.now() + datetime.timedelta(days=10))
    past = past_event(name="Hội nghị năm 2020")
    EventFactory(name="Bản nháp bí mật", status=Event.Status.DRAFT)
    EventFactory(name="Đã lưu trữ", status=Event.Status.ARCHIVED)

    response = client.get(reverse("events:event-list"))
    assert response.status_code == 200
    assert response.context["upcoming"] == [sooner, later]
    assert response.context["past"] == [past]
    content = response.content.decode()
    assert "Bản nháp bí mật" not in content
    assert "Đã lưu trữ" not in content


def test_list_cards_say_the_registration_state_and_places_left(client):
    now = timezone.now()
    open_event = EventFactory(capacity=10)
    register(member(), open_event, people_count=3)
    EventFactory(
        registration_opens_at=now + datetime.timedelta(days=2), registration_closes_at=now + datetime.timedelta(days=5)
    )
    past_event()

    response = client.get(reverse("events:event-list"))
    states = {event.pk: event.registration_state for event in response.context["events"]}
    assert sorted(states.values()) == ["closed", "not_yet", "open"]
    card = next(event for event in response.context["events"] if event.pk == open_event.pk)
    assert card.places_left == 7


def test_list_is_empty_politely(client):
    response = client.get(reverse("events:event-list"))
    assert response.status_code == 200
    assert b"empty-state" in response.content


def test_list_query_count_does_not_grow_with_the_page(client, django_assert_max_num_queries):
    for _ in range(12):
        event = EventFactory(capacity=50)
        register(member(), event)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("events:event-list"))
    assert len(response.context["events"]) == 12


def test_list_is_paginated(client):
    for _ in range(14):
        EventFactory()
    assert len(client.get(reverse("events:event-list")).context["events"]) == 12
    assert len(client.get(reverse("events:event-list"), {"page": 2}).context["events"]) == 2


# ---------- Detail ----------


def test_detail_shows_agenda_places_and_the_register_button(client):
    event = with_agenda(EventFactory(capacity=100, description="Kết nối cung cầu sản phẩm OCOP."))
    register(member(), event, people_count=5)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Phiên 1: Chính sách xúc tiến thương mại" in content
    assert "Nguyễn Văn A" in content and "Bộ Công Thương" in content
    assert "Hội trường A" in content and "Xuất khẩu" in content
    assert response.context["event"].places_taken == 5
    assert response.context["places_left"] == 95
    assert reverse("events:event-register", args=[event.slug]) in content
    assert reverse("events:event-participants", args=[event.slug]) in content
    assert reverse("events:staff-checkin", args=[event.slug]) not in content


def test_detail_shows_the_organisations_registration_instead_of_the_button(client, producer):
    event = EventFactory()
    register(producer, event)
    client.force_login(producer)
    response = client.get(event.get_absolute_url())
    content = response.content.decode()
    assert response.context["registration_active"] is True
    assert reverse("events:my-registration", args=[event.slug]) in content
    assert reverse("events:event-register", args=[event.slug]) not in content


def test_detail_links_the_report_only_when_published(client):
    event = past_event(report_published=False)
    assert (
        reverse("reports:event-report", args=[event.slug]) not in client.get(event.get_absolute_url()).content.decode()
    )
    event.report_published = True
    event.save()
    assert reverse("reports:event-report", args=[event.slug]) in client.get(event.get_absolute_url()).content.decode()


def test_detail_links_check_in_for_registration_staff_only(client, staff, plain_staff):
    event = EventFactory()
    checkin = reverse("events:staff-checkin", args=[event.slug])
    client.force_login(plain_staff)
    assert checkin not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(staff)
    assert checkin in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.ARCHIVED])
@pytest.mark.parametrize("name", ["events:event-detail", "events:event-agenda", "events:event-participants"])
def test_draft_and_archived_events_are_not_found_by_the_public(client, producer, plain_staff, staff, status, name):
    event = EventFactory(status=status)
    url = reverse(name, args=[event.slug])
    assert client.get(url).status_code == 404
    for user in (producer, plain_staff):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_registering_for_a_draft_event_is_not_found(client, producer):
    event = EventFactory(status=Event.Status.DRAFT)
    client.force_login(producer)
    assert client.get(reverse("events:event-register", args=[event.slug])).status_code == 404


def test_detail_query_count_is_bounded(client, producer, django_assert_max_num_queries):
    event = with_agenda(EventFactory(capacity=100))
    for session in event.sessions.all():
        for n in range(4):
            Speaker.objects.create(session=session, name=f"Diễn giả {n}")
    register(producer, event)
    client.force_login(producer)
    with django_assert_max_num_queries(12):
        response = client.get(event.get_absolute_url())
    assert response.status_code == 200


def test_agenda_page_is_printable_and_complete(client):
    event = with_agenda(EventFactory())
    response = client.get(reverse("events:event-agenda", args=[event.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Phiên 2: Đưa sản phẩm OCOP vào siêu thị" in content
    assert "agenda-page" in content


# ---------- Participants ----------


def test_participants_lists_only_confirmed_organisations_that_opted_in(client, producer, buyer):
    event = EventFactory(capacity=5)
    product = ProductFactory(producer=producer.organisation, name="Bánh pía Sóc Trăng")
    register(producer, event, participation="exhibitor", products=[product], booth="A12", show_publicly=True)
    register(buyer, event, participation="buyer", show_publicly=True)
    hidden = member()
    register(hidden, event, show_publicly=False)
    cancelled = member()
    services.registration_cancel(
        actor=Actor(user=cancelled, organisation=cancelled.organisation),
        registration=register(cancelled, event, show_publicly=True),
    )
    waiting = member("buyer")
    register(waiting, event, participation="buyer", people_count=5, show_publicly=True)

    response = client.get(reverse("events:event-participants", args=[event.slug]))
    assert response.status_code == 200
    participants = response.context["participants"]
    assert [r.organisation for r in participants.exhibitors] == [producer.organisation]
    assert [r.organisation for r in participants.buyers] == [buyer.organisation]
    assert participants.others == []
    content = response.content.decode()
    assert "Bánh pía Sóc Trăng" in content and "A12" in content
    for organisation in (hidden.organisation, cancelled.organisation, waiting.organisation):
        assert organisation.name not in content


def test_participants_query_count_is_bounded(client, django_assert_max_num_queries):
    event = EventFactory()
    for _ in range(8):
        user = member()
        products = [ProductFactory(producer=user.organisation) for _ in range(2)]
        register(user, event, participation="exhibitor", products=products, show_publicly=True)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("events:event-participants", args=[event.slug]))
    assert len(response.context["participants"].exhibitors) == 8


def test_pending_registration_is_not_listed_publicly(client, producer):
    event = EventFactory(requires_approval=True)
    register(producer, event, show_publicly=True)
    assert Registration.objects.get().status == Registration.Status.PENDING
    response = client.get(reverse("events:event-participants", args=[event.slug]))
    assert response.context["participants"].total == 0
