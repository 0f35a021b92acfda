"""Reads of the event registry: what the public sees, an organisation's own registration, the check-in desk."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, When
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation
from catalog.models import Product
from catalog.search import fold
from events import permissions
from events.models import Event, Registration, Session, Speaker

PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CLOSED)
ACTIVE_STATUSES = (Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def _with_places_taken(events: QuerySet) -> QuerySet:
    return events.annotate(
        places_taken=Sum(
            "registrations__people_count", filter=Q(registrations__status__in=Registration.HOLDING_PLACES), default=0
        )
    )


def event_list_public(*, now=None) -> QuerySet:
    """Published and closed events: upcoming (soonest first), then past (latest first), with places taken."""
    now = now or timezone.now()
    events = Event.objects.filter(status__in=PUBLIC_STATUSES).select_related("province")
    events = _with_places_taken(events).annotate(
        is_upcoming=Case(When(ends_at__gte=now, then=True), default=False),
    )
    # Upcoming rows sort on the first key ascending; past rows have it null and fall through to the second.
    upcoming_start = Case(When(ends_at__gte=now, then=F("starts_at")))
    return events.order_by("-is_upcoming", upcoming_start.asc(nulls_last=True), "-starts_at", "pk")


def event_get_visible(*, slug: str, user) -> Event:
    """The event with this slug: drafts and archived events exist only for staff (404 for anyone else)."""
    events = _with_places_taken(Event.objects.select_related("province", "organiser"))
    event = events.filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    if event.status not in PUBLIC_STATUSES and not (user.is_staff and user.has_perm(permissions.VIEW_EVENTS)):
        raise Http404("No such event.")
    return event


def registration_state(event: Event, *, now=None) -> str:
    """The registration state as the event pages word it: "open", "not_yet" or "closed"."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or now > event.registration_closes_at:
        return "closed"
    if now < event.registration_opens_at:
        return "not_yet"
    return "open"


def places_left(event: Event) -> int | None:
    """Places still free (never negative), None when the event has no limit. Needs `places_taken` annotated."""
    if event.capacity is None:
        return None
    return max(event.capacity - event.places_taken, 0)


def session_list(event: Event) -> list[Session]:
    """The agenda in order, each session with its speakers (two queries)."""
    return list(
        event.sessions.order_by("starts_at", "pk").prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.order_by("position", "pk"))
        )
    )


def registration_get_own(*, event: Event, organisation: Organisation | None) -> Registration | None:
    if organisation is None:
        return None
    return Registration.objects.select_related("organisation").filter(event=event, organisation=organisation).first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when the registration is not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    earlier = Registration.objects.filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=Registration.Status.WAITLISTED,
    )
    return earlier.count() + 1


@dataclass
class Participants:
    exhibitors: list[Registration]
    buyers: list[Registration]
    others: list[Registration]

    @property
    def total(self) -> int:
        return len(self.exhibitors) + len(self.buyers) + len(self.others)


def participant_list(event: Event) -> Participants:
    """Confirmed organisations that agreed to be listed, with the public products they show (two queries)."""
    registrations = (
        event.registrations.filter(status=Registration.Status.CONFIRMED, show_publicly=True)
        .select_related("organisation", "organisation__province")
        .prefetch_related(
            Prefetch(
                "products",
                queryset=Product.objects.public().order_by("name", "pk"),
                to_attr="shown_products",
            )
        )
        .order_by("organisation__name", "pk")
    )
    groups = {"exhibitor": [], "buyer": [], "other": []}
    for registration in registrations:
        key = registration.participation if registration.participation in ("exhibitor", "buyer") else "other"
        groups[key].append(registration)
    return Participants(exhibitors=groups["exhibitor"], buyers=groups["buyer"], others=groups["other"])


def checkin_list(*, event: Event, query: str = "", status: str = "") -> QuerySet:
    """The check-in desk's rows, matched on the organisation's name (diacritics folded) or the code."""
    registrations = event.registrations.select_related("organisation").order_by("organisation__name", "pk")
    if status in Registration.Status.values:
        registrations = registrations.filter(status=status)
    else:
        registrations = registrations.filter(status__in=ACTIVE_STATUSES)
    needle = fold(query.strip())
    if needle:
        # Plain PostgreSQL has no unaccent: fold both sides in Python over this event's (few hundred) names.
        rows = registrations.values_list("pk", "organisation__name", "code")
        matching = [pk for pk, name, code in rows if needle in fold(name) or needle in code.casefold()]
        registrations = registrations.filter(pk__in=matching)
    return registrations


@dataclass
class CheckInCount:
    participation: str
    label: str
    registered: int
    registered_people: int
    present: int
    present_people: int


def checkin_counts(event: Event) -> tuple[list[CheckInCount], CheckInCount, dict[str, int]]:
    """Confirmed vs checked-in, by participation and in total, plus how many wait (one query)."""
    confirmed = Q(status=Registration.Status.CONFIRMED)
    present = confirmed & Q(checked_in_at__isnull=False)
    aggregates = {}
    for value in Registration.Participation.values:
        kind = Q(participation=value)
        aggregates[f"{value}__registered"] = Count("pk", filter=confirmed & kind)
        aggregates[f"{value}__registered_people"] = Sum("people_count", filter=confirmed & kind, default=0)
        aggregates[f"{value}__present"] = Count("pk", filter=present & kind)
        aggregates[f"{value}__present_people"] = Sum("people_count", filter=present & kind, default=0)
    aggregates["pending"] = Count("pk", filter=Q(status=Registration.Status.PENDING))
    aggregates["waitlisted"] = Count("pk", filter=Q(status=Registration.Status.WAITLISTED))
    figures = event.registrations.aggregate(**aggregates)
    rows = [
        CheckInCount(
            participation=value,
            label=label,
            registered=figures[f"{value}__registered"],
            registered_people=figures[f"{value}__registered_people"],
            present=figures[f"{value}__present"],
            present_people=figures[f"{value}__present_people"],
        )
        for value, label in Registration.Participation.choices
    ]
    total = CheckInCount(
        participation="",
        label="",
        registered=sum(row.registered for row in rows),
        registered_people=sum(row.registered_people for row in rows),
        present=sum(row.present for row in rows),
        present_people=sum(row.present_people for row in rows),
    )
    return rows, total, {"pending": figures["pending"], "waitlisted": figures["waitlisted"]}
