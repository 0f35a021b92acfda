"""The figures of an event's report: who took part, the distributors, the MoUs signed and what came of them.

Every figure is one aggregate query, so the report costs the same few queries for 50 participants or 5,000.
Each figure is a `Table` that the page, the CSV and the XLSX export all render, so they never disagree.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from events.models import Event, MoU, MoUParty, Registration
from matchmaking.models import EventMeeting, MeetingOutcome, MeetingRequest
from reports.tables import Column, Table

PRESENT = Q(checked_in_at__isnull=False)
ORDER_STATUSES = (MoU.Status.FIRST_ORDER, MoU.Status.LISTED)


@dataclass
class EventReport:
    event: Event
    summary: dict
    participation: Table
    organisation_kinds: Table
    attendance: Table
    provinces: Table
    distributors: Table
    mou_kinds: Table
    orders: Table
    # Meetings come with the matchmaking app; until it records them there is nothing to count.
    meetings: Table | None = None

    @property
    def participant_tables(self) -> list[Table]:
        return [self.attendance, self.participation, self.organisation_kinds, self.provinces]

    @property
    def tables(self) -> list[Table]:
        """Every figure of the report, in the page's order (meetings only once they are recorded)."""
        tables = [*self.participant_tables, self.distributors, self.mou_kinds, self.orders]
        return [*tables, self.meetings] if self.meetings is not None else tables


def _counts() -> dict:
    return {
        "organisations": Count("pk"),
        "people": Sum("people_count", default=0),
        "present_organisations": Count("pk", filter=PRESENT),
        "present_people": Sum("people_count", filter=PRESENT, default=0),
    }


def _confirmed(event: Event):
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)


def _sum_columns(rows: list[list], *, label: str, skip: tuple[int, ...] = ()) -> list:
    totals = [label]
    for index in range(1, len(rows[0]) if rows else 0):
        values = [row[index] for row in rows if row[index] is not None]
        totals.append(None if index in skip or not values else sum(values))
    return totals


def _participation(event: Event) -> Table:
    found = {
        row["participation"]: row for row in _confirmed(event).values("participation").annotate(**_counts()).order_by()
    }
    rows = []
    for value, label in Registration.Participation.choices:
        row = found.get(value, {})
        rows.append(
            [
                label,
                row.get("organisations", 0),
                row.get("people", 0),
                row.get("present_organisations", 0),
                row.get("present_people", 0),
            ]
        )
    return Table(
        key="participation",
        title=_("Participants by how they took part"),
        columns=[
            Column(_("Taking part as")),
            Column(_("Organisations"), "count"),
            Column(_("People"), "count"),
            Column(_("Organisations present"), "count"),
            Column(_("People present"), "count"),
        ],
        rows=rows,
        totals=_sum_columns(rows, label=_("Total")),
        note=_("Confirmed registrations; present means checked in at the desk."),
    )


def _organisation_kinds(event: Event, *, province_count: int) -> Table:
    found = {
        row["organisation__kind"]: row
        for row in _confirmed(event)
        .values("organisation__kind")
        .annotate(provinces=Count("organisation__province", distinct=True), **_counts())
        .order_by()
    }
    rows = []
    for value, label in Organisation.Kind.choices:
        row = found.get(value, {})
        rows.append(
            [
                label,
                row.get("organisations", 0),
                row.get("people", 0),
                row.get("provinces", 0),
                row.get("present_organisations", 0),
            ]
        )
    totals = _sum_columns(rows, label=_("Total"))
    totals[3] = province_count  # a province with several kinds of organisation counts once
    return Table(
        key="organisation-kinds",
        title=_("Participants by kind of organisation"),
        columns=[
            Column(_("Kind of organisation")),
            Column(_("Organisations"), "count"),
            Column(_("People"), "count"),
            Column(_("Provinces/cities"), "count"),
            Column(_("Organisations present"), "count"),
        ],
        rows=rows,
        totals=totals,
    )


