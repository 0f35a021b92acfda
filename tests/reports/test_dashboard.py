"""The staff dashboard: who may open it, the period and province filters, the pipeline, expiring certificates,
the matchmaking funnel and the figures per event."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Ward
from catalog.models import Application, Certificate, EvaluationCycle, RuleSet
from events.models import Event, MoU, MoUParty, Registration
from matchmaking.models import MeetingOutcome, MeetingRequest, Offer
from reports.selectors.event_report import event_report
from reports.selectors.statistics import EXPIRING_LIMIT
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify
from tests.events.factories import EventFactory
from tests.matchmaking.factories import MeetingRequestFactory, OfferFactory, SourcingRequestFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "reports:staff-dashboard"
CONFERENCE_SLUG = "ket-noi-cung-cau-soc-trang-2020"


def dashboard(client, **params):
    response = client.get(reverse(DASHBOARD), params)
    assert response.status_code == 200
    return response


def hanoi_producer():
    ward = Ward.objects.filter(province_id="01").order_by("name").first()
    return ProducerFactory(ward=ward, province=ward.province)


def at(year, month, day) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC)


# --- Who may open it -----------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("who", "status"), [("producer", 403), ("buyer", 403), ("plain_staff", 403), ("staff", 200)])
def test_only_staff_with_the_permissions_open_the_dashboard(client, request, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(DASHBOARD)).status_code == status


def test_staff_holding_only_some_of_the_permissions_are_refused(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "view_certificate", "view_event"])
    )
    client.force_login(user)

    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_the_navigation_shows_the_dashboard_to_staff_only(client, staff, producer):
    client.force_login(producer)
    assert reverse(DASHBOARD) not in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    assert f'href="{reverse(DASHBOARD)}"' in client.get(reverse("home")).content.decode()


# --- Filters -------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_years(db):
    """A certificate and an application of 2024 in Cần Thơ, the same of 2025 in Hà Nội."""
    cycle = EvaluationCycle.objects.create(
        year=2025,
        round=1,
        rule_set=RuleSet.objects.get(code="148/2023"),
        opens_on=datetime.date(2024, 1, 1),
        closes_on=datetime.date(2025, 12, 31),
    )
    can_tho = ProductFactory()
    hanoi = ProductFactory(producer=hanoi_producer())
    for product, day in ((can_tho, datetime.date(2024, 3, 1)), (hanoi, datetime.date(2025, 3, 1))):
        certify(product, score="75", days_ago=(timezone.localdate() - day).days)
        Application.objects.create(
            product=product, cycle=cycle, status=Application.Status.SUBMITTED, created_at=at(day.year, 3, 2)
        )
        MeetingRequestFactory(producer=product.producer, created_at=at(day.year, 4, 1))
    return can_tho, hanoi


def submitted(response) -> int:
    return {row["value"]: row["count"] for row in response.context["dashboard"].pipeline}["submitted"]


def test_the_period_filters_applications_certificates_and_meetings(client, staff, two_years):
    client.force_login(staff)

    everything = dashboard(client).context["dashboard"]
    assert (everything.issued["total"], everything.meetings["requested"]) == (2, 2)

    response = dashboard(client, date_from="2025-01-01", date_to="2025-12-31")
    figures = response.context["dashboard"]
    assert figures.issued["total"] == 1 and figures.issued["stars_4"] == 1
    assert submitted(response) == 1
    assert figures.meetings["requested"] == 1
    assert dashboard(client, date_to="2023-12-31").context["dashboard"].issued["total"] == 0


def test_the_province_filters_by_the_producers_address(client, staff, two_years):
    client.force_login(staff)

    response = dashboard(client, province="01")

    figures = response.context["dashboard"]
    assert figures.period.province.name == "Thành phố Hà Nội"
    assert (figures.issued["total"], submitted(response), figures.meetings["requested"]) == (1, 1, 1)
    assert "Thành phố Hà Nội" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2025-02-31"}, "date_from"),
        ({"date_to": "tomorrow"}, "date_to"),
        ({"date_from": "2025-06-01", "date_to": "2025-01-01"}, "date_to"),
        ({"province": "99"}, "province"),
    ],
)
def test_a_bad_filter_is_reported_beside_its_field_and_filters_nothing(client, staff, two_years, params, field):
    client.force_login(staff)

    response = dashboard(client, **params)

    form = response.context["form"]
    assert list(form.errors) == [field]
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page  # the message beside the field
    assert "error-summary" in page
    assert response.context["dashboard"].issued["total"] == 2  # the bad value filtered nothing


def test_the_quick_periods_keep_the_province(client, staff):
    client.force_login(staff)

    presets = dict(dashboard(client, province="92").context["presets"])

    year = timezone.localdate().year
    assert all("province=92" in url for url in presets.values())
    assert any(f"date_from={year}-01-01" in url for url in presets.values())


# --- Expiring certificates -----------------------------------------------------------------------------------------


def certificate_ending_in(days: int, **kwargs) -> Certificate:
    certificate = certify(ProductFactory(**kwargs), score="65", days_ago=300)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=timezone.localdate() + datetime.timedelta(days))
    certificate.refresh_from_db()
    return certificate


def test_certificates_ending_within_90_days_are_listed_soonest_first_with_their_admin_page(client, staff):
    later = certificate_ending_in(80)
    soon = certificate_ending_in(10)
    certificate_ending_in(120)
    certificate_ending_in(-3)  # already lapsed: the certification dashboard's concern
    revoked = certificate_ending_in(20)
    Certificate.objects.filter(pk=revoked.pk).update(
        status=Certificate.Status.REVOKED, revoked_on=timezone.localdate(), revocation_reason="Thu hồi."
    )
    client.force_login(staff)

    response = dashboard(client, date_from="2000-01-01", date_to="2000-12-31")  # the period does not apply here

    figures = response.context["dashboard"]
    assert [(certificate.pk, days) for certificate, days in figures.expiring] == [(soon.pk, 10), (later.pk, 80)]
    assert figures.expiring_count == 2
    page = response.content.decode()
    assert reverse("admin:catalog_certificate_change", args=[soon.pk]) in page


def test_the_expiring_list_is_capped_with_a_link_to_all_of_them(client, staff):
    for days in range(EXPIRING_LIMIT + 2):
        certificate_ending_in(days + 1)
    client.force_login(staff)

    response = dashboard(client)

    figures = response.context["dashboard"]
    assert len(figures.expiring) == EXPIRING_LIMIT
    assert figures.expiring_count == EXPIRING_LIMIT + 2
    assert figures.expiring_all_url.startswith(reverse("admin:catalog_certificate_changelist"))
    # The admin accepts the link's filters and lists exactly the same certificates.
    admin_page = client.get(figures.expiring_all_url)
    assert admin_page.status_code == 200
    assert admin_page.context["cl"].result_count == EXPIRING_LIMIT + 2


def test_the_province_filters_the_expiring_certificates(client, staff):
    certificate_ending_in(30)
    hanoi = certificate_ending_in(40, producer=hanoi_producer())
    client.force_login(staff)

    figures = dashboard(client, province="01").context["dashboard"]

    assert [certificate.pk for certificate, _days in figures.expiring] == [hanoi.pk]


# --- Matchmaking ---------------------------------------------------------------------------------------------------


def outcome(meeting, result, **kwargs):
    return MeetingOutcome.objects.create(
        meeting=meeting,
        organisation=meeting.buyer,
        result=result,
        recorded_by=UserFactory(organisation=meeting.buyer),
        **kwargs,
    )


@pytest.fixture
def meetings(db):
    """Five requests: one unanswered, four accepted of which two were held (one with a deal)."""
    accepted = MeetingRequest.Status.ACCEPTED
    result = MeetingOutcome.Result
    MeetingRequestFactory()
    MeetingRequestFactory(status=accepted)
    outcome(MeetingRequestFactory(status=accepted), result.USEFUL_NO_DEAL)
    outcome(MeetingRequestFactory(status=accepted), result.COOPERATION_LIKELY, order_value=50_000_000)
    outcome(MeetingRequestFactory(status=accepted), result.DID_NOT_HAPPEN)


def test_the_funnel_counts_requests_accepted_held_likely_and_deals(client, staff, meetings):
    client.force_login(staff)

    figures = dashboard(client).context["dashboard"]

    rows = figures.funnel.table.rows
    assert [row[1] for row in rows] == [5, 4, 2, 1, 1]
    assert [row[2] for row in rows] == [100, 80, 40, 20, 20]
    assert 'aria-labelledby="chart-funnel-title chart-funnel-desc"' in str(figures.funnel.chart)


def test_sourcing_requests_count_offers_without_the_withdrawn_ones_and_the_meetings_they_led_to(client, staff):
    answered = SourcingRequestFactory()
    OfferFactory(request=answered)
    OfferFactory(request=answered, status=Offer.Status.SHORTLISTED)
    MeetingRequestFactory(buyer=answered.buyer, sourcing_request=answered)
    unanswered = SourcingRequestFactory()
    OfferFactory(request=unanswered, status=Offer.Status.WITHDRAWN)
    client.force_login(staff)

    figures = dashboard(client).context["dashboard"]

    assert figures.sourcing == {"posted": 2, "answered": 1, "offers": 2, "with_meeting": 1}


# --- Figures per event ---------------------------------------------------------------------------------------------


def test_each_event_shows_registrations_presence_mous_and_meetings(client, staff):
    event = EventFactory()
    for status, present in (
        (Registration.Status.CONFIRMED, True),
        (Registration.Status.CONFIRMED, False),
        (Registration.Status.PENDING, False),
    ):
        organisation = OrganisationFactory(kind="producer", is_verified=True)
        Registration.objects.create(
            event=event,
            organisation=organisation,
            participation=Registration.Participation.EXHIBITOR,
            status=status,
            registered_by=UserFactory(organisation=organisation),
            checked_in_at=timezone.now() if present else None,
        )
    record = MoU.objects.create(
        kind=MoU.Kind.BUSINESS, title="Cung ứng gạo", signed_on=datetime.date(2025, 1, 1), event=event
    )
    MoUParty.objects.create(mou=record, organisation=event.organiser)
    MeetingRequestFactory(event=event, mode=MeetingRequest.Mode.AT_EVENT)
    MeetingRequestFactory(event=event, mode=MeetingRequest.Mode.AT_EVENT, status=MeetingRequest.Status.ACCEPTED)
    other = EventFactory()
    client.force_login(staff)

    response = dashboard(client)

    rows = {str(row[0]): row for row in response.context["dashboard"].events.table.rows}
    assert rows[event.name][3:] == [2, 1, 1, 2, 1, 0, 0]
    assert rows[other.name][3:] == [0] * 7
    assert rows[event.name][0].url == reverse("reports:event-report", args=[event.slug])
    assert reverse("reports:event-report", args=[event.slug]) in response.content.decode()


def test_events_are_filtered_by_their_start_and_their_province(client, staff):
    EventFactory(
        name="Hội chợ 2025",
        starts_at=at(2025, 5, 5),
        registration_opens_at=at(2025, 4, 1),
        registration_closes_at=at(2025, 5, 4),
    )
    EventFactory(name="Hội nghị Hà Nội", province_id="01")
    client.force_login(staff)

    in_2025 = dashboard(client, date_from="2025-01-01", date_to="2025-12-31").context["dashboard"]
    in_hanoi = dashboard(client, province="01").context["dashboard"]

    assert [str(row[0]) for row in in_2025.events.table.rows] == ["Hội chợ 2025"]
    assert [str(row[0]) for row in in_hanoi.events.table.rows] == ["Hội nghị Hà Nội"]


# --- Empty database, query count -----------------------------------------------------------------------------------


def test_a_fresh_database_renders_the_dashboard_with_empty_states(client, staff):
    client.force_login(staff)

    response = dashboard(client)

    figures = response.context["dashboard"]
    assert figures.expiring == [] and figures.meetings["requested"] == 0
    assert figures.events.table.rows == []
    page = response.content.decode()
    assert page.count('class="empty-state"') == 3  # expiring, meetings, events
    assert 'role="img"' not in page


def test_the_query_count_does_not_grow_with_the_data(client, staff, meetings, django_assert_max_num_queries):
    certificate_ending_in(5)
    MeetingRequestFactory(event=EventFactory(), mode=MeetingRequest.Mode.AT_EVENT)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as few:
        dashboard(client, province="92")

    for days in range(1, 15):
        certificate_ending_in(days)
    for _ in range(3):
        event = EventFactory()
        MeetingRequestFactory(event=event, mode=MeetingRequest.Mode.AT_EVENT)
        OfferFactory()

    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(client, province="92")
    # session, user, permissions, unread messages, provinces, the figures, the task queue's health
    assert len(few.captured_queries) <= 17


# --- The demo data -------------------------------------------------------------------------------------------------


def test_the_demo_dashboard_agrees_with_the_event_report_and_the_certificates(client, staff):
    """One test: loading the demo takes seconds."""
    call_command("load_demo")
    client.force_login(staff)

    figures = dashboard(client).context["dashboard"]

    pipeline = {row["value"]: row["count"] for row in figures.pipeline}
    assert pipeline[Application.Status.PROPOSED_CENTRAL] == 8
    today = timezone.localdate()
    expiring = [
        certificate
        for certificate in Certificate.objects.all()
        if certificate.status == Certificate.Status.VALID and 0 <= (certificate.valid_until - today).days <= 90
    ]
    assert figures.expiring_count == len(expiring) > 0
    assert figures.issued["total"] == Certificate.objects.count()

    conference = Event.objects.get(slug=CONFERENCE_SLUG)
    row = {str(row[0]): row for row in figures.events.table.rows}[conference.name]
    report = event_report(event=conference)
    requested, accepted, _placed, held, likely = (line[1] for line in report.meetings.rows[:5])
    registered, present = (line[1] for line in report.attendance.rows[:2])
    assert row[3:] == [registered, present, report.summary["mous"], requested, accepted, held, likely]
    assert (report.summary["mous"], requested) == (56, 74)


def test_a_stuck_queue_and_failed_jobs_are_shown_to_staff(client, staff, settings):
    from core.tasks import email_deliver

    client.force_login(staff)
    assert "Hàng đợi tác vụ" not in dashboard(client).content.decode()

    settings.QUEUE_STUCK_SECONDS = 600
    waiting = email_deliver.defer(email_id=1)
    failed = email_deliver.defer(email_id=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_events SET at = now() - interval '30 minutes' WHERE job_id = %s", [waiting]
        )
        cursor.execute("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = %s", [failed])
        cursor.execute("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", [failed])
    page = dashboard(client).content.decode()
    assert "Hàng đợi tác vụ không chạy" in page
    assert "1 tác vụ đang chờ, lâu nhất 30 phút" in page
    assert "1 tác vụ đã thất bại" in page
    assert reverse("admin:procrastinate_procrastinatejob_changelist") + "?status__exact=failed" in page
