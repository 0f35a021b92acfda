"""Event meetings: slot setup, availability, the scheduler run, hand moves (also concurrent), personal schedules,
the board's permissions, and the demo's meeting figures reaching the event report."""

import datetime
import threading
import zoneinfo

import icalendar
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import ACTING_SESSION_KEY, Actor
from events.models import Event, Registration
from matchmaking import scheduler
from matchmaking.models import (
    EventMeeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    SlotUnavailability,
)
from matchmaking.selectors import event_meetings as selectors
from matchmaking.services import event_meetings as services
from reports.selectors.event_report import event_report
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory
from tests.events.factories import EventFactory
from tests.matchmaking.factories import BuyerFactory, MeetingRequestFactory


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the messages in their English source text."""
    with translation.override("en"):
        yield


AUTHOR = "author@example.vn"
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DAY = timezone.localdate() + datetime.timedelta(days=30)
PLAN = services.SlotPlan(
    day=DAY, starts=datetime.time(13, 30), ends=datetime.time(17, 0), length_minutes=20, table_count=20
)


def at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VIETNAM)


def make_event(**fields):
    return EventFactory(
        starts_at=at(8), ends_at=at(17), registration_closes_at=at(8) - datetime.timedelta(days=2), **fields
    )


def author() -> User:
    """One user who files the test rows: hashing a password per row would make the tests slow."""
    return User.objects.filter(email=AUTHOR).first() or UserFactory(email=AUTHOR)


def register(event, organisation, participation=Registration.Participation.EXHIBITOR):
    return Registration.objects.create(
        event=event,
        organisation=organisation,
        participation=participation,
        status=Registration.Status.CONFIRMED,
        registered_by=author(),
    )


def accepted(event, buyer, producer, *, initiator=None, **fields):
    return MeetingRequestFactory(
        buyer=buyer,
        producer=producer,
        initiator=initiator or buyer,
        event=event,
        mode=MeetingRequest.Mode.AT_EVENT,
        online_link="",
        proposed_times=[],
        status=MeetingRequest.Status.ACCEPTED,
        created_by=author(),
        **fields,
    )


def actor_of(user):
    return Actor(user=user, organisation=user.organisation)


def setup_slots(event, staff, *, slots=10, tables=20):
    plan = services.SlotPlan(
        day=DAY,
        starts=datetime.time(13, 30),
        ends=(datetime.datetime.combine(DAY, datetime.time(13, 30)) + datetime.timedelta(minutes=20 * slots)).time(),
        length_minutes=20,
        table_count=tables,
    )
    services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=plan)
    return (
        list(MeetingSlot.objects.filter(event=event).order_by("starts_at")),
        list(MeetingTable.objects.filter(event=event).order_by("number")),
    )


def place(request, slot, table, *, by_hand=False):
    return EventMeeting.objects.create(
        request=request,
        event=request.event,
        slot=slot,
        table=table,
        buyer=request.buyer,
        producer=request.producer,
        placed_by_hand=by_hand,
    )


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def event(db):
    return make_event()


@pytest.fixture
def placed(event, staff, buyer_org, producer_org):
    """Two slots × two tables, the fixture buyer and producer registered, one meeting between them at 13:30, table 1."""
    register(event, buyer_org, Registration.Participation.BUYER)
    register(event, producer_org)
    slots, tables = setup_slots(event, staff, slots=2, tables=2)
    meeting = place(accepted(event, buyer_org, producer_org), slots[0], tables[0])
    return meeting, slots, tables


# --- Setup --------------------------------------------------------------------------------------------------------


class TestSetup:
    def test_staff_generate_slots_and_tables_and_see_them(self, client, staff, event):
        client.force_login(staff)
        url = reverse("matchmaking:event-meetings-setup", args=[event.slug])
        response = client.post(
            url, {"day": DAY.isoformat(), "starts": "13:30", "ends": "17:00", "length_minutes": 20, "table_count": 20}
        )
        assert response.status_code == 302
        slots = list(MeetingSlot.objects.filter(event=event).order_by("starts_at"))
        # 13:30 … 16:30: a slot that would end at 17:10 is left out.
        assert [timezone.localtime(slot.starts_at).strftime("%H:%M") for slot in slots][::3] == [
            "13:30",
            "14:30",
            "15:30",
            "16:30",
        ]
        assert len(slots) == 10
        assert timezone.localtime(slots[-1].ends_at).time() == datetime.time(16, 50)
        assert list(MeetingTable.objects.filter(event=event).values_list("number", flat=True)) == list(range(1, 21))
        page = client.get(url)
        assert len(page.context["slots"]) == 10 and page.context["table_count"] == 20
        assert "16:30" in page.content.decode()

    def test_slots_outside_the_event_are_refused_and_nothing_saved(self, staff, event):
        early = services.SlotPlan(
            day=DAY, starts=datetime.time(6, 0), ends=datetime.time(9, 0), length_minutes=20, table_count=5
        )
        with pytest.raises(ValidationError) as error:
            services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=early)
        assert error.value.code == "outside_event"
        another_day = services.SlotPlan(
            day=DAY + datetime.timedelta(days=1),
            starts=datetime.time(13, 30),
            ends=datetime.time(17, 0),
            length_minutes=20,
            table_count=5,
        )
        with pytest.raises(ValidationError):
            services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=another_day)
        assert not MeetingSlot.objects.filter(event=event).exists()
        assert not MeetingTable.objects.filter(event=event).exists()

    def test_the_form_says_why_slots_outside_the_event_are_refused(self, client, staff, event):
        client.force_login(staff)
        response = client.post(
            reverse("matchmaking:event-meetings-setup", args=[event.slug]),
            {"day": DAY.isoformat(), "starts": "16:00", "ends": "18:00", "length_minutes": 20, "table_count": 5},
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not MeetingSlot.objects.filter(event=event).exists()

    def test_a_length_that_fits_no_meeting_and_an_end_before_the_start_are_refused(self, staff, event):
        too_long = services.SlotPlan(
            day=DAY, starts=datetime.time(13, 30), ends=datetime.time(14, 0), length_minutes=45, table_count=5
        )
        with pytest.raises(ValidationError) as error:
            services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=too_long)
        assert "length_minutes" in error.value.error_dict
        backwards = services.SlotPlan(
            day=DAY, starts=datetime.time(15, 0), ends=datetime.time(14, 0), length_minutes=20, table_count=5
        )
        with pytest.raises(ValidationError) as error:
            services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=backwards)
        assert "ends" in error.value.error_dict

    def test_generating_again_replaces_the_slots_until_meetings_are_placed(self, staff, event, buyer_org, producer_org):
        setup_slots(event, staff, slots=4, tables=3)
        services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=PLAN)
        assert MeetingSlot.objects.filter(event=event).count() == 10
        assert MeetingTable.objects.filter(event=event).count() == 20
        slot = MeetingSlot.objects.filter(event=event).first()
        place(accepted(event, buyer_org, producer_org), slot, MeetingTable.objects.filter(event=event).first())
        with pytest.raises(ValidationError) as error:
            services.meeting_slots_generate(actor=actor_of(staff), event=event, plan=PLAN)
        assert error.value.code == "meetings_placed"
        assert MeetingSlot.objects.filter(event=event).count() == 10


# --- Availability ---------------------------------------------------------------------------------------------------


class TestAvailability:
    def test_a_registered_producer_marks_the_slots_it_cannot_attend(self, client, staff, event, producer, producer_org):
        register(event, producer_org)
        slots, _tables = setup_slots(event, staff, slots=4, tables=2)
        client.force_login(producer)
        url = reverse("matchmaking:event-meetings-availability", args=[event.slug])
        assert client.get(url).status_code == 200
        response = client.post(url, {"unavailable": [slots[0].pk, slots[3].pk]})
        assert response.status_code == 302
        assert set(SlotUnavailability.objects.filter(organisation=producer_org).values_list("slot_id", flat=True)) == {
            slots[0].pk,
            slots[3].pk,
        }
        client.post(url, {"unavailable": [slots[1].pk]})
        assert list(SlotUnavailability.objects.filter(organisation=producer_org).values_list("slot_id", flat=True)) == [
            slots[1].pk
        ]

    def test_a_slot_with_a_placed_meeting_cannot_be_marked_and_nothing_changes(self, client, placed, buyer, buyer_org):
        meeting, slots, _tables = placed
        client.force_login(buyer)
        url = reverse("matchmaking:event-meetings-availability", args=[meeting.event.slug])
        response = client.post(url, {"unavailable": [slots[0].pk, slots[1].pk]})
        assert response.status_code == 200
        errors = response.context["form"].errors["unavailable"]
        assert "13:30" in errors[0]
        assert not SlotUnavailability.objects.filter(organisation=buyer_org).exists()

    def test_an_organisation_without_a_confirmed_registration_is_refused(self, client, staff, event, other_producer):
        setup_slots(event, staff, slots=2, tables=1)
        client.force_login(other_producer)
        url = reverse("matchmaking:event-meetings-availability", args=[event.slug])
        assert client.get(url).status_code == 403
        assert client.post(url, {"unavailable": []}).status_code == 403

    def test_the_service_refuses_slots_of_another_event(self, staff, event, producer_org):
        register(event, producer_org)
        setup_slots(event, staff, slots=2, tables=1)
        other = make_event()
        other_slots, _tables = setup_slots(other, staff, slots=2, tables=1)
        with pytest.raises(ValidationError):
            services.slot_unavailability_set(
                actor=actor_of(staff), event=event, organisation=producer_org, slots=other_slots
            )

    def test_staff_acting_for_the_organisation_mark_its_availability(self, client, staff, event, producer_org):
        register(event, producer_org)
        slots, _tables = setup_slots(event, staff, slots=2, tables=1)
        client.force_login(staff)
        session = client.session
        session[ACTING_SESSION_KEY] = producer_org.pk
        session.save()
        client.post(
            reverse("matchmaking:event-meetings-availability", args=[event.slug]), {"unavailable": [slots[1].pk]}
        )
        assert SlotUnavailability.objects.filter(organisation=producer_org, slot=slots[1]).exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, event):
        response = client.get(reverse("matchmaking:event-meetings-availability", args=[event.slug]))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


# --- The scheduler run ----------------------------------------------------------------------------------------------


@pytest.fixture
def crowded(event, staff):
    """3 buyers, 6 producers, 3 slots × 2 tables; one producer cannot attend any slot; one pair asked both ways."""
    slots, tables = setup_slots(event, staff, slots=3, tables=2)
    buyers = [BuyerFactory() for _ in range(3)]
    producers = [ProducerFactory() for _ in range(6)]
    for organisation in buyers + producers:
        register(event, organisation)
    requests = [accepted(event, buyer, producer) for buyer in buyers for producer in producers[:4]]
    absent = producers[5]
    SlotUnavailability.objects.bulk_create(SlotUnavailability(slot=slot, organisation=absent) for slot in slots)
    requests.append(accepted(event, buyers[0], absent))
    mutual_twin = accepted(event, buyers[1], producers[4], initiator=producers[4])
    requests += [accepted(event, buyers[1], producers[4]), mutual_twin]
    # Not accepted, or not at the event: never placed.
    MeetingRequestFactory(
        buyer=buyers[2], producer=producers[4], event=event, status=MeetingRequest.Status.DECLINED, created_by=author()
    )
    return {"slots": slots, "tables": tables, "buyers": buyers, "producers": producers, "requests": requests}


def assert_no_double_booking(event):
    meetings = list(EventMeeting.objects.filter(event=event))
    assert len({(meeting.slot_id, meeting.table_id) for meeting in meetings}) == len(meetings)
    assert len({(meeting.slot_id, meeting.buyer_id) for meeting in meetings}) == len(meetings)
    assert len({(meeting.slot_id, meeting.producer_id) for meeting in meetings}) == len(meetings)
    unavailable = set(SlotUnavailability.objects.filter(slot__event=event).values_list("organisation_id", "slot_id"))
    for meeting in meetings:
        assert (meeting.buyer_id, meeting.slot_id) not in unavailable
        assert (meeting.producer_id, meeting.slot_id) not in unavailable


class TestSchedulerRun:
    def test_the_run_places_without_double_booking_within_the_bound_and_says_why_the_rest_is_left(
        self, staff, event, crowded
    ):
        run = services.meetings_schedule(actor=actor_of(staff), event=event)
        assert_no_double_booking(event)
        placed = EventMeeting.objects.filter(event=event).count()
        assert run.placed == placed <= run.bound
        # 6 table-slots, and each buyer can only be in 3 slots: 6 is the most and the scheduler reaches it.
        assert run.bound == 6 and placed == 6
        reasons = {item.request.pk: item.reason for item in run.unplaced}
        absent_request = next(r for r in crowded["requests"] if r.producer == crowded["producers"][5])
        assert reasons[absent_request.pk] == scheduler.NO_COMMON_SLOT
        assert selectors.SAME_PAIR in reasons.values()
        assert set(reasons.values()) <= set(selectors.REASONS)
        accepted_count = MeetingRequest.objects.filter(event=event, status=MeetingRequest.Status.ACCEPTED).count()
        assert placed + len(run.unplaced) == accepted_count

    def test_the_pair_asked_both_ways_meets_once_and_first(self, staff, event, crowded):
        services.meetings_schedule(actor=actor_of(staff), event=event)
        buyer, producer = crowded["buyers"][1], crowded["producers"][4]
        assert EventMeeting.objects.filter(event=event, buyer=buyer, producer=producer).count() == 1

    def test_a_second_run_keeps_the_hand_placed_meetings_and_replaces_the_others(self, staff, event, crowded):
        services.meetings_schedule(actor=actor_of(staff), event=event)
        meeting = EventMeeting.objects.filter(event=event).order_by("pk").first()
        meeting.placed_by_hand = True
        meeting.save(update_fields=["placed_by_hand"])
        where = (meeting.request_id, meeting.slot_id, meeting.table_id)
        run = services.meetings_schedule(actor=actor_of(staff), event=event)
        assert run.kept == 1
        kept = EventMeeting.objects.get(request_id=meeting.request_id)
        assert (kept.request_id, kept.slot_id, kept.table_id) == where and kept.placed_by_hand
        assert_no_double_booking(event)

    def test_running_without_slots_is_refused(self, staff, event, buyer_org, producer_org):
        accepted(event, buyer_org, producer_org)
        with pytest.raises(ValidationError) as error:
            services.meetings_schedule(actor=actor_of(staff), event=event)
        assert error.value.code == "no_slots"

    def test_staff_run_it_from_the_board_and_read_the_reasons(self, client, staff, event, crowded):
        client.force_login(staff)
        response = client.post(reverse("matchmaking:event-meetings-run", args=[event.slug]))
        assert response.status_code == 302
        assert any("6" in text for text in message_texts(response))
        with translation.override("en"):
            page = client.get(reverse("matchmaking:event-meetings-board", args=[event.slug]))
        content = page.content.decode()
        assert "No slot in which both sides are available." in content
        assert "already meet through their other request" in content
        assert page.context["board"].bound == 6
        assert len(page.context["board"].meetings) == 6


# --- Hand moves -----------------------------------------------------------------------------------------------------


class TestMove:
    def test_a_move_to_a_free_place_is_saved_as_by_hand(self, staff, placed):
        meeting, slots, tables = placed
        moved = services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[1])
        meeting.refresh_from_db()
        assert (meeting.slot, meeting.table, meeting.placed_by_hand) == (slots[1], tables[1], True)
        assert moved.placed_by_hand

    def test_a_taken_table_is_refused_and_nothing_changes(self, staff, placed, event):
        meeting, slots, tables = placed
        other = place(accepted(event, BuyerFactory(), ProducerFactory()), slots[1], tables[0])
        with pytest.raises(ValidationError) as error:
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[0])
        assert error.value.error_dict["table"][0].messages == ["That table is taken in this slot."]
        meeting.refresh_from_db()
        other.refresh_from_db()
        assert (meeting.slot, meeting.table, meeting.placed_by_hand) == (slots[0], tables[0], False)
        assert (other.slot, other.table) == (slots[1], tables[0])

    def test_the_buyer_or_the_producer_busy_in_that_slot_is_refused(
        self, staff, placed, event, buyer_org, producer_org
    ):
        meeting, slots, tables = placed
        buyer_busy = place(accepted(event, buyer_org, ProducerFactory()), slots[1], tables[0])
        with pytest.raises(ValidationError) as error:
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[1])
        assert error.value.error_dict["slot"][0].messages == ["The buyer already has a meeting in this slot."]
        buyer_busy.delete()
        place(accepted(event, BuyerFactory(), producer_org), slots[1], tables[0])
        with pytest.raises(ValidationError) as error:
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[1])
        assert error.value.error_dict["slot"][0].messages == ["The producer already has a meeting in this slot."]
        meeting.refresh_from_db()
        assert meeting.slot == slots[0]

    def test_a_slot_either_side_cannot_attend_is_refused(self, staff, placed, producer_org):
        meeting, slots, tables = placed
        SlotUnavailability.objects.create(slot=slots[1], organisation=producer_org)
        with pytest.raises(ValidationError) as error:
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[1])
        assert error.value.error_dict["slot"][0].code == "producer_unavailable"
        meeting.refresh_from_db()
        assert meeting.slot == slots[0]

    def test_a_slot_or_table_of_another_event_is_refused(self, staff, placed):
        meeting, _slots, tables = placed
        other_slots, _other_tables = setup_slots(make_event(), staff, slots=1, tables=1)
        with pytest.raises(ValidationError):
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=other_slots[0], table=tables[0])

    def test_the_move_form_answers_a_clash_with_a_clear_message(self, client, staff, placed, event):
        meeting, slots, tables = placed
        place(accepted(event, BuyerFactory(), ProducerFactory()), slots[1], tables[0])
        client.force_login(staff)
        url = reverse("matchmaking:event-meetings-move", args=[event.slug, meeting.pk])
        with translation.override("en"):
            response = client.post(url, {"slot": slots[1].pk, "table": tables[0].pk})
            texts = message_texts(response)
        assert response.status_code == 302
        assert any("That table is taken in this slot." in text for text in texts)
        meeting.refresh_from_db()
        assert meeting.slot == slots[0]
        response = client.post(url, {"slot": slots[1].pk, "table": tables[1].pk})
        meeting.refresh_from_db()
        assert (meeting.slot, meeting.table, meeting.placed_by_hand) == (slots[1], tables[1], True)

    def test_a_meeting_of_another_event_is_not_found(self, client, staff, placed):
        meeting, slots, tables = placed
        other = make_event()
        client.force_login(staff)
        url = reverse("matchmaking:event-meetings-move", args=[other.slug, meeting.pk])
        assert client.post(url, {"slot": slots[1].pk, "table": tables[1].pk}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_into_one_table_one_wins_and_the_other_is_told(staff):
    """Two staff move two different meetings into the same slot and table at the same moment."""
    event = make_event()
    slots, tables = setup_slots(event, staff, slots=2, tables=2)
    first = place(accepted(event, BuyerFactory(), ProducerFactory()), slots[0], tables[0])
    second = place(accepted(event, BuyerFactory(), ProducerFactory()), slots[0], tables[1])
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def move(meeting):
        try:
            barrier.wait(timeout=10)
            services.event_meeting_move(actor=actor_of(staff), meeting=meeting, slot=slots[1], table=tables[1])
            outcomes[meeting.pk] = "moved"
        except ValidationError as error:
            outcomes[meeting.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(meeting,)) for meeting in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome == "moved" for outcome in outcomes.values()) == [False, True]
    error = next(outcome for outcome in outcomes.values() if outcome != "moved")
    assert error.error_dict["table"][0].messages == ["That table is taken in this slot."]
    assert EventMeeting.objects.filter(event=event, slot=slots[1], table=tables[1]).count() == 1
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "moved")
    loser = EventMeeting.objects.get(pk=next(pk for pk in outcomes if pk != winner))
    assert (loser.slot_id, loser.placed_by_hand) == (slots[0].pk, False)
    assert_no_double_booking(event)


# --- Personal schedules ---------------------------------------------------------------------------------------------


@pytest.fixture
def schedules(event, staff, buyer_org, producer_org, other_producer_org):
    """The buyer meets the producer at 14:10 and the other producer at 13:30; the other producer meets another
    buyer at 13:50."""
    slots, tables = setup_slots(event, staff, slots=3, tables=3)
    product = ProductFactory(producer=producer_org, name="Bánh pía sầu riêng")
    late = accepted(event, buyer_org, producer_org)
    late.products.set([product])
    place(late, slots[2], tables[1])
    place(accepted(event, buyer_org, other_producer_org), slots[0], tables[2])
    another_buyer = BuyerFactory(name="Siêu thị Khác")
    place(accepted(event, another_buyer, other_producer_org), slots[1], tables[0])
    return slots, tables


class TestPersonalSchedule:
    def test_the_buyer_sees_its_meetings_in_time_order_with_tables_and_the_other_side(
        self, client, buyer, schedules, event, producer_org, other_producer_org
    ):
        client.force_login(buyer)
        response = client.get(reverse("matchmaking:event-my-schedule", args=[event.slug]))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [(row["meeting"].table.number, row["other"]) for row in rows] == [
            (3, other_producer_org),
            (2, producer_org),
        ]
        content = response.content.decode()
        assert "Bánh pía sầu riêng" in content
        assert "Siêu thị Khác" not in content

    def test_another_organisation_sees_only_its_own_meetings(
        self, client, other_producer, schedules, event, buyer_org, producer_org
    ):
        client.force_login(other_producer)
        response = client.get(reverse("matchmaking:event-my-schedule", args=[event.slug]))
        rows = response.context["rows"]
        assert [row["other"].name for row in rows] == [buyer_org.name, "Siêu thị Khác"]
        assert all(row["meeting"].producer == other_producer.organisation for row in rows)
        assert producer_org.name not in response.content.decode()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, schedules, event):
        for name in ("matchmaking:event-my-schedule", "matchmaking:event-my-schedule-ics"):
            response = client.get(reverse(name, args=[event.slug]))
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]

    def test_staff_acting_for_a_hosted_buyer_see_and_print_its_schedule(
        self, client, staff, schedules, event, buyer_org
    ):
        client.force_login(staff)
        client.post(reverse("accounts:acting-start", args=[buyer_org.pk]))
        response = client.get(reverse("matchmaking:event-my-schedule", args=[event.slug]))
        assert response.context["organisation"] == buyer_org
        assert len(response.context["rows"]) == 2
        assert response.context["on_behalf"]
        ics = client.get(reverse("matchmaking:event-my-schedule-ics", args=[event.slug]))
        assert len(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")) == 2

    def test_the_ics_has_each_meeting_with_its_table_and_a_reminder(self, client, buyer, schedules, event):
        client.force_login(buyer)
        response = client.get(reverse("matchmaking:event-my-schedule-ics", args=[event.slug]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        events = calendar.walk("VEVENT")
        assert len(events) == 2
        first = sorted(events, key=lambda entry: entry.decoded("dtstart"))[0]
        assert first.decoded("dtstart") == at(13, 30)
        assert first.decoded("dtend") == at(13, 50)
        assert "3" in str(first.get("location"))
        assert first.walk("VALARM")
        assert "Siêu thị Khác" not in response.content.decode()

    def test_the_page_and_the_ics_cost_a_fixed_number_of_queries(
        self, client, buyer, schedules, event, buyer_org, django_assert_max_num_queries
    ):
        slots, tables = schedules
        for table in tables:
            if not EventMeeting.objects.filter(slot=slots[1], table=table).exists():
                meeting = place(accepted(event, buyer_org, ProducerFactory()), slots[1], table)
                meeting.request.products.set([ProductFactory(producer=meeting.producer)])
                break
        client.force_login(buyer)
        with django_assert_max_num_queries(9):
            client.get(reverse("matchmaking:event-my-schedule", args=[event.slug]))
        with django_assert_max_num_queries(7):
            client.get(reverse("matchmaking:event-my-schedule-ics", args=[event.slug]))


# --- Who may open the staff pages ---------------------------------------------------------------------------------


STAFF_PAGES = [
    ("get", "matchmaking:event-meetings-board"),
    ("get", "matchmaking:event-meetings-setup"),
    ("post", "matchmaking:event-meetings-run"),
]


class TestStaffPermissions:
    @pytest.mark.parametrize(("method", "name"), STAFF_PAGES)
    @pytest.mark.parametrize("who", ["plain_staff", "producer", "buyer"])
    def test_staff_pages_are_refused_to_others(self, request, client, event, method, name, who):
        client.force_login(request.getfixturevalue(who))
        response = getattr(client, method)(reverse(name, args=[event.slug]))
        assert response.status_code == 403

    @pytest.mark.parametrize(("method", "name"), STAFF_PAGES)
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, event, method, name):
        response = getattr(client, method)(reverse(name, args=[event.slug]))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("who", ["plain_staff", "producer"])
    def test_moves_are_refused_to_others(self, request, client, placed, who):
        meeting, slots, tables = placed
        client.force_login(request.getfixturevalue(who))
        url = reverse("matchmaking:event-meetings-move", args=[meeting.event.slug, meeting.pk])
        assert client.post(url, {"slot": slots[1].pk, "table": tables[1].pk}).status_code == 403
        meeting.refresh_from_db()
        assert meeting.slot == slots[0]

    def test_the_run_and_the_move_take_no_get(self, client, staff, placed):
        meeting, _slots, _tables = placed
        client.force_login(staff)
        assert client.get(reverse("matchmaking:event-meetings-run", args=[meeting.event.slug])).status_code == 405
        url = reverse("matchmaking:event-meetings-move", args=[meeting.event.slug, meeting.pk])
        assert client.get(url).status_code == 405

    def test_the_board_costs_a_fixed_number_of_queries(self, client, staff, event, django_assert_max_num_queries):
        slots, tables = setup_slots(event, staff, slots=4, tables=4)
        for index in range(12):
            buyer, producer = BuyerFactory(), ProducerFactory()
            request = accepted(event, buyer, producer)
            if index < 10:
                place(request, slots[index % 4], tables[index // 4])
        client.force_login(staff)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("matchmaking:event-meetings-board", args=[event.slug]))
        assert response.status_code == 200
        assert len(response.context["board"].meetings) == 10
        assert len(response.context["board"].unplaced) == 2


# --- The demo and the event report --------------------------------------------------------------------------------


def test_the_demo_meetings_reach_the_event_report_and_a_second_load_adds_nothing(client, staff):
    call_command("load_demo")
    conference = Event.objects.get(slug="ket-noi-cung-cau-soc-trang-2020")
    counts = [
        model.objects.count()
        for model in (MeetingRequest, EventMeeting, MeetingOutcome, SlotUnavailability, MeetingSlot, MeetingTable)
    ]
    assert MeetingSlot.objects.filter(event=conference).count() == 10
    assert MeetingTable.objects.filter(event=conference).count() == 20
    assert_no_double_booking(conference)

    figures = {str(row[0]): row[1] for row in event_report(event=conference).meetings.rows}
    requested, accepted_, placed_, held = list(figures.values())[:4]
    assert 0 < held <= placed_ <= accepted_ <= requested
    assert accepted_ >= 50
    likely, with_mou, with_order = list(figures.values())[4:7]
    assert 0 < with_mou <= likely <= held and 0 < with_order <= held
    assert event_report(event=conference).meetings.rows[-1][2] > 0

    board = selectors.meeting_board(event=conference)
    assert len(board.meetings) <= board.bound

    client.force_login(staff)
    response = client.get(reverse("reports:event-report", args=[conference.slug]))
    assert response.context["report"].meetings is not None

    call_command("load_demo")
    assert counts == [
        model.objects.count()
        for model in (MeetingRequest, EventMeeting, MeetingOutcome, SlotUnavailability, MeetingSlot, MeetingTable)
    ]