def _provinces(event: Event) -> Table:
    kinds = Organisation.Kind
    rows = [
        [
            row["organisation__province__name"],
            row["organisations"],
            row["people"],
            row["producers"],
            row["buyers"],
            row["agencies"],
        ]
        for row in _confirmed(event)
        .values("organisation__province__name")
        .annotate(
            producers=Count("pk", filter=Q(organisation__kind=kinds.PRODUCER)),
            buyers=Count("pk", filter=Q(organisation__kind=kinds.BUYER)),
            agencies=Count("pk", filter=Q(organisation__kind=kinds.AGENCY)),
            **_counts(),
        )
        .order_by("-organisations", "organisation__province__name")
    ]
    return Table(
        key="provinces",
        title=_("Participants by province/city"),
        columns=[
            Column(_("Province/city")),
            Column(_("Organisations"), "count"),
            Column(_("People"), "count"),
            Column(_("Producers"), "count"),
            Column(_("Buyers"), "count"),
            Column(_("Agencies"), "count"),
        ],
        rows=rows,
        totals=_sum_columns(rows, label=_("Total")) if rows else None,
        note=_("By the province/city of each organisation's address."),
    )


def _distributors(event: Event) -> Table:
    registrations = (
        _confirmed(event)
        .filter(organisation__kind=Organisation.Kind.BUYER)
        .select_related("organisation__province")
        .annotate(
            mou_count=Count(
                "organisation__mou_links", filter=Q(organisation__mou_links__mou__event=event), distinct=True
            )
        )
        .order_by("organisation__name", "pk")
    )
    rows = [
        [
            registration.organisation.name,
            registration.organisation.province.name,
            registration.get_participation_display(),
            registration.people_count,
            registration.checked_in_at is not None,
            registration.mou_count,
        ]
        for registration in registrations
    ]
    return Table(
        key="distributors",
        title=_("Distributors and retail buyers attending"),
        columns=[
            Column(_("Organisation")),
            Column(_("Province/city")),
            Column(_("Taking part as")),
            Column(_("People"), "count"),
            Column(_("Present"), "bool"),
            Column(_("MoUs signed here"), "count"),
        ],
        rows=rows,
        note=_("Buyer organisations (retail chains, distributors, exporters) with a confirmed registration."),
    )


def _mou_kinds(mous) -> Table:
    found = {
        row["kind"]: row
        for row in mous.values("kind").annotate(count=Count("pk"), valued=Count("value"), total=Sum("value")).order_by()
    }
    rows = []
    for value, label in MoU.Kind.choices:
        row = found.get(value, {})
        rows.append([label, row.get("count", 0), row.get("valued", 0), row.get("total")])
    return Table(
        key="mou-kinds",
        title=_("MoUs signed, by kind"),
        columns=[
            Column(_("Kind of MoU")),
            Column(_("MoUs"), "count"),
            Column(_("With a recorded value"), "count"),
            Column(_("Total value (VND)"), "vnd"),
        ],
        rows=rows,
        totals=_sum_columns(rows, label=_("Total")),
        note=_(
            "Agency – agency: between departments of industry and trade; agency – retailer: a department and a "
            "retail chain or distributor; business – business: producers and buyers."
        ),
    )


def _orders(mous) -> Table:
    found = {
        row["status"]: row
        for row in mous.filter(status__in=ORDER_STATUSES)
        .values("status")
        .annotate(count=Count("pk"), total=Sum("value"))
        .order_by()
    }
    rows = []
    for value in ORDER_STATUSES:
        row = found.get(value, {})
        rows.append([MoU.Status(value).label, row.get("count", 0), row.get("total")])
    return Table(
        key="orders",
        title=_("Orders and listings that followed"),
        columns=[Column(_("Follow-up status")), Column(_("MoUs"), "count"), Column(_("Total value (VND)"), "vnd")],
        rows=rows,
        totals=_sum_columns(rows, label=_("Total")),
        note=_("MoUs whose parties report a first order or a listing on the shelves."),
    )


