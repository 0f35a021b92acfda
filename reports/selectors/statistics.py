"""The figures of the public statistics page and of the staff dashboard.

"Certified" is the catalogue's word, taken from its querysets: a public product whose current certificate
is valid today (`Product.objects.public().certified()`), so these pages, the home page, the catalogue's
filters and the open data always agree. The certificates issued per year are decisions, not products: every one
the public register lists, whatever became of it or of its product since. Every figure is an aggregate query; a page costs the same few queries whatever the
number of products, certificates, events or meetings. Each figure is a `Table` (reports.tables) that the
page shows as its data table, with a chart drawn from the same rows.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Province
from catalog.cache import cached_data, rebuildable
from catalog.classification import CURRENT_RULE_SET
from catalog.models import Application, Certificate, ProducerProfile, Product, ProductGroup
from catalog.selectors import application_status_counts
from catalog.services.certification import EXPIRY_NOTICE_DAYS
from events.models import Event, MoU, Registration
from events.selectors import PUBLIC_STATUSES
from matchmaking.models import MeetingRequest, Offer, SourcingRequest
from reports import charts
from reports.selectors.event_report import meeting_counts, meeting_counts_by_event
from reports.tables import Column, Table

# The classification the catalogue lists and filters by (catalog/filters.py); products filed under an
# older decision's groups are still counted, under their own group's name.
STARS = (5, 4, 3)
PUBLIC_EVENT_LIMIT = 12
DASHBOARD_EVENT_LIMIT = 20
EXPIRING_LIMIT = 10
# The horizon of the producers' expiry notices and of the certification dashboard.
EXPIRY_HORIZON_DAYS = EXPIRY_NOTICE_DAYS


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere; files and screen readers read its label."""

    label: str
    url: str

    def __str__(self):
        return str(self.label)


@dataclass
class Figure:
    """A table and the chart drawn from it."""

    table: Table
    chart: SafeString = field(default_factory=lambda: SafeString(""))


def certified_products() -> QuerySet:
    """The products the catalogue shows as certified today."""
    return Product.objects.public().certified()


def _stars_label(stars: int) -> str:
    return _("%(stars)s stars") % {"stars": stars}


def _star_counts(stars_field: str) -> dict:
    """A count per star rating, `stars_5`, `stars_4`, `stars_3`, of rows whose `stars_field` has it."""
    return {f"stars_{stars}": Count("pk", filter=Q(**{stars_field: stars})) for stars in STARS}


def _sum_rows(rows: list[list], *, label: str) -> list:
    return [label, *(sum(row[index] for row in rows) for index in range(1, len(rows[0])))] if rows else [label]


# --- Public statistics -------------------------------------------------------------------------------------------


@dataclass
class PublicStatistics:
    summary: dict
    stars: Figure
    groups: Figure
    provinces: Figure
    legal_forms: Figure
    years: Figure
    events: Figure
    province: Province | None = None
    wards: Figure | None = None

    @property
    def is_empty(self) -> bool:
        return not self.summary["products"]


def _headline() -> dict:
    """Products, producers, stars and legal forms of the certified products, in one query."""
    forms = {value: Q(producer__producer_profile__legal_form=value) for value in ProducerProfile.LegalForm.values}
    forms[""] = Q(producer__producer_profile__isnull=True)
    aggregates = {
        "products": Count("pk"),
        "producers": Count("producer", distinct=True),
        **_star_counts("current_certificate__stars"),
    }
    for value, condition in forms.items():
        aggregates[f"form_products_{value}"] = Count("pk", filter=condition)
        aggregates[f"form_producers_{value}"] = Count("producer", filter=condition, distinct=True)
    return certified_products().aggregate(**aggregates)


def _proposed_for_five_stars() -> int:
    """Public products whose application the council proposed to the centre for 5★ (awaiting its decision)."""
    return Application.objects.filter(
        status=Application.Status.PROPOSED_CENTRAL, product__in=Product.objects.public()
    ).aggregate(products=Count("product", distinct=True))["products"]


def _stars_figure(headline: dict) -> Figure:
    rows = [[_stars_label(stars), headline[f"stars_{stars}"]] for stars in STARS]
    table = Table(
        key="stars",
        title=_("Certified products by OCOP stars"),
        columns=[Column(_("Rating")), Column(_("Products"), "count")],
        rows=rows,
        totals=_sum_rows(rows, label=_("Total")),
        note=_("Products whose OCOP certificate is valid today."),
    )
    bars = [charts.Bar(row[0], row[1]) for row in rows]
    return Figure(table, charts.bar_chart(key="chart-stars", title=table.title, bars=bars, tone="star"))


