"""Registering for an event: places, approval, the waiting list, cancellation, and who may change what."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ACTING_SESSION_KEY, Actor
from events import services
from events.models import Event, Registration
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def actor(user):
    return Actor(user=user, organisation=user.organisation)


def register(user, event, *, participation="attendee", people_count=1, **kwargs):
    return services.registration_create(
        actor=actor(user), event=event, participation=participation, people_count=people_count, **kwargs
    )


def member(kind="producer"):
    return UserFactory(organisation=OrganisationFactory(kind=kind, is_verified=True))


def register_url(event):
    return reverse("events:event-register", args=[event.slug])


def form_data(**overrides):
    data = {"participation": "attendee", "people_count": "2", "note": "", "booth": ""}
    data.update(overrides)
    return data


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---------- Registering ----------


def test_producer_registers_as_exhibitor_and_is_confirmed(
    client, producer, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=100)
    product = ProductFactory(producer=producer.organisation)
    client.force_login(producer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(event),
            form_data(participation="exhibitor", products=[product.pk], booth="2 bàn", show_publicly="on"),
        )
    registration = Registration.objects.get(event=event, organisation=producer.organisation)
    assert response.status_code == 302
    assert response.url == reverse("events:my-registration", args=[event.slug])
    assert registration.status == Status.CONFIRMED
    assert registration.participation == "exhibitor"
    assert registration.people_count == 2
    assert registration.show_publicly is True
    assert list(registration.products.all()) == [product]
    assert registration.registered_by == producer
    assert any(registration.code in text for text in message_texts(response))
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert registration.code in body
    assert reverse("events:my-registration", args=[event.slug]) in body


def test_requires_approval_is_pending_until_staff_approve(
    client, producer, staff, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(requires_approval=True, capacity=10)
    registration = register(producer, event, people_count=3)
    assert registration.status == Status.PENDING
    assert services.places_taken(event) == 3  # a pending registration holds its places

    client.force_login(staff)
    mailoutbox.clear()  # the "registration received" email, sent when the producer registered
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:staff-registration-decide", args=[event.slug, registration.pk]), {"decision": "approve"}
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    assert [message.to for message in mailoutbox] == [[producer.email]]
    assert registration.code in mailoutbox[0].body


def test_declining_a_pending_registration_moves_the_waiting_list(
    client, producer, buyer, staff, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(requires_approval=True, capacity=2)
    pending = register(producer, event, people_count=2)
    waiting = register(buyer, event, participation="buyer", people_count=2)
    assert (pending.status, waiting.status) == (Status.PENDING, Status.WAITLISTED)

    client.force_login(staff)
    mailoutbox.clear()  # the emails sent when they registered
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:staff-registration-decide", args=[event.slug, pending.pk]), {"decision": "reject"})
    pending.refresh_from_db()
    waiting.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert waiting.status == Status.PENDING  # promoted, and still needs approval
    assert {tuple(message.to) for message in mailoutbox} == {(producer.email,), (buyer.email,)}


def test_decide_needs_a_known_decision(client, producer, staff):
    event = EventFactory(requires_approval=True)
    registration = register(producer, event)
    client.force_login(staff)
    response = client.post(
        reverse("events:staff-registration-decide", args=[event.slug, registration.pk]), {"decision": "maybe"}
    )
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_decide_is_refused_to_producers_and_get(client, producer, other_producer, staff):
    event = EventFactory(requires_approval=True)
    registration = register(producer, event)
    url = reverse("events:staff-registration-decide", args=[event.slug, registration.pk])
    client.force_login(other_producer)
    assert client.post(url, {"decision": "approve"}).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 405
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_when_the_event_is_full_the_next_registration_is_waitlisted(client, buyer):
    event = EventFactory(capacity=5)
    register(member(), event, people_count=3)
    register(member(), event, people_count=2)
    assert services.places_taken(event) == 5

    client.force_login(buyer)
    response = client.post(register_url(event), form_data(participation="buyer", people_count="1"))
    registration = Registration.objects.get(event=event, organisation=buyer.organisation)
    assert registration.status == Status.WAITLISTED
    assert response.status_code == 302
    assert any("1" in text and ("waiting" in text or "chờ" in text) for text in message_texts(response))


def test_cancelling_promotes_the_first_waitlisted_that_fits_and_emails_it(
    client, producer, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=4)
    register(producer, event, people_count=3)
    taker = register(member(), event, people_count=1)
    big = register(member("buyer"), event, participation="buyer", people_count=4)
    first_small = register(member(), event, people_count=2)
    second_small = register(member(), event, people_count=2)
    assert [r.status for r in (big, first_small, second_small)] == [Status.WAITLISTED] * 3

    client.force_login(producer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:registration-cancel", args=[event.slug]))
    assert response.status_code == 302
    assert response.url == event.get_absolute_url()
    for registration in (taker, big, first_small, second_small):
        registration.refresh_from_db()
    # Three places free: the group of 4 does not fit, the first group of 2 does, the second no longer does.
    assert big.status == Status.WAITLISTED
    assert first_small.status == Status.CONFIRMED
    assert second_small.status == Status.WAITLISTED
    assert Registration.objects.get(organisation=producer.organisation, event=event).status == Status.CANCELLED
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted([producer.email, first_small.registered_by.email])


def test_reregistering_after_cancelling_reuses_the_row_and_queues_again(client, producer):
    event = EventFactory(capacity=10)
    first = register(producer, event)
    services.registration_cancel(actor=actor(producer), registration=first)

    client.force_login(producer)
    response = client.post(register_url(event), form_data(people_count="4"))
    assert response.status_code == 302
    again = Registration.objects.get(event=event, organisation=producer.organisation)
    assert again.pk == first.pk
    assert again.status == Status.CONFIRMED
    assert again.people_count == 4
    assert again.created_at > first.created_at


def test_one_registration_per_organisation(client, producer):
    event = EventFactory()
    register(producer, event)
    client.force_login(producer)

    get = client.get(register_url(event))
    assert get.status_code == 302
    assert get.url == reverse("events:my-registration", args=[event.slug])

    # A second member of the same organisation, posting anyway.
    colleague = UserFactory(organisation=producer.organisation)
    client.force_login(colleague)
    response = client.post(register_url(event), form_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Registration.objects.filter(event=event, organisation=producer.organisation).count() == 1

    with pytest.raises(ValidationError) as error:
        register(colleague, event)
    assert error.value.code == "duplicate"


def test_the_database_refuses_a_duplicate_registration(producer):
    event = EventFactory()
    register(producer, event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event,
            organisation=producer.organisation,
            participation="attendee",
            status=Status.CONFIRMED,
            registered_by=producer,
        )


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (datetime.timedelta(days=2), datetime.timedelta(days=10), "not_open_yet"),
        (datetime.timedelta(days=-10), datetime.timedelta(days=-1), "closed"),
    ],
)
def test_registration_outside_its_window_is_refused_and_nothing_saved(client, producer, opens, closes, code):
    now = timezone.now()
    event = EventFactory(registration_opens_at=now + opens, registration_closes_at=now + closes)
    with pytest.raises(ValidationError) as error:
        register(producer, event)
    assert error.value.code == code

    client.force_login(producer)
    page = client.get(register_url(event))
    assert page.status_code == 200
    assert page.context["form"] is None
    response = client.post(register_url(event), form_data())
    assert response.status_code == 400
    assert not Registration.objects.filter(event=event).exists()


def test_a_closed_event_takes_no_registration(client, producer):
    event = EventFactory(status=Event.Status.CLOSED)
    client.force_login(producer)
    response = client.post(register_url(event), form_data())
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_a_buyer_cannot_register_as_exhibitor(client, buyer):
    event = EventFactory()
    with pytest.raises(ValidationError) as error:
        register(buyer, event, participation="exhibitor")
    assert error.value.error_dict["participation"][0].code == "exhibitor_producer"

    client.force_login(buyer)
    response = client.post(register_url(event), form_data(participation="exhibitor"))
    assert response.status_code == 400
    assert response.context["form"].has_error("participation")
    assert not Registration.objects.exists()


def test_products_of_another_producer_are_refused(client, producer, other_producer):
    event = EventFactory()
    theirs = ProductFactory(producer=other_producer.organisation)
    with pytest.raises(ValidationError) as error:
        register(producer, event, participation="exhibitor", products=[theirs])
    assert error.value.error_dict["products"][0].code == "products"

    client.force_login(producer)
    response = client.post(register_url(event), form_data(participation="exhibitor", products=[theirs.pk]))
    assert response.status_code == 400
    assert response.context["form"].has_error("products")
    assert not Registration.objects.exists()


def test_bad_people_count_is_refused_beside_the_field(client, producer):
    event = EventFactory()
    client.force_login(producer)
    for value in ("0", "51", "abc"):
        response = client.post(register_url(event), form_data(people_count=value, note="Giữ lại ghi chú"))
        assert response.status_code == 400
        assert response.context["form"].has_error("people_count")
        assert "Giữ lại ghi chú" in response.content.decode()
    assert not Registration.objects.exists()


# ---------- The last place, taken twice at once ----------


@pytest.mark.django_db(transaction=True)
def test_two_organisations_racing_for_the_last_place_get_one_place_and_one_waitlist():
    event = EventFactory(capacity=1)
    users = [member(), member("buyer")]
    barrier = threading.Barrier(len(users))
    results, errors = [], []

    def take_place(user):
        try:
            barrier.wait(timeout=10)
            results.append(register(user, event).status)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_place, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [Status.CONFIRMED, Status.WAITLISTED]
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
    assert services.places_taken(event) == 1


# ---------- Who may change a registration ----------


def test_another_producer_cannot_see_or_cancel_a_registration(client, producer, other_producer):
    event = EventFactory()
    registration = register(producer, event)
    client.force_login(other_producer)
    assert client.get(reverse("events:my-registration", args=[event.slug])).status_code == 404
    assert client.get(reverse("events:registration-cancel", args=[event.slug])).status_code == 404
    assert client.post(reverse("events:registration-cancel", args=[event.slug])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.registration_cancel(actor=actor(other_producer), registration=registration)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    event = EventFactory()
    for name in ("events:event-register", "events:my-registration", "events:registration-cancel"):
        response = client.get(reverse(name, args=[event.slug]))
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url
    assert client.post(register_url(event), form_data()).status_code == 302
    assert not Registration.objects.exists()


def test_staff_without_an_organisation_cannot_register(client, plain_staff):
    event = EventFactory()
    client.force_login(plain_staff)
    assert client.get(register_url(event)).status_code == 403


def test_staff_acting_on_behalf_register_and_cancel_for_the_organisation(client, staff, producer_org):
    event = EventFactory()
    client.force_login(staff)
    session = client.session
    session[ACTING_SESSION_KEY] = producer_org.pk
    session.save()

    response = client.post(register_url(event), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.organisation == producer_org
    assert registration.registered_by == staff
    assert registration.on_behalf is True

    client.post(reverse("events:registration-cancel", args=[event.slug]))
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_registration_staff_may_cancel_through_the_service(producer, staff):
    event = EventFactory()
    registration = register(producer, event)
    services.registration_cancel(actor=Actor(user=staff, organisation=None), registration=registration)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_cancel_asks_first_then_cancels_on_post(client, producer):
    event = EventFactory()
    registration = register(producer, event)
    client.force_login(producer)
    url = reverse("events:registration-cancel", args=[event.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    client.post(url)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_a_checked_in_registration_cannot_be_cancelled(client, producer, staff):
    event = EventFactory()
    registration = register(producer, event)
    services.registration_check_in(actor=Actor(user=staff, organisation=None), registration=registration)
    client.force_login(producer)
    response = client.post(reverse("events:registration-cancel", args=[event.slug]))
    assert response.status_code == 302
    assert response.url == reverse("events:my-registration", args=[event.slug])
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_waitlist_position_counts_earlier_waiting_registrations(client):
    event = EventFactory(capacity=1)
    register(member(), event)
    waiting = [member("buyer") for _ in range(3)]
    for user in waiting:
        register(user, event, participation="buyer")
    client.force_login(waiting[2])
    response = client.get(reverse("events:my-registration", args=[event.slug]))
    assert response.status_code == 200
    assert response.context["waitlist_position"] == 3


def test_producer_form_offers_exhibitor_and_only_own_published_products(client, producer, other_producer):
    event = EventFactory()
    own = ProductFactory(producer=producer.organisation, name="Bánh pía của tôi")
    ProductFactory(producer=producer.organisation, name="Bản nháp", status="draft", published_at=None)
    ProductFactory(producer=other_producer.organisation, name="Của người khác")
    client.force_login(producer)
    form = client.get(register_url(event)).context["form"]
    assert [value for value, _label in form.fields["participation"].choices] == ["exhibitor", "speaker", "attendee"]
    assert list(form.fields["products"].queryset) == [own]


def test_buyer_form_offers_buyer_and_no_products(client, buyer):
    event = EventFactory()
    client.force_login(buyer)
    form = client.get(register_url(event)).context["form"]
    assert [value for value, _label in form.fields["participation"].choices] == ["buyer", "speaker", "attendee"]
    assert "products" not in form.fields


def test_producer_factory_organisation_can_register(client):
    # A producer with a producer profile (the usual case) and no product yet still registers.
    user = UserFactory(organisation=ProducerFactory())
    event = EventFactory()
    client.force_login(user)
    page = client.get(register_url(event))
    assert "products" in page.context["form"].fields
    response = client.post(register_url(event), form_data(participation="exhibitor"))
    assert response.status_code == 302
