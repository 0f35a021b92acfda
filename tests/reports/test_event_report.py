"""An event's report: the 2020 conference's figures, who may see it, and the staff's CSV and XLSX exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import Organisation
from accounts.roles import Actor
from events import services
from events.models import Event, MoU, Registration
from reports.exports import cell_safe, tables_csv, tables_xlsx
from reports.tables import Column, Table
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

CONFERENCE_SLUG = "ket-noi-cung-cau-soc-trang-2020"
INJECTION = '=HYPERLINK("http://x")'


def register(
    event, organisation, participation, *, people=1, status=Registration.Status.CONFIRMED, present=False, by=None
):
    return Registration.objects.create(
        event=event,
        organisation=organisation,
        participation=participation,
        people_count=people,
        status=status,
        registered_by=by or UserFactory(organisation=organisation),
        checked_in_at=timezone.now() if present else None,
    )


def table_row(label, first_value) -> str:
    """How the page's table shows a row's header cell and its first figure."""
    return f'<th scope="row">{escape(label)}</th><td class="report-table__number">{first_value}\n</td>'


def rows_by_label(table) -> dict:
    return {str(row[0]): row[1:] for row in table.rows}


# --- The demo conference of 2020 ----------------------------------------------------------------------------------


@pytest.fixture
def conference(db):
    call_command("load_demo")
    return Event.objects.get(slug=CONFERENCE_SLUG)


def test_the_2020_conference_report_and_its_exports_show_the_articles_figures(client, staff, conference):
    """One test: loading the demo takes seconds."""
    response = client.get(reverse("reports:event-report", args=[CONFERENCE_SLUG]))
    assert response.status_code == 200
    report = response.context["report"]

    mous = rows_by_label(report.mou_kinds)
    assert mous[str(MoU.Kind.AGENCY_AGENCY.label)][0] == 14
    assert mous[str(MoU.Kind.AGENCY_RETAILER.label)][0] == 8
    assert mous[str(MoU.Kind.BUSINESS.label)][0] == 34
    assert report.mou_kinds.totals[1] == 56

    assert report.summary["distributors"] == 8
    distributor_names = {row[0] for row in report.distributors.rows}
    assert "Công ty CP Thương mại Bách Hóa Xanh" in distributor_names
    assert all(row[2] == str(Registration.Participation.BUYER.label) for row in report.distributors.rows)

    agencies = rows_by_label(report.organisation_kinds)[str(Organisation.Kind.AGENCY.label)]
    assert agencies[2] >= 20  # agencies of more than 20 provinces and cities took part
    assert report.summary["organisations"] >= 150

    content = response.content.decode()
    for kind, count in ((MoU.Kind.AGENCY_AGENCY, 14), (MoU.Kind.AGENCY_RETAILER, 8), (MoU.Kind.BUSINESS, 34)):
        assert table_row(kind.label, count) in content
    assert "Bách Hóa Xanh" in content and "Saigon Co.op" in content
    # The demo's meetings at the conference reach the report: requested ≥ accepted ≥ placed ≥ held > 0.
    meetings = [row[1] for row in report.meetings.rows]
    requested, accepted, placed, held = meetings[:4]
    assert requested >= accepted >= placed >= held > 0

    client.force_login(staff)
    response = client.get(reverse("reports:event-report-csv", args=[CONFERENCE_SLUG]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = {row[0]: row[1] for row in rows if len(row) > 1}
    assert figures[str(MoU.Kind.AGENCY_AGENCY.label)] == "14"
    assert figures[str(MoU.Kind.AGENCY_RETAILER.label)] == "8"
    assert figures[str(MoU.Kind.BUSINESS.label)] == "34"
    assert sum(1 for row in rows if len(row) > 2 and row[2] == str(Registration.Participation.BUYER.label)) >= 8

    response = client.get(reverse("reports:event-report-xlsx", args=[CONFERENCE_SLUG]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = {
        row[0]: row[1]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and row[0] is not None and len(row) > 1
    }
    assert values[str(MoU.Kind.BUSINESS.label)] == 34
    assert len(workbook.sheetnames) == len(set(workbook.sheetnames)) >= 9


# --- Who sees the report ------------------------------------------------------------------------------------------


@pytest.fixture
def event(db):
    return EventFactory(name="Hội nghị kết nối cung cầu 2024", status=Event.Status.CLOSED)


@pytest.mark.parametrize("who", ["anonymous", "producer", "plain_staff"])
def test_an_unpublished_report_is_not_found_except_by_staff(client, request, event, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:event-report", args=[event.slug])).status_code == 404


def test_staff_see_an_unpublished_report_with_a_warning_and_the_exports(client, staff, event):
    client.force_login(staff)
    response = client.get(reverse("reports:event-report", args=[event.slug]))
    assert response.status_code == 200
    assert response.context["can_export"]
    content = response.content.decode()
    assert reverse("reports:event-report-csv", args=[event.slug]) in content
    assert 'name="robots" content="noindex"' in content


def test_a_published_report_is_public_without_the_exports(client, event):
    event.report_published = True
    event.save()
    response = client.get(reverse("reports:event-report", args=[event.slug]))
    assert response.status_code == 200
    assert not response.context["can_export"]
    assert reverse("reports:event-report-csv", args=[event.slug]) not in response.content.decode()


def test_an_unknown_event_has_no_report(client, staff):
    client.force_login(staff)
    assert client.get(reverse("reports:event-report", args=["khong-co"])).status_code == 404
    assert client.get(reverse("reports:event-report-csv", args=["khong-co"])).status_code == 404


# --- The figures --------------------------------------------------------------------------------------------------


@pytest.fixture
def figures_event(event, staff):
    """Two producers (one present), a buyer present, an agency of another province, a cancelled and a pending one."""
    producer_a = OrganisationFactory(kind="producer", name="HTX Vĩnh Châu")
    producer_b = OrganisationFactory(kind="producer", name="Cơ sở Tám Hội")
    buyer = OrganisationFactory(kind="buyer", name="Siêu thị Thử")
    agency = OrganisationFactory(kind="agency", name="Sở Công Thương Hà Nội")
    agency.province_id = "01"
    agency.ward = agency.ward.__class__.objects.filter(province_id="01").first()
    agency.save()
    register(event, producer_a, "exhibitor", people=3, present=True)
    register(event, producer_b, "exhibitor", people=2)
    register(event, buyer, "buyer", people=2, present=True)
    register(event, agency, "attendee", people=1, present=True)
    register(event, OrganisationFactory(kind="producer"), "exhibitor", people=5, status=Registration.Status.CANCELLED)
    register(event, OrganisationFactory(kind="producer"), "exhibitor", people=4, status=Registration.Status.PENDING)
    actor = Actor(user=staff, organisation=None)
    services.mou_create(
        actor=actor,
        parties=[producer_a, buyer],
        kind=MoU.Kind.BUSINESS,
        title="Cung ứng hành tím",
        signed_on=datetime.date(2024, 5, 1),
        event=event,
        value=300_000_000,
        status=MoU.Status.FIRST_ORDER,
    )
    services.mou_create(
        actor=actor,
        parties=[producer_b, buyer],
        kind=MoU.Kind.BUSINESS,
        title="Cung ứng mận",
        signed_on=datetime.date(2024, 5, 1),
        event=event,
        value=100_000_000,
    )
    services.mou_create(
        actor=actor,
        parties=[event.organiser, buyer],
        kind=MoU.Kind.AGENCY_RETAILER,
        title="Hợp tác đưa hàng lên kệ",
        signed_on=datetime.date(2024, 5, 1),
        event=event,
        status=MoU.Status.LISTED,
    )
    return event


def test_the_report_counts_confirmed_participants_and_who_was_present(client, staff, figures_event):
    client.force_login(staff)
    report = client.get(reverse("reports:event-report", args=[figures_event.slug])).context["report"]
    attendance = rows_by_label(report.attendance)
    assert list(attendance.values())[0] == [4, 8]  # registered: organisations, people (cancelled and pending left out)
    assert list(attendance.values())[1] == [3, 6]  # present
    participation = rows_by_label(report.participation)
    assert participation[str(Registration.Participation.EXHIBITOR.label)] == [2, 5, 1, 3]
    assert participation[str(Registration.Participation.BUYER.label)] == [1, 2, 1, 2]
    provinces = rows_by_label(report.provinces)
    assert provinces["Thành phố Hà Nội"] == [1, 1, 0, 0, 1]
    assert report.summary["provinces"] == 2
    buyer_label = str(Registration.Participation.BUYER.label)
    assert report.distributors.rows == [["Siêu thị Thử", "Thành phố Cần Thơ", buyer_label, 2, True, 3]]
    mous = rows_by_label(report.mou_kinds)
    assert mous[str(MoU.Kind.BUSINESS.label)] == [2, 2, 400_000_000]
    assert mous[str(MoU.Kind.AGENCY_RETAILER.label)] == [1, 0, None]
    assert mous[str(MoU.Kind.AGENCY_AGENCY.label)] == [0, 0, None]
    orders = rows_by_label(report.orders)
    assert orders[str(MoU.Status.FIRST_ORDER.label)] == [1, 300_000_000]
    assert orders[str(MoU.Status.LISTED.label)] == [1, None]
    assert report.orders.totals[1:] == [2, 300_000_000]


def test_meetings_are_said_to_be_not_recorded_yet(client, staff, figures_event):
    client.force_login(staff)
    with translation.override("en"):
        response = client.get(reverse("reports:event-report", args=[figures_event.slug]))
    assert response.context["report"].meetings is None
    content = response.content.decode()
    assert "Meetings requested and held" in content
    assert "Not recorded yet" in content


def test_the_report_query_count_does_not_grow_with_the_participants(
    client, staff, figures_event, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("reports:event-report", args=[figures_event.slug])
    with django_assert_max_num_queries(13) as few:  # +1: the header counts unread meeting messages
        client.get(url)
    for index in range(30):
        kind = ["producer", "buyer", "agency"][index % 3]
        participation = {"producer": "exhibitor", "buyer": "buyer", "agency": "attendee"}[kind]
        register(figures_event, OrganisationFactory(kind=kind), participation, present=index % 2 == 0, by=staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- The exports --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("who", "status"), [("producer", 403), ("buyer", 403), ("plain_staff", 403), ("staff", 200)])
def test_only_staff_export_the_report(client, request, figures_event, fmt, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(f"reports:event-report-{fmt}", args=[figures_event.slug])).status_code == status


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_anonymous_export_is_sent_to_sign_in(client, figures_event, fmt):
    figures_event.report_published = True
    figures_event.save()
    response = client.get(reverse(f"reports:event-report-{fmt}", args=[figures_event.slug]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.fixture
def injected_event(figures_event):
    register(figures_event, OrganisationFactory(kind="producer", name=INJECTION), "exhibitor", people=1)
    return figures_event


def test_the_csv_holds_the_figures_and_lists_and_is_safe_in_a_spreadsheet(client, staff, injected_event):
    client.force_login(staff)
    response = client.get(reverse("reports:event-report-csv", args=[injected_event.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{injected_event.slug}-report.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + INJECTION in cells
    assert INJECTION not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    # The registrations list: organisation, kind, province, participation, people, status, checked in.
    registration = next(row for row in rows if row and row[0] == "HTX Vĩnh Châu")
    assert registration[1:6] == [
        str(Organisation.Kind.PRODUCER.label),
        "Thành phố Cần Thơ",
        str(Registration.Participation.EXHIBITOR.label),
        "3",
        str(Registration.Status.CONFIRMED.label),
    ]
    assert registration[6]  # checked in at
    pending = next(row for row in rows if len(row) > 6 and row[5] == str(Registration.Status.PENDING.label))
    assert pending[6] == ""
    # The MoUs list: title, kind, parties, signed on, status, value.
    mou = next(row for row in rows if row and row[0] == "Cung ứng hành tím")
    assert mou[2] == "HTX Vĩnh Châu; Siêu thị Thử"
    assert mou[3] == "2024-05-01"
    assert mou[5] == "300000000"


def test_the_xlsx_holds_the_same_and_never_a_formula(client, staff, injected_event):
    client.force_login(staff)
    response = client.get(reverse("reports:event-report-xlsx", args=[injected_event.slug]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert "'" + INJECTION in values
    assert INJECTION not in values
    mou = next(
        [cell.value for cell in row]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        if row[0].value == "Cung ứng hành tím"
    )
    assert mou[2] == "HTX Vĩnh Châu; Siêu thị Thử"
    assert mou[3].date() == datetime.date(2024, 5, 1)
    assert mou[5] == 300_000_000


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+84 299", "'+84 299"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Sở Công Thương", "Sở Công Thương"),
        (" =1", " =1"),
        (5, 5),
        (None, None),
    ],
)
def test_cell_safe_puts_an_apostrophe_before_formula_characters(value, safe):
    assert cell_safe(value) == safe


def test_control_characters_and_error_codes_are_written_as_text():
    table = Table(
        key="t", title="T", columns=[Column("Name"), Column("Count", "count")], rows=[["a\x01b", 1], ["#N/A", 2]]
    )
    assert "ab" in tables_csv([table]).decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(tables_xlsx([table])))
    sheet = workbook.worksheets[0]
    assert list(sheet.iter_rows(min_row=4, values_only=True)) == [("ab", 1), ("#N/A", 2)]