def _group_counts() -> list[dict]:
    return list(
        certified_products()
        .values("subgroup__group", "subgroup__group__name", "subgroup__group__name_en")
        .annotate(total=Count("pk"), **_star_counts("current_certificate__stars"))
        .order_by()
    )


def _groups_figure(counts: list[dict]) -> Figure:
    language = get_language() or "vi"
    groups = {
        group.pk: [group.localised_name(language), 0, 0, 0, 0]
        for group in ProductGroup.objects.filter(rule_set__code=CURRENT_RULE_SET).order_by("position")
    }
    for row in counts:
        name = row["subgroup__group__name_en"] if language == "en" and row["subgroup__group__name_en"] else None
        entry = groups.setdefault(row["subgroup__group"], [name or row["subgroup__group__name"], 0, 0, 0, 0])
        entry[1:] = [row["stars_3"], row["stars_4"], row["stars_5"], row["total"]]
    rows = list(groups.values())
    table = Table(
        key="groups",
        title=_("Certified products by product group"),
        columns=[
            Column(_("Product group")),
            *(Column(_stars_label(stars), "count") for stars in (3, 4, 5)),
            Column(_("Total"), "count"),
        ],
        rows=rows,
        totals=_sum_rows(rows, label=_("Total")) if rows else None,
        note=_("The product groups of Decision 148/QĐ-TTg (2023)."),
    )
    bars = [charts.Bar(row[0], row[4]) for row in rows]
    return Figure(table, charts.bar_chart(key="chart-groups", title=table.title, bars=bars))


def _places_rows(products: QuerySet, place: str) -> list[dict]:
    return list(
        products.values(f"producer__{place}", f"producer__{place}__name")
        .annotate(products=Count("pk"), producers=Count("producer", distinct=True))
        .order_by("-products", f"producer__{place}__name")
    )


def _places_table(*, key: str, title: str, heading: str, rows: list[list], note: str = "") -> Figure:
    table = Table(
        key=key,
        title=title,
        columns=[Column(heading), Column(_("Certified products"), "count"), Column(_("Producers"), "count")],
        rows=rows,
        totals=_sum_rows(rows, label=_("Total")) if rows else None,
        note=note,
    )
    bars = [charts.Bar(str(row[0]), row[1]) for row in rows]
    return Figure(table, charts.bar_chart(key=f"chart-{key}", title=title, bars=bars))


def _provinces_figure(rows: list[dict], *, page_url: str) -> Figure:
    table_rows = [
        [
            Link(
                row["producer__province__name"],
                f"{page_url}?{urlencode({'province': row['producer__province']})}#figure-wards",
            ),
            row["products"],
            row["producers"],
        ]
        for row in rows
    ]
    return _places_table(
        key="provinces",
        title=_("Certified products by province/city"),
        heading=_("Province/city"),
        rows=table_rows,
        note=_("By the address of each producer. Choose a province or city to see its wards and communes."),
    )


def _ward_label(row: dict) -> str:
    """A ward's name; for producers whose ward is not recorded yet, the former district a list gave, said so."""
    if row["producer__ward__name"]:
        return row["producer__ward__name"]
    if row.get("former_district"):
        return _("%(district)s (former district, ward not recorded yet)") % {"district": row["former_district"]}
    return _("Ward not recorded yet")


def _wards_figure(province: Province, rows: list[dict]) -> Figure:
    return _places_table(
        key="wards",
        title=_("Certified products by ward/commune: %(province)s") % {"province": province.name},
        heading=_("Ward/commune"),
        rows=[[_ward_label(row), row["products"], row["producers"]] for row in rows],
        note=_("Wards and communes of the 2025 administrative units."),
    )


def _legal_forms_figure(headline: dict) -> Figure:
    rows = [
        [label, headline[f"form_producers_{value}"], headline[f"form_products_{value}"]]
        for value, label in ProducerProfile.LegalForm.choices
    ]
    if headline["form_producers_"]:
        rows.append([_("Not recorded"), headline["form_producers_"], headline["form_products_"]])
    table = Table(
        key="legal-forms",
        title=_("Producers of certified products by legal form"),
        columns=[Column(_("Legal form")), Column(_("Producers"), "count"), Column(_("Certified products"), "count")],
        rows=rows,
        totals=_sum_rows(rows, label=_("Total")),
    )
    bars = [charts.Bar(str(row[0]), row[1]) for row in rows]
    return Figure(table, charts.bar_chart(key="chart-legal-forms", title=table.title, bars=bars))


