"""Meeting requests either way: every move and who may make it, bad input, the per-event limit, the thread and
its unread counts, the inbox's queries, the .ics file, outcomes and the emails."""

import datetime

import icalendar
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation
from accounts.roles import ACTING_SESSION_KEY, Actor
from events.models import Event, MoU, MoUParty, Registration
from matchmaking import context_processors
from matchmaking.ics import meeting_calendar
from matchmaking.models import (
    EventMeeting,
    MeetingMessage,
    MeetingOutcome,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from matchmaking.services import meetings as services
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory
from tests.events.factories import EventFactory
from tests.matchmaking.factories import BuyerFactory, MeetingRequestFactory, SourcingRequestFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the messages in their English source text."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

Status = MeetingRequest.Status
Mode = MeetingRequest.Mode


def soon(days=7, hour=9) -> datetime.datetime:
    day = timezone.localtime() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def local_input(time: datetime.datetime) -> str:
    """What a datetime-local input sends."""
    return timezone.localtime(time).strftime("%Y-%m-%dT%H:%M")


def actor(user, organisation=None, on_behalf=False) -> Actor:
    return Actor(user=user, organisation=organisation or user.organisation, on_behalf=on_behalf)


def register(event, organisation, status=Registration.Status.CONFIRMED):
    participation = (
        Registration.Participation.BUYER
        if organisation.kind == Organisation.Kind.BUYER
        else Registration.Participation.EXHIBITOR
    )
    return Registration.objects.create(
        event=event,
        organisation=organisation,
        participation=participation,
        status=status,
        registered_by=UserFactory(organisation=organisation),
    )


def action_url(meeting, action):
    return reverse("matchmaking:meeting-action", args=[meeting.pk, action])


def detail_url(meeting):
    return reverse("matchmaking:meeting-detail", args=[meeting.pk])


@pytest.fixture
def meeting(buyer, producer, buyer_org, producer_org):
    """The buyer's online request to the producer, waiting for the producer's answer."""
    return MeetingRequestFactory(
        buyer=buyer_org, producer=producer_org, initiator=buyer_org, created_by=buyer, proposed_times=[soon(7)]
    )


@pytest.fixture
def event(buyer_org, producer_org):
    event = EventFactory(venue="Trung tâm Hội nghị tỉnh", address="2 Hùng Vương")
    register(event, buyer_org)
    register(event, producer_org)
    return event


# --- The table of moves ---------------------------------------------------------------------------------------------

# What the table says, written out by hand: status → action → the sides that may make it.
EXPECTED = {
    Status.REQUESTED: {
        "accept": {"recipient"},
        "decline": {"recipient"},
        "propose": {"recipient"},
        "cancel": {"initiator", "recipient"},
    },
    Status.COUNTER_PROPOSED: {
        "accept": {"initiator"},
        "decline": {"initiator"},
        "propose": {"initiator"},
        "cancel": {"initiator", "recipient"},
    },
    Status.ACCEPTED: {"accept": set(), "decline": set(), "propose": set(), "cancel": {"initiator", "recipient"}},
    Status.DECLINED: {"accept": set(), "decline": set(), "propose": set(), "cancel": set()},
    Status.CANCELLED: {"accept": set(), "decline": set(), "propose": set(), "cancel": set()},
}
STATUS_AFTER = {
    ("accept", "recipient"): Status.ACCEPTED,
    ("accept", "initiator"): Status.ACCEPTED,
    ("decline", "recipient"): Status.DECLINED,
    ("decline", "initiator"): Status.DECLINED,
    ("propose", "recipient"): Status.COUNTER_PROPOSED,
    ("propose", "initiator"): Status.REQUESTED,
    ("cancel", "recipient"): Status.CANCELLED,
    ("cancel", "initiator"): Status.CANCELLED,
}
CASES = [
    (status, action, side)
    for status in EXPECTED
    for action in ("accept", "decline", "propose", "cancel")
    for side in ("initiator", "recipient")
]


def test_the_table_is_the_one_written_out():
    table = {status: {action: set() for action in services.Action} for status in Status.values}
    for (status, action), who in services.MOVES.items():
        table[status][action].add(who)
    assert table[Status.REQUESTED] == {
        "accept": {services.Who.ANSWERER},
        "decline": {services.Who.ANSWERER},
        "propose": {services.Who.ANSWERER},
        "cancel": {services.Who.EITHER},
    }
    assert table[Status.ACCEPTED] == {"accept": set(), "decline": set(), "propose": set(), "cancel": {"either"}}
    assert all(not whos for whos in table[Status.DECLINED].values())
    assert all(not whos for whos in table[Status.CANCELLED].values())


def _meeting_in(status, *, initiator_kind, buyer, producer):
    buyer_org, producer_org = buyer.organisation, producer.organisation
    initiator = buyer_org if initiator_kind == "buyer" else producer_org
    meeting = MeetingRequestFactory(
        buyer=buyer_org,
        producer=producer_org,
        initiator=initiator,
        created_by=buyer if initiator_kind == "buyer" else producer,
        proposed_times=[soon(7), soon(8)],
        status=status,
    )
    if status == Status.ACCEPTED:
        meeting.starts_at = soon(7)
        meeting.ends_at = meeting.starts_at + datetime.timedelta(minutes=30)
        meeting.save()
    return meeting


def _post_data(action, meeting):
    return {
        "accept": {"accept-time": meeting.proposed_times[0].isoformat()},
        "decline": {"decline-reason": "Chúng tôi chưa có nhu cầu."},
        "propose": {"propose-time_1": local_input(soon(10, 14)), "propose-note": "Chiều thứ Năm được không?"},
        "cancel": {"cancel-reason": ""},
    }[action]


@pytest.mark.parametrize("initiator_kind", ["buyer", "producer"])
@pytest.mark.parametrize(("status", "action", "side"), CASES)
def test_every_move_and_who_may_make_it(client, buyer, producer, status, action, side, initiator_kind):
    meeting = _meeting_in(status, initiator_kind=initiator_kind, buyer=buyer, producer=producer)
    meeting.refresh_from_db()
    initiator_user = buyer if initiator_kind == "buyer" else producer
    recipient_user = producer if initiator_kind == "buyer" else buyer
    client.force_login(initiator_user if side == "initiator" else recipient_user)

    response = client.post(action_url(meeting, action), _post_data(action, meeting))

    meeting.refresh_from_db()
    if side in EXPECTED[status][action]:
        assert response.status_code == 302, response.content
        assert meeting.status == STATUS_AFTER[(action, side)]
    else:
        assert response.status_code == 403
        assert meeting.status == status


@pytest.mark.parametrize("action", ["accept", "decline", "propose", "cancel"])
def test_a_third_organisation_gets_404_for_every_move(client, meeting, other_producer, action):
    client.force_login(other_producer)
    assert client.post(action_url(meeting, action), _post_data(action, meeting)).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED


@pytest.mark.parametrize("action", ["accept", "decline", "propose", "cancel"])
def test_anonymous_is_sent_to_sign_in_for_every_move(client, meeting, action):
    response = client.post(action_url(meeting, action), _post_data(action, meeting))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED


def test_an_unknown_move_is_404_and_moves_need_post(client, meeting, producer):
    client.force_login(producer)
    assert client.post(action_url(meeting, "reopen")).status_code == 404
    assert client.get(action_url(meeting, "accept")).status_code == 405


def test_staff_acting_for_the_producer_answer_as_the_producer(client, staff, meeting, producer_org):
    client.force_login(staff)
    session = client.session
    session[ACTING_SESSION_KEY] = producer_org.pk
    session.save()
    meeting.refresh_from_db()
    response = client.post(action_url(meeting, "accept"), _post_data("accept", meeting))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Status.ACCEPTED


def test_staff_not_acting_for_a_side_get_404(client, staff, meeting):
    client.force_login(staff)
    assert client.get(detail_url(meeting)).status_code == 404
    assert client.post(action_url(meeting, "cancel")).status_code == 404


def test_a_negotiation_to_the_end(buyer, producer, meeting):
    """Buyer asks; producer proposes other times; buyer proposes again; producer accepts one of the buyer's times."""
    producer_times = [soon(9, 10)]
    services.meeting_request_propose(actor=actor(producer), meeting=meeting, proposed_times=producer_times)
    meeting.refresh_from_db()
    assert meeting.status == Status.COUNTER_PROPOSED
    assert services.last_proposer_id(meeting) == producer.organisation_id
    assert services.allowed_actions(meeting, producer.organisation) == [services.Action.CANCEL]
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_accept(actor=actor(producer), meeting=meeting, time=producer_times[0])
    assert raised.value.code == "not_allowed"

    buyer_times = [soon(11, 15), soon(12, 9)]
    services.meeting_request_propose(actor=actor(buyer), meeting=meeting, proposed_times=buyer_times)
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED
    assert services.awaits_answer_from(meeting, producer.organisation)

    services.meeting_request_accept(actor=actor(producer), meeting=meeting, time=buyer_times[1])
    meeting.refresh_from_db()
    assert meeting.status == Status.ACCEPTED
    assert meeting.starts_at == buyer_times[1]
    assert meeting.ends_at == buyer_times[1] + datetime.timedelta(minutes=30)


def test_accepting_needs_one_of_the_proposed_future_times(producer, meeting):
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_accept(actor=actor(producer), meeting=meeting, time=soon(30))
    assert raised.value.error_dict["time"][0].code == "time_required"
    past = timezone.now() - datetime.timedelta(hours=1)
    MeetingRequest.objects.filter(pk=meeting.pk).update(proposed_times=[past])
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_accept(actor=actor(producer), meeting=meeting, time=past)
    assert raised.value.error_dict["time"][0].code == "past_time"
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED


def test_declining_needs_a_reason(client, producer, meeting):
    client.force_login(producer)
    response = client.post(action_url(meeting, "decline"), {"decline-reason": "  "})
    assert response.status_code == 400
    assert response.context["forms"]["decline"].errors["reason"]
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED


def test_proposing_needs_a_future_time(client, producer, meeting):
    client.force_login(producer)
    past = timezone.now() - datetime.timedelta(days=1)
    response = client.post(action_url(meeting, "propose"), {"propose-time_1": local_input(past)})
    assert response.status_code == 400
    assert response.context["forms"]["propose"].errors["time_1"]
    meeting.refresh_from_db()
    assert meeting.status == Status.REQUESTED


def test_an_at_event_acceptance_leaves_the_time_to_the_scheduler(buyer, producer, event):
    meeting = services.meeting_request_create(
        actor=actor(buyer), counterpart=producer.organisation, mode=Mode.AT_EVENT, message="Gặp ở hội nghị", event=event
    )
    services.meeting_request_accept(actor=actor(producer), meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Status.ACCEPTED
    assert meeting.starts_at is None
    assert not services.is_confirmed(meeting)


def test_cancelling_a_placed_event_meeting_releases_its_slot(buyer, producer, event):
    meeting = MeetingRequestFactory(
        buyer=buyer.organisation,
        producer=producer.organisation,
        initiator=buyer.organisation,
        created_by=buyer,
        mode=Mode.AT_EVENT,
        event=event,
        online_link="",
        proposed_times=[],
        status=Status.ACCEPTED,
    )
    slot = MeetingSlot.objects.create(
        event=event, starts_at=event.starts_at, ends_at=event.starts_at + datetime.timedelta(minutes=20)
    )
    table = MeetingTable.objects.create(event=event, number=4)
    EventMeeting.objects.create(
        request=meeting, event=event, slot=slot, table=table, buyer=meeting.buyer, producer=meeting.producer
    )
    services.meeting_request_cancel(actor=actor(producer), meeting=meeting, reason="Trùng lịch")
    meeting.refresh_from_db()
    assert meeting.status == Status.CANCELLED
    assert meeting.decline_reason == "Trùng lịch"
    assert not EventMeeting.objects.exists()


# --- Asking for a meeting, and bad input ---------------------------------------------------------------------------


def create_url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("matchmaking:meeting-create") + (f"?{query}" if query else "")


def request_data(**overrides):
    data = {
        "mode": Mode.ONLINE,
        "online_link": "https://meet.example.vn/abc",
        "time_1": local_input(soon(5, 9)),
        "time_2": local_input(soon(5, 14)),
        "message": "Chúng tôi muốn tìm hiểu sản phẩm của quý cơ sở.",
    }
    data.update(overrides)
    return data


def test_a_buyer_requests_an_online_meeting_with_products(
    client, buyer, producer_org, mailoutbox, django_capture_on_commit_callbacks
):
    product = ProductFactory(producer=producer_org)
    UserFactory(organisation=producer_org, email="giamdoc@htx.vn")
    sourcing = SourcingRequestFactory(buyer=buyer.organisation)
    client.force_login(buyer)
    url = create_url(producer=producer_org.pk, product=product.pk, sourcing_request=sourcing.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["products"] == [product.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, request_data(products=[product.pk]))

    meeting = MeetingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(meeting)
    assert meeting.buyer == buyer.organisation
    assert meeting.producer == producer_org
    assert meeting.initiator == buyer.organisation
    assert meeting.status == Status.REQUESTED
    assert meeting.sourcing_request == sourcing
    assert list(meeting.products.all()) == [product]
    assert meeting.proposed_times == [soon(5, 9), soon(5, 14)]
    assert meeting.hosted_by_staff is False
    sent = mailoutbox
    assert len(sent) == 1
    assert "giamdoc@htx.vn" in sent[0].to
    assert buyer.organisation.name in sent[0].subject
    assert detail_url(meeting) in sent[0].body


def test_a_producer_requests_a_meeting_with_a_buyer(client, producer, buyer_org):
    client.force_login(producer)
    response = client.post(create_url(buyer=buyer_org.pk), request_data(mode=Mode.AT_PRODUCER, online_link=""))
    assert response.status_code == 302
    meeting = MeetingRequest.objects.get()
    assert (meeting.buyer, meeting.producer, meeting.initiator) == (
        buyer_org,
        producer.organisation,
        producer.organisation,
    )
    assert meeting.online_link == ""


def test_staff_booking_for_a_hosted_buyer_mark_the_request(client, staff, buyer_org, producer_org):
    client.force_login(staff)
    session = client.session
    session[ACTING_SESSION_KEY] = buyer_org.pk
    session.save()
    response = client.post(create_url(producer=producer_org.pk), request_data())
    assert response.status_code == 302
    meeting = MeetingRequest.objects.get()
    assert meeting.initiator == buyer_org
    assert meeting.hosted_by_staff is True
    assert meeting.created_by == staff


@pytest.mark.parametrize(
    ("who", "target", "words"),
    [
        ("buyer", "own", "own organisation"),
        ("buyer", "other_buyer", "not with other buyers"),
        ("producer", "other_producer", "not with other producers"),
        ("buyer", "unverified_producer", "not verified"),
        ("producer", "unverified_buyer", "not verified"),
    ],
)
def test_a_request_to_oneself_the_same_kind_or_an_unverified_organisation_is_refused(
    client, request, who, target, words, other_producer_org
):
    user = request.getfixturevalue(who)
    organisations = {
        "own": user.organisation,
        "other_buyer": BuyerFactory(),
        "other_producer": other_producer_org,
        "unverified_producer": ProducerFactory(is_verified=False),
        "unverified_buyer": BuyerFactory(is_verified=False),
    }
    counterpart = organisations[target]
    param = "producer" if user.organisation.kind == Organisation.Kind.BUYER else "buyer"
    client.force_login(user)
    page = client.get(create_url(**{param: counterpart.pk}))
    assert page.status_code == 400
    assert words in page.context["problem"]
    assert page.context["form"] is None
    response = client.post(create_url(**{param: counterpart.pk}), request_data())
    assert response.status_code == 400
    assert not MeetingRequest.objects.exists()


def test_a_missing_or_unknown_counterpart(client, buyer):
    client.force_login(buyer)
    assert client.get(create_url()).status_code == 400
    assert client.get(create_url(producer=999999)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"online_link": ""}, "online_link", "link_required"),
        ({"time_1": "", "time_2": ""}, "time_1", "times_required"),
        ({"time_2": "yesterday"}, "time_2", "invalid"),
        ({"message": ""}, "message", "required"),
    ],
)
def test_bad_request_input_is_refused_beside_its_field(client, buyer, producer_org, overrides, field, code):
    client.force_login(buyer)
    response = client.post(create_url(producer=producer_org.pk), request_data(**overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert code in [error.code for error in form.errors.as_data()[field]]
    assert not MeetingRequest.objects.exists()


def test_a_proposed_time_in_the_past_is_refused(client, buyer, producer_org):
    client.force_login(buyer)
    past = timezone.now() - datetime.timedelta(hours=2)
    response = client.post(create_url(producer=producer_org.pk), request_data(time_2=local_input(past)))
    assert response.status_code == 400
    assert [error.code for error in response.context["form"].errors.as_data()["time_1"]] == ["past_time"]
    assert not MeetingRequest.objects.exists()


def test_more_than_three_times_or_foreign_products_are_refused(buyer, producer_org, other_producer_org):
    times = [soon(3), soon(4), soon(5), soon(6)]
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_create(
            actor=actor(buyer), counterpart=producer_org, mode=Mode.AT_PRODUCER, message="x", proposed_times=times
        )
    assert raised.value.error_dict["proposed_times"][0].code == "too_many_times"
    foreign = ProductFactory(producer=other_producer_org)
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_create(
            actor=actor(buyer),
            counterpart=producer_org,
            mode=Mode.AT_PRODUCER,
            message="x",
            proposed_times=[soon(3)],
            products=[foreign],
        )
    assert raised.value.error_dict["products"][0].code == "products"
    assert not MeetingRequest.objects.exists()


def test_a_second_open_request_between_the_same_pair_is_refused(buyer, producer_org, meeting):
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_create(
            actor=actor(buyer), counterpart=producer_org, mode=Mode.AT_PRODUCER, message="x", proposed_times=[soon(3)]
        )
    assert raised.value.code == "duplicate"
    assert MeetingRequest.objects.count() == 1


def test_an_unverified_organisation_cannot_ask(producer_org):
    buyer_org = BuyerFactory(is_verified=False)
    user = UserFactory(organisation=buyer_org)
    with pytest.raises(ValidationError) as raised:
        services.meeting_request_create(
            actor=actor(user), counterpart=producer_org, mode=Mode.AT_PRODUCER, message="x", proposed_times=[soon(3)]
        )
    assert raised.value.code == "self_unverified"


class TestAtAnEvent:
    def test_the_event_select_lists_only_confirmed_registrations_of_published_events(
        self, client, buyer, buyer_org, producer_org, event
    ):
        pending = EventFactory()
        register(pending, buyer_org, status=Registration.Status.PENDING)
        draft = EventFactory(status=Event.Status.DRAFT)
        register(draft, buyer_org)
        EventFactory()  # not registered
        client.force_login(buyer)
        page = client.get(create_url(producer=producer_org.pk, event=event.pk))
        form = page.context["form"]
        assert list(form.fields["event"].queryset) == [event]
        assert form.initial["mode"] == Mode.AT_EVENT
        assert form.initial["event"] == event.pk

    def test_times_are_optional_at_an_event(self, client, buyer, producer_org, event):
        client.force_login(buyer)
        data = request_data(mode=Mode.AT_EVENT, event=event.pk, online_link="https://x.vn", time_1="", time_2="")
        response = client.post(create_url(producer=producer_org.pk), data)
        assert response.status_code == 302
        meeting = MeetingRequest.objects.get()
        assert (meeting.event, meeting.mode, meeting.proposed_times, meeting.online_link) == (
            event,
            Mode.AT_EVENT,
            [],
            "",
        )

    def test_at_event_requires_an_event(self, client, buyer, producer_org, event):
        client.force_login(buyer)
        response = client.post(create_url(producer=producer_org.pk), request_data(mode=Mode.AT_EVENT, event=""))
        assert response.status_code == 400
        assert [e.code for e in response.context["form"].errors.as_data()["event"]] == ["event_required"]
        assert not MeetingRequest.objects.exists()

    def test_the_other_side_must_be_registered_too(self, buyer, event):
        stranger = ProducerFactory()
        with pytest.raises(ValidationError) as raised:
            services.meeting_request_create(
                actor=actor(buyer), counterpart=stranger, mode=Mode.AT_EVENT, message="x", event=event
            )
        assert raised.value.error_dict["event"][0].code == "counterpart_not_registered"

    def test_times_at_an_event_fall_within_it(self, buyer, producer_org, event):
        with pytest.raises(ValidationError) as raised:
            services.meeting_request_create(
                actor=actor(buyer),
                counterpart=producer_org,
                mode=Mode.AT_EVENT,
                message="x",
                event=event,
                proposed_times=[event.ends_at + datetime.timedelta(hours=1)],
            )
        assert raised.value.error_dict["proposed_times"][0].code == "outside_event"

    def test_a_buyer_has_at_most_the_limit_of_open_requests_per_event(self, monkeypatch, client, buyer, event):
        monkeypatch.setattr(services, "MAX_REQUESTS_PER_BUYER_PER_EVENT", 2)
        producers = [ProducerFactory() for _ in range(4)]
        for producer in producers:
            register(event, producer)
        for producer in producers[:2]:
            services.meeting_request_create(
                actor=actor(buyer), counterpart=producer, mode=Mode.AT_EVENT, message="x", event=event
            )

        client.force_login(buyer)
        response = client.post(
            create_url(producer=producers[2].pk), request_data(mode=Mode.AT_EVENT, event=event.pk, time_1="", time_2="")
        )
        assert response.status_code == 400
        assert "2 open meeting requests" in str(response.context["form"].non_field_errors())
        assert MeetingRequest.objects.count() == 2

        # A request to the same buyer from a producer counts too.
        producer_user = UserFactory(organisation=producers[3])
        with pytest.raises(ValidationError) as raised:
            services.meeting_request_create(
                actor=actor(producer_user), counterpart=buyer.organisation, mode=Mode.AT_EVENT, message="x", event=event
            )
        assert raised.value.code == "limit"

        # A cancelled request frees a place; requests outside the event never count.
        first = MeetingRequest.objects.order_by("pk").first()
        services.meeting_request_cancel(actor=actor(buyer), meeting=first)
        services.meeting_request_create(
            actor=actor(buyer), counterpart=producers[2], mode=Mode.AT_EVENT, message="x", event=event
        )
        services.meeting_request_create(
            actor=actor(buyer), counterpart=producers[3], mode=Mode.AT_PRODUCER, message="x", proposed_times=[soon(3)]
        )
        assert MeetingRequest.objects.filter(event=event, status__in=services.OPEN_STATUSES).count() == 2


# --- The thread, the unread counts and the inbox --------------------------------------------------------------------


def _request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def unread_in_header(user) -> int:
    return context_processors.unread(_request_for(user))["meeting_unread"]


def test_the_thread_counts_unread_messages_and_opening_the_page_reads_them(client, buyer, producer, meeting):
    client.force_login(buyer)
    client.post(detail_url(meeting), {"text": "Anh chị gửi giúp bảng giá nhé."})
    client.post(detail_url(meeting), {"text": "Cảm ơn."})
    assert MeetingMessage.objects.filter(meeting=meeting, organisation=buyer.organisation).count() == 2

    assert unread_in_header(producer) == 2
    assert unread_in_header(buyer) == 0
    client.force_login(producer)
    inbox = client.get(reverse("matchmaking:meeting-inbox"))
    assert inbox.context["meetings"][0].unread == 2

    page = client.get(detail_url(meeting))
    assert [message.text for message in page.context["thread"]] == ["Anh chị gửi giúp bảng giá nhé.", "Cảm ơn."]
    assert all(message.is_new for message in page.context["thread"])
    assert not MeetingMessage.objects.filter(read_at__isnull=True).exists()
    assert unread_in_header(producer) == 0
    assert client.get(reverse("matchmaking:meeting-inbox")).context["meetings"][0].unread == 0

    client.post(detail_url(meeting), {"text": "Đã gửi qua email."})
    assert unread_in_header(buyer) == 1
    assert unread_in_header(producer) == 0


def test_the_header_count_is_zero_for_visitors_and_lazy(django_assert_num_queries, buyer, meeting):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert context_processors.unread(request) == {"meeting_unread": 0}
    with django_assert_num_queries(0):
        value = context_processors.unread(_request_for(buyer))["meeting_unread"]
    with django_assert_num_queries(1):
        assert value == 0


def test_an_empty_message_is_refused_and_a_closed_thread_takes_none(client, buyer, meeting):
    client.force_login(buyer)
    response = client.post(detail_url(meeting), {"text": "  "})
    assert response.status_code == 400
    MeetingRequest.objects.filter(pk=meeting.pk).update(status=Status.DECLINED)
    response = client.post(detail_url(meeting), {"text": "Còn đó không?"})
    assert response.status_code == 400
    assert not MeetingMessage.objects.exists()


@pytest.mark.parametrize("who", ["other_producer", "staff"])
def test_only_the_two_sides_see_a_meeting(client, request, meeting, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(meeting)).status_code == 404
    assert client.post(detail_url(meeting), {"text": "Xin chào"}).status_code == 404
    assert not MeetingMessage.objects.exists()


@pytest.mark.parametrize(
    "name", ["matchmaking:meeting-inbox", "matchmaking:meeting-create", "matchmaking:meeting-detail"]
)
def test_anonymous_visitors_sign_in_first(client, meeting, name):
    url = reverse(name, args=[meeting.pk]) if name == "matchmaking:meeting-detail" else reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_inbox_lists_both_directions_filters_by_status_and_shows_the_moves_for_us(client, producer, meeting):
    producer_org = producer.organisation
    sent = MeetingRequestFactory(producer=producer_org, initiator=producer_org, created_by=producer)
    MeetingRequestFactory(status=Status.DECLINED)  # someone else's
    client.force_login(producer)
    page = client.get(reverse("matchmaking:meeting-inbox"))
    assert {item.pk for item in page.context["meetings"]} == {meeting.pk, sent.pk}
    received = next(item for item in page.context["meetings"] if item.pk == meeting.pk)
    assert received.awaits_us and not received.sent_by_us
    MeetingRequest.objects.filter(pk=sent.pk).update(status=Status.ACCEPTED)
    page = client.get(reverse("matchmaking:meeting-inbox") + "?status=accepted")
    assert [item.pk for item in page.context["meetings"]] == [sent.pk]
    assert {tab["value"]: tab["count"] for tab in page.context["tabs"]}[Status.REQUESTED] == 1


def test_the_inbox_query_count_does_not_grow_with_the_page(client, buyer, django_assert_max_num_queries):
    def add_meetings(count):
        for _ in range(count):
            meeting = MeetingRequestFactory(buyer=buyer.organisation, initiator=buyer.organisation, created_by=buyer)
            MeetingMessage.objects.create(
                meeting=meeting, author=meeting.created_by, organisation=meeting.producer, text="Chào anh chị"
            )

    client.force_login(buyer)
    add_meetings(2)
    with django_assert_max_num_queries(8):
        client.get(reverse("matchmaking:meeting-inbox"))
    add_meetings(18)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("matchmaking:meeting-inbox"))
    assert len(page.context["meetings"]) == 20
    assert all(item.unread == 1 for item in page.context["meetings"])


# --- The calendar file ----------------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(buyer, producer, meeting):
    meeting.refresh_from_db()
    return services.meeting_request_accept(actor=actor(producer), meeting=meeting, time=meeting.proposed_times[0])


def test_the_ics_of_a_confirmed_meeting(client, buyer, confirmed, settings):
    settings.PORTAL_URL = "https://ocop.cantho.gov.vn"
    client.force_login(buyer)
    response = client.get(reverse("matchmaking:meeting-ics", args=[confirmed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")

    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    vevent = events[0]
    assert str(vevent["UID"]) == f"meeting-{confirmed.pk}@ocop.cantho.gov.vn"
    assert vevent.decoded("DTSTART") == confirmed.starts_at
    assert vevent.decoded("DTEND") == confirmed.starts_at + datetime.timedelta(minutes=30)
    summary = str(vevent["SUMMARY"])
    assert confirmed.buyer.name in summary and confirmed.producer.name in summary
    assert str(vevent["LOCATION"]) == confirmed.online_link
    alarms = vevent.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -datetime.timedelta(minutes=30)


def test_the_ics_is_only_for_confirmed_meetings_and_the_two_sides(client, buyer, other_producer, meeting, confirmed):
    client.force_login(other_producer)
    assert client.get(reverse("matchmaking:meeting-ics", args=[confirmed.pk])).status_code == 404
    unconfirmed = MeetingRequestFactory(buyer=buyer.organisation, initiator=buyer.organisation, created_by=buyer)
    client.force_login(buyer)
    assert client.get(reverse("matchmaking:meeting-ics", args=[unconfirmed.pk])).status_code == 404


def test_the_calendar_places_an_event_meeting_at_its_slot_and_table(buyer, producer, event):
    meeting = MeetingRequestFactory(
        buyer=buyer.organisation,
        producer=producer.organisation,
        initiator=buyer.organisation,
        created_by=buyer,
        mode=Mode.AT_EVENT,
        event=event,
        online_link="",
        proposed_times=[],
        status=Status.ACCEPTED,
    )
    unplaced = MeetingRequestFactory(mode=Mode.AT_EVENT, event=event, online_link="", status=Status.ACCEPTED)
    start = event.starts_at.replace(second=0, microsecond=0) + datetime.timedelta(hours=1)
    slot = MeetingSlot.objects.create(event=event, starts_at=start, ends_at=start + datetime.timedelta(minutes=20))
    table = MeetingTable.objects.create(event=event, number=7)
    EventMeeting.objects.create(
        request=meeting, event=event, slot=slot, table=table, buyer=meeting.buyer, producer=meeting.producer
    )
    meetings = MeetingRequest.objects.select_related(
        "buyer", "producer", "event", "placement__slot", "placement__table"
    ).filter(pk__in=[meeting.pk, unplaced.pk])
    calendar = icalendar.Calendar.from_ical(meeting_calendar(meetings))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == slot.starts_at
    assert vevent.decoded("DTEND") == slot.ends_at
    assert "Trung tâm Hội nghị tỉnh" in str(vevent["LOCATION"])
    assert "7" in str(vevent["LOCATION"])


# --- Outcomes -------------------------------------------------------------------------------------------------------


@pytest.fixture
def past_meeting(buyer, producer):
    starts = timezone.now() - datetime.timedelta(days=2)
    return MeetingRequestFactory(
        buyer=buyer.organisation,
        producer=producer.organisation,
        initiator=buyer.organisation,
        created_by=buyer,
        status=Status.ACCEPTED,
        proposed_times=[starts],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=30),
    )


def outcome_url(meeting):
    return reverse("matchmaking:meeting-outcome", args=[meeting.pk])


def test_each_side_records_one_outcome_and_may_correct_it(client, buyer, producer, past_meeting):
    mou = MoU.objects.create(
        kind=MoU.Kind.BUSINESS, title="Biên bản ghi nhớ cung ứng", signed_on=timezone.localdate(), created_by=buyer
    )
    MoUParty.objects.create(mou=mou, organisation=buyer.organisation)
    MoUParty.objects.create(mou=mou, organisation=producer.organisation)
    client.force_login(buyer)
    page = client.get(outcome_url(past_meeting))
    assert list(page.context["form"].fields["mou"].queryset) == [mou]
    response = client.post(
        outcome_url(past_meeting),
        {"result": "cooperation_likely", "mou": mou.pk, "order_value": "25000000", "note": "Đặt hàng thử"},
    )
    assert response.status_code == 302
    response = client.post(outcome_url(past_meeting), {"result": "useful_no_deal", "order_value": ""})
    assert response.status_code == 302
    outcome = MeetingOutcome.objects.get()
    assert (outcome.organisation, outcome.result, outcome.mou, outcome.order_value) == (
        buyer.organisation,
        "useful_no_deal",
        None,
        None,
    )
    client.force_login(producer)
    client.post(outcome_url(past_meeting), {"result": "cooperation_likely", "order_value": "0"})
    assert MeetingOutcome.objects.count() == 2
    page = client.get(detail_url(past_meeting))
    assert page.context["our_outcome"].result == "cooperation_likely"


def test_one_outcome_per_side_is_a_database_rule(buyer, past_meeting):
    MeetingOutcome.objects.create(
        meeting=past_meeting, organisation=buyer.organisation, result="no_interest", recorded_by=buyer
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingOutcome.objects.create(
            meeting=past_meeting, organisation=buyer.organisation, result="useful_no_deal", recorded_by=buyer
        )


def test_no_outcome_before_the_meeting(client, producer, confirmed):
    with pytest.raises(ValidationError) as raised:
        services.meeting_outcome_record(actor=actor(producer), meeting=confirmed, result="no_interest")
    assert raised.value.code == "not_yet"
    client.force_login(producer)
    response = client.post(outcome_url(confirmed), {"result": "no_interest"})
    assert response.status_code == 302
    assert not MeetingOutcome.objects.exists()


def test_an_event_meeting_never_placed_may_be_recorded_once_the_event_ended(buyer, producer):
    event = EventFactory(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        registration_opens_at=timezone.now() - datetime.timedelta(days=30),
        registration_closes_at=timezone.now() - datetime.timedelta(days=4),
    )
    meeting = MeetingRequestFactory(
        buyer=buyer.organisation,
        producer=producer.organisation,
        initiator=buyer.organisation,
        created_by=buyer,
        mode=Mode.AT_EVENT,
        event=event,
        online_link="",
        status=Status.ACCEPTED,
    )
    services.meeting_outcome_record(actor=actor(producer), meeting=meeting, result="did_not_happen")
    assert MeetingOutcome.objects.get().result == "did_not_happen"


def test_only_the_sides_record_outcomes_and_only_with_their_mous(client, other_producer, buyer, past_meeting):
    client.force_login(other_producer)
    assert client.get(outcome_url(past_meeting)).status_code == 404
    assert client.post(outcome_url(past_meeting), {"result": "no_interest"}).status_code == 404
    foreign = MoU.objects.create(kind=MoU.Kind.BUSINESS, title="Khác", signed_on=timezone.localdate())
    MoUParty.objects.create(mou=foreign, organisation=buyer.organisation)
    with pytest.raises(ValidationError) as raised:
        services.meeting_outcome_record(actor=actor(buyer), meeting=past_meeting, result="no_interest", mou=foreign)
    assert raised.value.error_dict["mou"][0].code == "mou"
    client.force_login(buyer)
    response = client.post(outcome_url(past_meeting), {"result": "no_interest", "order_value": "-5"})
    assert response.status_code == 400
    assert not MeetingOutcome.objects.exists()


def test_the_pair_history_shows_their_other_meetings_and_outcomes(client, buyer, producer, past_meeting, meeting):
    MeetingOutcome.objects.create(
        meeting=past_meeting,
        organisation=producer.organisation,
        result="cooperation_likely",
        recorded_by=producer,
        note="Ghi chú riêng",
    )
    MeetingRequestFactory(producer=producer.organisation)  # another buyer's meeting: not in this pair's history
    client.force_login(buyer)
    page = client.get(detail_url(meeting))
    history = page.context["history"]
    assert [item.pk for item in history] == [past_meeting.pk]
    assert [outcome.result for outcome in history[0].outcome_list] == ["cooperation_likely"]
    assert detail_url(past_meeting) in page.text
    assert "Ghi chú riêng" not in page.text


# --- Emails ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("move", "who", "kind"),
    [
        ("accept", "producer", "accepted"),
        ("decline", "producer", "declined"),
        ("propose", "producer", "proposed"),
        ("cancel", "buyer", "cancelled"),
        ("message", "producer", "message"),
    ],
)
def test_each_move_emails_the_other_side(
    client, request, mailoutbox, django_capture_on_commit_callbacks, buyer, meeting, move, who, kind
):
    buyer_colleague = UserFactory(organisation=buyer.organisation, email="thumua@sieuthi.vn")
    meeting.refresh_from_db()
    user = request.getfixturevalue(who)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        if move == "message":
            response = client.post(detail_url(meeting), {"text": "Chúng tôi gửi catalogue."})
        else:
            response = client.post(action_url(meeting, move), _post_data(move, meeting))
    assert response.status_code == 302
    (sent,) = mailoutbox
    other_side = buyer.organisation if who == "producer" else meeting.producer
    expected = set(other_side.members.values_list("email", flat=True))
    assert set(sent.to) == expected
    if who == "producer":
        assert buyer_colleague.email in sent.to
    assert user.organisation.name in sent.subject
    assert detail_url(meeting) in sent.body
    if kind == "declined":
        assert "Chúng tôi chưa có nhu cầu." in sent.body
    if kind == "message":
        assert "Chúng tôi gửi catalogue." in sent.body


def test_the_detail_page_shows_the_moves_allowed_now(client, buyer, producer, meeting):
    client.force_login(producer)
    page = client.get(detail_url(meeting))
    assert set(page.context["forms"]) == {"accept", "decline", "propose", "cancel"}
    assert action_url(meeting, "accept") in page.text
    client.force_login(buyer)
    page = client.get(detail_url(meeting))
    assert set(page.context["forms"]) == {"cancel"}
    assert action_url(meeting, "accept") not in page.text


def test_the_agency_kind_cannot_ask_for_meetings(client, staff):
    client.force_login(staff)
    assert client.get(create_url(producer=OrganisationFactory(kind="producer", is_verified=True).pk)).status_code == 403
