"""Staff run events and the MoU registry in the admin: rules show beside their fields, nothing half-saved."""

import datetime
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation
from accounts.roles import Actor
from events import services
from events.models import Event, MoU, MoUNote, MoUParty, Registration, Session, Speaker
from tests.accounts.factories import OrganisationFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2024, 10, 27)
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin_url(name, *args):
    """Admin URLs in English, so that assertions can read the messages."""
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def split(moment: datetime.datetime, name: str) -> dict:
    local = timezone.localtime(moment)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


@pytest.fixture
def agency(db):
    return OrganisationFactory(kind=Organisation.Kind.AGENCY, is_verified=True)


def event_form(organiser, *, starts_at, ends_at, sessions=(), **overrides):
    data = {
        "name": "Hội nghị kết nối cung cầu 2030",
        "slug": "hoi-nghi-2030",
        "kind": Event.Kind.CONFERENCE,
        "status": Event.Status.DRAFT,
        "organiser": organiser.pk,
        "description": "",
        "venue": "Trung tâm Hội nghị",
        "address": "",
        "province": "92",
        "capacity": "200",
        **split(starts_at, "starts_at"),
        **split(ends_at, "ends_at"),
        **split(starts_at - datetime.timedelta(days=20), "registration_opens_at"),
        **split(starts_at - datetime.timedelta(days=2), "registration_closes_at"),
        **management("sessions", total=len(sessions)),
    }
    for index, (session_start, session_end) in enumerate(sessions):
        data.update(
            {
                **split(session_start, f"sessions-{index}-starts_at"),
                **split(session_end, f"sessions-{index}-ends_at"),
                f"sessions-{index}-title": f"Phiên {index + 1}",
                f"sessions-{index}-room": "",
                f"sessions-{index}-moderator": "",
                f"sessions-{index}-topics": "",
            }
        )
    data.update(overrides)
    return data