def _year_counts() -> dict[int, dict]:
    """Every recognition decision on record, by year: the public register's decisions, whatever became of them.

    Renewed, expired and revoked certificates count, and so do those of products no longer (or not yet) listed:
    a decision is a fact of record, and the register (reports.selectors.downloads.certificate_register) lists every one.
    """
    return {
        row["year"]: row
        for row in Certificate.objects.annotate(year=ExtractYear("decision_date"))
        .values("year")
        .annotate(total=Count("pk"), **_star_counts("stars"))
        .order_by("year")
    }


def _years_figure(counts: dict[int, dict], *, key: str = "years") -> Figure:
    # Every year between the first and the last, so a year without decisions shows as a gap, not as nothing.
    years = range(min(counts), max(counts) + 1) if counts else range(0)
    register = reverse("reports:certificate-register")
    rows = []
    for year in years:
        row = counts.get(year, {})
        # A year with decisions opens the register's list of them, which holds the same number.
        label = Link(str(year), f"{register}?{urlencode({'year': year})}") if row else str(year)
        rows.append([label, row.get("stars_3", 0), row.get("stars_4", 0), row.get("stars_5", 0), row.get("total", 0)])
    table = Table(
        key=key,
        title=_("OCOP certificates issued per year"),
        columns=[
            Column(_("Year")),
            *(Column(_stars_label(stars), "count") for stars in (3, 4, 5)),
            Column(_("Total"), "count"),
        ],
        rows=rows,
        totals=_sum_rows(rows, label=_("Total")) if rows else None,
        note=_(
            "By the year of the recognition decision: every decision in the register of certificates, including "
            "certificates since renewed, expired or revoked and those of products no longer listed."
        ),
    )
    columns = [charts.Bar(str(row[0]), row[4]) for row in rows]
    return Figure(table, charts.column_chart(key=f"chart-{key}", title=table.title, columns=columns))


def _events_figure(*, now: datetime.datetime) -> Figure:
    kinds = MoU.Kind
    events = (
        Event.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(
            mou_total=Count("mous"),
            **{f"mou_{value}": Count("mous", filter=Q(mous__kind=value)) for value in kinds.values},
        )
        .filter(Q(starts_at__lte=now) | Q(mou_total__gt=0))
        .order_by("-starts_at", "pk")[:PUBLIC_EVENT_LIMIT]
    )
    rows = [
        [
            Link(event.name, event.get_absolute_url()),
            timezone.localtime(event.starts_at).date(),
            *(getattr(event, f"mou_{value}") for value in kinds.values),
            event.mou_total,
        ]
        for event in events
    ]
    table = Table(
        key="events",
        title=_("MoUs signed at trade events"),
        columns=[
            Column(_("Event")),
            Column(_("Date"), "date"),
            *(Column(label, "count") for label in kinds.labels),
            Column(_("Total"), "count"),
        ],
        rows=rows,
        note=_("Memoranda of understanding recorded for each event, by the kind of parties; the latest events first."),
    )
    bars = [charts.Bar(f"{row[1].year} · {row[0]}", row[-1]) for row in rows]
    return Figure(table, charts.bar_chart(key="chart-events", title=table.title, bars=bars))


@rebuildable
def catalogue_counts() -> dict:
    """The public page's aggregates over the catalogue, in four queries: what the shared cache keeps."""
    return {
        "headline": _headline(),
        "groups": _group_counts(),
        "provinces": _places_rows(certified_products(), "province"),
        "years": _year_counts(),
    }


def public_statistics(*, province_code: str | None, page_url: str, now=None) -> PublicStatistics:
    """Every figure of the public statistics page, in at most nine queries.

    `province_code` drills the places into that province's wards; when every certified product comes from one
    province (a province's own portal), its wards are shown without asking.
    """
    now = now or timezone.now()
    # The aggregates over every certified product (seconds at a million products) are shared by every reader
    # until the catalogue changes or the day ends (catalog.cache.cached_data); labels and charts are per request.
    # The applications and events figures are not the catalogue's: they are read each time (a few rows).
    counts = cached_data("statistics:catalogue", catalogue_counts, rebuild=(catalogue_counts, {}))
    headline = counts["headline"]
    summary = {
        "products": headline["products"],
        "producers": headline["producers"],
        **{f"stars_{stars}": headline[f"stars_{stars}"] for stars in STARS},
        "proposed": _proposed_for_five_stars(),
    }
    province_rows = counts["provinces"]
    province = None
    if province_code:
        known = {row["producer__province"]: row["producer__province__name"] for row in province_rows}
        if province_code in known:
            province = Province(code=province_code, name=known[province_code])
        else:
            province = Province.objects.filter(code=province_code).first()
    elif len(province_rows) == 1:
        only = province_rows[0]
        province = Province(code=only["producer__province"], name=only["producer__province__name"])
    return PublicStatistics(
        summary=summary,
        stars=_stars_figure(headline),
        groups=_groups_figure(counts["groups"]),
        provinces=_provinces_figure(province_rows, page_url=page_url),
        legal_forms=_legal_forms_figure(headline),
        years=_years_figure(counts["years"]),
        events=_events_figure(now=now),
        province=province,
        wards=_wards_figure(
            province,
            cached_data(
                f"statistics:wards:{province.code}",
                lambda: _ward_rows(province),
                rebuild=(ward_rows_of, {"province_code": province.code}),
            ),
        )
        if province
        else None,
    )