def _meeting_facts(requests: QuerySet) -> QuerySet:
    """The requests with what the meeting figures look at: placed at a table, reported, what the sides said."""
    result = MeetingOutcome.Result
    outcomes = MeetingOutcome.objects.filter(meeting=OuterRef("pk"))
    return requests.annotate(
        is_placed=Exists(EventMeeting.objects.filter(request=OuterRef("pk"))),
        is_reported=Exists(outcomes),
        not_happened=Exists(outcomes.filter(result=result.DID_NOT_HAPPEN)),
        is_likely=Exists(outcomes.filter(result=result.COOPERATION_LIKELY)),
        has_mou=Exists(outcomes.filter(mou__isnull=False)),
        reported_value=Subquery(outcomes.filter(order_value__gt=0).order_by("-order_value").values("order_value")[:1]),
    )


def _meeting_aggregates() -> dict:
    """The meeting counts over requests annotated by `_meeting_facts` (see `meeting_figures` for the words)."""
    accepted = Q(status=MeetingRequest.Status.ACCEPTED)
    held = (
        accepted & (Q(is_placed=True) | ~Q(mode=MeetingRequest.Mode.AT_EVENT)) & Q(is_reported=True, not_happened=False)
    )
    return {
        "requested": Count("pk"),
        "accepted": Count("pk", filter=accepted),
        "placed": Count("pk", filter=accepted & Q(is_placed=True)),
        "held": Count("pk", filter=held),
        "likely": Count("pk", filter=held & Q(is_likely=True)),
        "with_mou": Count("pk", filter=held & Q(has_mou=True)),
        "with_order": Count("pk", filter=held & Q(reported_value__isnull=False)),
        "with_mou_or_order": Count("pk", filter=held & (Q(has_mou=True) | Q(reported_value__isnull=False))),
        "order_value": Sum("reported_value", filter=held),
    }


def meeting_counts(requests: QuerySet) -> dict:
    """Requested, accepted, placed, held, … over these meeting requests, in one query."""
    return _meeting_facts(requests).aggregate(**_meeting_aggregates())


def meeting_counts_by_event(requests: QuerySet) -> dict[int, dict]:
    """The same counts for each event of these meeting requests (by event id), in one query."""
    rows = _meeting_facts(requests).order_by().values("event").annotate(**_meeting_aggregates())
    return {row["event"]: row for row in rows}


def meeting_figures(event: Event) -> Table | None:
    """Meetings requested, accepted, placed and held at the event, and what came of them, in one query.

    An event where no meeting was requested through the portal has no figure (None), never a zero that
    would read as "no meetings happened". Held: accepted, placed at a table when it was to take place at
    the event, and reported by a side, with neither side saying it did not happen. A meeting counts once
    however many sides report; its order value is the larger of the values the two sides give.
    """
    figures = meeting_counts(MeetingRequest.objects.filter(event=event))
    if not figures["requested"]:
        return None
    rows = [
        [_("Meetings requested"), figures["requested"], None],
        [_("Accepted by the other side"), figures["accepted"], None],
        [_("Placed in a slot at a table"), figures["placed"], None],
        [_("Held"), figures["held"], None],
        [_("Held: cooperation likely"), figures["likely"], None],
        [_("Held: linked to an MoU"), figures["with_mou"], None],
        [_("Held: with an order reported"), figures["with_order"], figures["order_value"]],
    ]
    return Table(
        key="meetings",
        title=_("Meetings requested and held"),
        columns=[Column(_("Meetings")), Column(_("Number"), "count"), Column(_("Order value (VND)"), "vnd")],
        rows=rows,
        note=_(
            "Requests to meet made through the portal for this event, either way between buyers and producers. "
            "Held: a side reported the outcome and neither side said it did not happen."
        ),
    )


def meetings_placeholder_table() -> Table:
    """What the exports say about meetings while no app records them."""
    not_recorded = _("Not recorded yet")
    return Table(
        key="meetings",
        title=_("Meetings requested and held"),
        columns=[Column(_("Figure")), Column(_("Value"))],
        rows=[[_("Meetings requested"), not_recorded], [_("Meetings held"), not_recorded]],
    )