START = datetime.datetime(2030, 5, 10, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
END = START + datetime.timedelta(hours=9)


# --- Changelists and pages open -----------------------------------------------------------------------------------


@pytest.fixture
def a_bit_of_everything(staff, agency, buyer, buyer_org, producer_org):
    event = EventFactory()
    session = Session.objects.create(
        event=event, starts_at=event.starts_at, ends_at=event.starts_at + datetime.timedelta(hours=2), title="Phiên 1"
    )
    Speaker.objects.create(session=session, name="Võ Văn Chiêu")
    registration = Registration.objects.create(
        event=event,
        organisation=buyer_org,
        participation=Registration.Participation.BUYER,
        status=Registration.Status.CONFIRMED,
        registered_by=buyer,
    )
    mou = services.mou_create(
        actor=Actor(user=staff, organisation=None),
        parties=[producer_org, buyer_org],
        kind=MoU.Kind.BUSINESS,
        title="Cung ứng gạo ST25",
        signed_on=SIGNED_ON,
        event=event,
    )
    mou.document.save("bien-ban.pdf", ContentFile(TINY_PDF))
    return {"event": event, "session": session, "registration": registration, "mou": mou}


@pytest.mark.parametrize("model", [Event, Session, Registration, MoU])
def test_admin_changelists_and_change_pages_open(admin_client, a_bit_of_everything, model):
    name = model._meta.model_name
    assert admin_client.get(admin_url(f"events_{name}_changelist")).status_code == 200
    assert admin_client.get(admin_url(f"events_{name}_changelist"), {"q": "gạo"}).status_code == 200
    obj = a_bit_of_everything[name]
    assert admin_client.get(admin_url(f"events_{name}_change", obj.pk)).status_code == 200


def test_the_mou_change_page_links_the_private_document_through_its_download(admin_client, a_bit_of_everything):
    mou = a_bit_of_everything["mou"]
    response = admin_client.get(admin_url("events_mou_change", mou.pk))
    assert reverse("events:mou-document", args=[mou.pk]) in response.content.decode()


def test_staff_of_the_department_open_the_event_and_mou_admin(client, staff, a_bit_of_everything):
    client.force_login(staff)
    for name in ("event", "mou", "registration"):
        assert client.get(admin_url(f"events_{name}_changelist")).status_code == 200
    assert client.get(admin_url("events_mou_add")).status_code == 200


def test_registrations_are_not_added_in_the_admin(admin_client, a_bit_of_everything):
    assert admin_client.get(admin_url("events_registration_add")).status_code == 403
    registration = a_bit_of_everything["registration"]
    response = admin_client.post(
        admin_url("events_registration_change", registration.pk), {"booth": "B12", "status": "cancelled"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.booth, registration.status) == ("B12", Registration.Status.CONFIRMED)


# --- Events -------------------------------------------------------------------------------------------------------


def test_an_event_is_added_with_its_sessions(admin_client, agency):
    data = event_form(agency, starts_at=START, ends_at=END, sessions=[(START, START + datetime.timedelta(hours=2))])
    response = admin_client.post(admin_url("events_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="hoi-nghi-2030")
    assert event.sessions.count() == 1


def test_an_event_ending_before_it_starts_is_an_error_beside_the_end(admin_client, agency):
    data = event_form(agency, starts_at=START, ends_at=START - datetime.timedelta(hours=1))
    response = admin_client.post(admin_url("events_event_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["ends_at"] == ["The event must end after it starts."]
    assert "__all__" not in form.errors
    assert not Event.objects.exists()


def test_registration_closing_after_the_event_is_an_error_beside_it(admin_client, agency):
    data = event_form(
        agency, starts_at=START, ends_at=END, **split(END + datetime.timedelta(days=1), "registration_closes_at")
    )
    response = admin_client.post(admin_url("events_event_add"), data)
    assert response.context["adminform"].form.errors["registration_closes_at"] == [
        "Registration must close by the end of the event."
    ]
    assert not Event.objects.exists()


def test_a_capacity_of_zero_is_an_error_beside_it(admin_client, agency):
    response = admin_client.post(
        admin_url("events_event_add"), event_form(agency, starts_at=START, ends_at=END, capacity="0")
    )
    assert "capacity" in response.context["adminform"].form.errors
    assert not Event.objects.exists()


def inline_errors(response, prefix):
    for formset in response.context["inline_admin_formsets"]:
        if formset.formset.prefix == prefix:
            return formset.formset
    raise AssertionError(prefix)


def test_a_session_outside_the_events_dates_is_an_error_beside_it_and_nothing_is_saved(admin_client, agency):
    late = END + datetime.timedelta(hours=1)
    data = event_form(agency, starts_at=START, ends_at=END, sessions=[(late, late + datetime.timedelta(hours=1))])
    response = admin_client.post(admin_url("events_event_add"), data)
    assert response.status_code == 200
    formset = inline_errors(response, "sessions")
    assert formset.forms[0].errors["starts_at"] == ["The session must take place within the event's dates."]
    assert not Event.objects.exists()
    assert not Session.objects.exists()


def test_a_session_is_checked_against_the_dates_just_typed_for_its_event(admin_client, agency):
    event = EventFactory(organiser=agency, starts_at=START, ends_at=END)
    session_start = END + datetime.timedelta(days=1)
    data = event_form(
        agency,
        starts_at=START,
        ends_at=END + datetime.timedelta(days=2),  # the event is lengthened in the same save
        sessions=[(session_start, session_start + datetime.timedelta(hours=1))],
        slug=event.slug,
        name=event.name,
    )
    response = admin_client.post(admin_url("events_event_change", event.pk), data)
    assert response.status_code == 302, inline_errors(response, "sessions").errors
    assert event.sessions.count() == 1


def test_a_session_ending_before_it_starts_is_an_error_beside_the_end(admin_client, agency):
    data = event_form(agency, starts_at=START, ends_at=END, sessions=[(START + datetime.timedelta(hours=2), START)])
    response = admin_client.post(admin_url("events_event_add"), data)
    formset = inline_errors(response, "sessions")
    assert formset.forms[0].errors["ends_at"] == ["The session must end after it starts."]
    assert not Event.objects.exists()


def test_the_session_admin_checks_the_events_dates(admin_client, agency):
    event = EventFactory(organiser=agency, starts_at=START, ends_at=END)
    late = END + datetime.timedelta(hours=2)
    data = {
        "event": event.pk,
        **split(late, "starts_at"),
        **split(late + datetime.timedelta(hours=1), "ends_at"),
        "title": "Phiên muộn",
        **management("speakers"),
    }
    response = admin_client.post(admin_url("events_session_add"), data)
    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    assert not Session.objects.exists()


# --- MoUs ---------------------------------------------------------------------------------------------------------


def mou_form(kind, parties, *, notes=(), **overrides):
    data = {
        "kind": kind,
        "title": "Biên bản ghi nhớ hợp tác",
        "scope": "",
        "signed_on": SIGNED_ON.isoformat(),
        "event": "",
        "value": "",
        "status": MoU.Status.SIGNED,
        **management("party_links", total=len(parties)),
        **management("notes", total=len(notes)),
    }
    for index, party in enumerate(parties):
        data[f"party_links-{index}-organisation"] = party.pk
    for index, (noted_on, status, text) in enumerate(notes):
        data.update(
            {
                f"notes-{index}-noted_on": noted_on.isoformat(),
                f"notes-{index}-status": status,
                f"notes-{index}-text": text,
            }
        )
    data.update(overrides)
    return data


def party_errors(response) -> list[str]:
    return list(inline_errors(response, "party_links").non_form_errors())


def test_an_mou_is_recorded_with_its_parties(client, staff, agency, buyer_org):
    client.force_login(staff)
    response = client.post(admin_url("events_mou_add"), mou_form(MoU.Kind.AGENCY_RETAILER, [agency, buyer_org]))
    assert response.status_code == 302
    mou = MoU.objects.get()
    assert set(mou.parties.all()) == {agency, buyer_org}
    assert mou.created_by == staff


@pytest.mark.parametrize(
    ("kind", "party_kinds", "message"),
    [
        (MoU.Kind.BUSINESS, ["producer"], "An MoU has at least two parties."),
        (MoU.Kind.BUSINESS, [], "An MoU has at least two parties."),
        (MoU.Kind.AGENCY_AGENCY, ["agency", "buyer"], "Agency – agency MoUs are signed between agencies only."),
        (
            MoU.Kind.BUSINESS,
            ["producer", "agency"],
            "Business MoUs are signed between producers and buyers, not agencies.",
        ),
    ],
)
def test_an_mou_whose_parties_do_not_fit_is_refused_and_nothing_is_saved(admin_client, kind, party_kinds, message):
    parties = [OrganisationFactory(kind=party_kind) for party_kind in party_kinds]
    response = admin_client.post(admin_url("events_mou_add"), mou_form(kind, parties))
    assert response.status_code == 200
    assert party_errors(response) == [message]
    assert not MoU.objects.exists()
    assert not MoUParty.objects.exists()


def test_the_same_party_twice_is_refused(admin_client, agency):
    response = admin_client.post(admin_url("events_mou_add"), mou_form(MoU.Kind.AGENCY_AGENCY, [agency, agency]))
    assert response.status_code == 200
    assert party_errors(response) == ["The same party is listed twice."]
    assert not MoU.objects.exists()


def test_removing_a_party_down_to_one_is_refused(admin_client, a_bit_of_everything):
    mou = a_bit_of_everything["mou"]
    links = list(mou.party_links.order_by("pk"))
    data = mou_form(mou.kind, [link.organisation for link in links], title=mou.title)
    data.update(management("party_links", total=2, initial=2))
    for index, link in enumerate(links):
        data[f"party_links-{index}-id"] = link.pk
        data[f"party_links-{index}-mou"] = mou.pk
    data["party_links-1-DELETE"] = "on"
    response = admin_client.post(admin_url("events_mou_change", mou.pk), data)
    assert response.status_code == 200
    assert party_errors(response) == ["An MoU has at least two parties."]
    assert mou.party_links.count() == 2


def test_a_note_added_in_the_admin_gives_the_mou_its_status(client, staff, agency, buyer_org):
    client.force_login(staff)
    noted_on = SIGNED_ON + datetime.timedelta(days=30)
    data = mou_form(
        MoU.Kind.AGENCY_RETAILER, [agency, buyer_org], notes=[(noted_on, MoU.Status.IN_PROGRESS, "Đang đánh giá")]
    )
    response = client.post(admin_url("events_mou_add"), data)
    assert response.status_code == 302
    mou = MoU.objects.get()
    assert mou.status == MoU.Status.IN_PROGRESS
    note = MoUNote.objects.get()
    assert (note.author, note.noted_on) == (staff, noted_on)


def test_a_note_dated_before_the_signing_is_an_error_beside_its_date(admin_client, agency, buyer_org):
    early = SIGNED_ON - datetime.timedelta(days=1)
    data = mou_form(MoU.Kind.AGENCY_RETAILER, [agency, buyer_org], notes=[(early, MoU.Status.LAPSED, "Sớm quá")])
    response = admin_client.post(admin_url("events_mou_add"), data)
    assert response.status_code == 200
    formset = inline_errors(response, "notes")
    assert "noted_on" in formset.forms[0].errors
    assert not MoU.objects.exists()
    assert not MoUNote.objects.exists()


def test_a_document_that_is_not_a_pdf_or_image_is_refused(admin_client, agency, buyer_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = mou_form(MoU.Kind.AGENCY_RETAILER, [agency, buyer_org])
    data["document"] = SimpleUploadedFile("bien-ban.html", b"<script>alert(1)</script>", content_type="text/html")
    response = admin_client.post(admin_url("events_mou_add"), data)
    assert response.status_code == 200
    assert "document" in response.context["adminform"].form.errors
    assert not MoU.objects.exists()