@rebuildable
def ward_rows_of(*, province_code: str) -> list[dict]:
    """`_ward_rows` of a province named by its code (what a worker is given)."""
    return _ward_rows(Province.objects.get(code=province_code))


def _ward_rows(province: Province) -> list[dict]:
    """Certified products and producers per ward of the province; those without a ward, per former district."""
    district = Case(When(producer__ward__isnull=True, then=F("producer__former_district")), default=Value(""))
    return list(
        certified_products()
        .filter(producer__province=province)
        .annotate(former_district=district)
        .values("producer__ward", "producer__ward__name", "former_district")
        .annotate(products=Count("pk"), producers=Count("producer", distinct=True))
        .order_by("-products", "producer__ward__name", "former_district")
    )


# --- Staff dashboard ---------------------------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """The dashboard's filters: a period (either end may be open) and a province/city."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    province: Province | None = None

    def dates(self, lookup: str) -> Q:
        """The period as a condition on a date (or `__date` of a date-time) field."""
        condition = Q()
        if self.date_from:
            condition &= Q(**{f"{lookup}__gte": self.date_from})
        if self.date_to:
            condition &= Q(**{f"{lookup}__lte": self.date_to})
        return condition

    def moments(self, lookup: str) -> Q:
        """The period as a condition on a date-time field: whole local days, as bounds an index can serve."""
        condition = Q()
        if self.date_from:
            condition &= Q(**{f"{lookup}__gte": _day_start(self.date_from)})
        if self.date_to:
            condition &= Q(**{f"{lookup}__lt": _day_start(self.date_to + datetime.timedelta(days=1))})
        return condition

    def place(self, lookup: str) -> Q:
        return Q(**{lookup: self.province}) if self.province else Q()


@dataclass
class Dashboard:
    period: Period
    pipeline: list[dict]
    issued: dict
    expiring: list[tuple[Certificate, int]]
    expiring_count: int
    expiring_all_url: str | None
    sourcing: dict
    funnel: Figure
    meetings: dict
    events: Figure
    horizon_days: int = EXPIRY_HORIZON_DAYS


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


def _expiring(period: Period, *, today: datetime.date) -> tuple[list, int, str | None]:
    """Valid certificates ending within the horizon, soonest first (capped), their number and the full list."""
    certificates = Certificate.objects.expiring_within(EXPIRY_HORIZON_DAYS).filter(
        period.place("product__producer__province")
    )
    count = certificates.count()
    listed = (
        [
            (certificate, (certificate.valid_until - today).days)
            for certificate in certificates.select_related("product__producer").order_by("valid_until", "pk")[
                :EXPIRING_LIMIT
            ]
        ]
        if count
        else []
    )
    changelist = _admin_url("catalog_certificate_changelist")
    horizon = today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
    query = {"status__exact": Certificate.Status.VALID, "valid_until__gte": today, "valid_until__lte": horizon}
    return listed, count, f"{changelist}?{urlencode(query)}" if changelist else None


def _sourcing(period: Period) -> dict:
    """Sourcing requests posted in the period, how many got an offer, the offers, and meetings they led to."""
    offers = Offer.objects.filter(request=OuterRef("pk")).exclude(status=Offer.Status.WITHDRAWN)
    offer_count = offers.order_by().values("request").annotate(n=Count("pk")).values("n")
    return (
        SourcingRequest.objects.filter(period.moments("created_at"), period.place("delivery_province"))
        .annotate(
            has_offer=Exists(offers),
            offer_count=Coalesce(Subquery(offer_count), 0),
            has_meeting=Exists(MeetingRequest.objects.filter(sourcing_request=OuterRef("pk"))),
        )
        .aggregate(
            posted=Count("pk"),
            answered=Count("pk", filter=Q(has_offer=True)),
            offers=Sum("offer_count", default=0),
            with_meeting=Count("pk", filter=Q(has_meeting=True)),
        )
    )