def event_report(*, event: Event) -> EventReport:
    """Every figure of the event's report, in a fixed number of queries."""
    mous = MoU.objects.filter(event=event)
    provinces = _provinces(event)
    participation = _participation(event)
    totals = participation.totals
    attendance = Table(
        key="attendance",
        title=_("Registered and present"),
        columns=[Column(_("Participants")), Column(_("Organisations"), "count"), Column(_("People"), "count")],
        rows=[
            [_("Registered (confirmed)"), totals[1], totals[2]],
            [_("Present (checked in)"), totals[3], totals[4]],
            [_("Registered but not checked in"), totals[1] - totals[3], totals[2] - totals[4]],
        ],
    )
    distributors = _distributors(event)
    mou_kinds = _mou_kinds(mous)
    orders = _orders(mous)
    summary = {
        "organisations": totals[1],
        "people": totals[2],
        "present_people": totals[4],
        "provinces": len(provinces.rows),
        "distributors": len(distributors.rows),
        "mous": mou_kinds.totals[1],
        "mou_value": mou_kinds.totals[3],
        "orders": orders.totals[1],
        "order_value": orders.totals[2],
    }
    return EventReport(
        event=event,
        summary=summary,
        participation=participation,
        organisation_kinds=_organisation_kinds(event, province_count=len(provinces.rows)),
        attendance=attendance,
        provinces=provinces,
        distributors=distributors,
        mou_kinds=mou_kinds,
        orders=orders,
        meetings=meeting_figures(event),
    )


# --- Lists for the staff exports ----------------------------------------------------------------------------------


def event_details_table(event: Event) -> Table:
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    return Table(
        key="event",
        title=_("Event"),
        columns=[Column(_("Field")), Column(_("Value"))],
        rows=[
            [_("Name"), event.name],
            [_("Starts at"), starts.strftime("%Y-%m-%d %H:%M")],
            [_("Ends at"), ends.strftime("%Y-%m-%d %H:%M")],
            [_("Venue"), ", ".join(part for part in (event.venue, event.address) if part)],
            [_("Organising agency"), event.organiser.name],
            [_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        ],
    )


def registration_table(event: Event) -> Table:
    """Every registration of the event, whatever its status."""
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("organisation__province")
        .order_by("status", "organisation__name", "pk")
    )
    return Table(
        key="registrations",
        title=_("Registrations"),
        columns=[
            Column(_("Organisation")),
            Column(_("Kind of organisation")),
            Column(_("Province/city")),
            Column(_("Taking part as")),
            Column(_("People"), "count"),
            Column(_("Status")),
            Column(_("Checked in at"), "datetime"),
        ],
        rows=[
            [
                registration.organisation.name,
                registration.organisation.get_kind_display(),
                registration.organisation.province.name,
                registration.get_participation_display(),
                registration.people_count,
                registration.get_status_display(),
                registration.checked_in_at,
            ]
            for registration in registrations
        ],
    )


def mou_table(event: Event) -> Table:
    """Every MoU signed at the event, with its parties and value."""
    links = MoUParty.objects.select_related("organisation").order_by("pk")
    mous = (
        MoU.objects.filter(event=event)
        .prefetch_related(Prefetch("party_links", queryset=links, to_attr="party_list"))
        .order_by("kind", "signed_on", "pk")
    )
    return Table(
        key="mous",
        title=_("MoUs"),
        columns=[
            Column(_("Title")),
            Column(_("Kind of MoU")),
            Column(_("Parties")),
            Column(_("Signed on"), "date"),
            Column(_("Follow-up status")),
            Column(_("Value (VND)"), "vnd"),
        ],
        rows=[
            [
                mou.title,
                mou.get_kind_display(),
                "; ".join(link.organisation.name for link in mou.party_list),
                mou.signed_on,
                mou.get_status_display(),
                mou.value,
            ]
            for mou in mous
        ],
    )