def _funnel_figure(meetings: dict) -> Figure:
    requested = meetings["requested"]
    stages = [
        (_("Meetings requested"), requested),
        (_("Accepted"), meetings["accepted"]),
        (_("Held"), meetings["held"]),
        (_("Cooperation likely"), meetings["likely"]),
        (_("Led to an MoU or an order"), meetings["with_mou_or_order"]),
    ]
    rows = [[label, value, round(100 * value / requested) if requested else None] for label, value in stages]
    table = Table(
        key="funnel",
        title=_("Matchmaking: from meeting requests to deals"),
        columns=[Column(_("Stage")), Column(_("Meetings"), "count"), Column(_("Share of requests"), "percent")],
        rows=rows,
        note=_(
            "Meeting requests made in the period, either way between buyers and producers. Held: a side reported "
            "the outcome and neither side said it did not happen. The last two stages count held meetings."
        ),
    )
    bars = [charts.Bar(label, value, charts.share_note(value, requested)) for label, value in stages]
    return Figure(
        table, charts.bar_chart(key="chart-funnel", title=table.title, bars=bars) if requested else SafeString("")
    )


def _events_table(period: Period) -> Figure:
    confirmed = Registration.objects.filter(event=OuterRef("pk"), status=Registration.Status.CONFIRMED)

    def count_of(queryset):
        return Coalesce(Subquery(queryset.order_by().values("event").annotate(n=Count("pk")).values("n")), 0)

    events = list(
        Event.objects.filter(period.moments("starts_at"), period.place("province"))
        .annotate(
            registered=count_of(confirmed),
            present=count_of(confirmed.filter(checked_in_at__isnull=False)),
            mou_total=count_of(MoU.objects.filter(event=OuterRef("pk"))),
        )
        .order_by("-starts_at", "pk")[:DASHBOARD_EVENT_LIMIT]
    )
    meetings = meeting_counts_by_event(MeetingRequest.objects.filter(event__in=[event.pk for event in events]))
    rows = []
    for event in events:
        figures = meetings.get(event.pk, {})
        rows.append(
            [
                Link(event.name, reverse("reports:event-report", args=[event.slug])),
                timezone.localtime(event.starts_at).date(),
                event.get_status_display(),
                event.registered,
                event.present,
                event.mou_total,
                figures.get("requested", 0),
                figures.get("accepted", 0),
                figures.get("held", 0),
                figures.get("likely", 0),
            ]
        )
    return Figure(
        Table(
            key="event-figures",
            title=_("Figures per event"),
            columns=[
                Column(_("Event")),
                Column(_("Starts"), "date"),
                Column(_("Status")),
                Column(_("Organisations registered"), "count"),
                Column(_("Present"), "count"),
                Column(_("MoUs"), "count"),
                Column(_("Meetings requested"), "count"),
                Column(_("Accepted"), "count"),
                Column(_("Held"), "count"),
                Column(_("Cooperation likely"), "count"),
            ],
            rows=rows,
            note=_(
                "Events starting in the period, the latest first (at most %(limit)s); each name opens the event's "
                "report. Registered: confirmed organisations; present: checked in."
            )
            % {"limit": DASHBOARD_EVENT_LIMIT},
        )
    )


def staff_dashboard(*, period: Period, today: datetime.date | None = None) -> Dashboard:
    """The staff dashboard's figures for a period and a province, in a fixed number of queries."""
    today = today or timezone.localdate()
    applications = Application.objects.filter(period.moments("created_at"), period.place("product__producer__province"))
    issued = Certificate.objects.filter(
        period.dates("decision_date"), period.place("product__producer__province")
    ).aggregate(total=Count("pk"), **_star_counts("stars"))
    expiring, expiring_count, expiring_all_url = _expiring(period, today=today)
    meetings = meeting_counts(
        MeetingRequest.objects.filter(period.moments("created_at"), period.place("producer__province"))
    )
    return Dashboard(
        period=period,
        pipeline=application_status_counts(applications),
        issued=issued,
        expiring=expiring,
        expiring_count=expiring_count,
        expiring_all_url=expiring_all_url,
        sourcing=_sourcing(period),
        funnel=_funnel_figure(meetings),
        meetings=meetings,
        events=_events_table(period),
    )
