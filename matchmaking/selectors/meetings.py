"""Reads of meeting requests: an organisation's inbox, one meeting's page, its thread, outcomes and history.

Every meeting is looked up among the organisation's own (as buyer or as producer), so that another
organisation's meeting is not found. The choices the request and outcome forms offer are here too.
"""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organisation
from catalog.models import Product
from events.models import Event, MoU, Registration
from matchmaking.models import MeetingMessage, MeetingOutcome, MeetingRequest, SourcingRequest

HISTORY_LIMIT = 20


def own_meetings(organisation: Organisation):
    """The organisation's meetings both ways: those where it is the buyer and those where it is the producer."""
    return MeetingRequest.objects.filter(Q(buyer=organisation) | Q(producer=organisation))


def meeting_page_queryset():
    """One meeting with everything its page, its .ics and its outcome form show."""
    products = Product.objects.select_related("producer").order_by("name", "pk")
    return MeetingRequest.objects.select_related(
        "buyer__province",
        "buyer__ward",
        "producer__province",
        "producer__ward",
        "initiator",
        "event",
        "sourcing_request",
        "placement__slot",
        "placement__table",
        "created_by",
    ).prefetch_related(Prefetch("products", queryset=products, to_attr="product_list"))


def own_meeting_get(*, organisation: Organisation, pk: int) -> MeetingRequest:
    """One of the organisation's own meetings, loaded for its page; any other meeting is a 404."""
    queryset = meeting_page_queryset().filter(Q(buyer=organisation) | Q(producer=organisation))
    return get_object_or_404(queryset, pk=pk)


def meeting_inbox(*, organisation: Organisation, status: str = ""):
    """The organisation's meetings both ways, newest activity first, each with its unread message count."""
    unread = Q(messages__read_at__isnull=True) & ~Q(messages__organisation=organisation)
    queryset = (
        own_meetings(organisation)
        .select_related("buyer", "producer", "initiator", "event", "placement__slot", "placement__table")
        .annotate(unread=Count("messages", filter=unread))
        .order_by("-updated_at", "-pk")
    )
    return queryset.filter(status=status) if status else queryset


def meeting_status_counts(organisation: Organisation) -> dict[str, int]:
    """How many of the organisation's meetings are in each status, for the inbox's tabs (one query)."""
    return dict(own_meetings(organisation).values_list("status").annotate(total=Count("pk")).order_by())


def meeting_thread(meeting: MeetingRequest) -> list[MeetingMessage]:
    """The meeting's messages, oldest first, with their author and organisation."""
    return list(
        MeetingMessage.objects.filter(meeting=meeting)
        .select_related("author", "organisation")
        .order_by("created_at", "pk")
    )


def meeting_outcomes(meeting: MeetingRequest) -> list[MeetingOutcome]:
    """Both sides' outcomes of the meeting, with the organisation and the MoU named."""
    return list(meeting.outcomes.select_related("organisation", "mou").order_by("organisation_id"))


def outcome_of(*, meeting: MeetingRequest, organisation: Organisation) -> MeetingOutcome | None:
    """The outcome this side recorded, if it did."""
    return MeetingOutcome.objects.filter(meeting=meeting, organisation=organisation).first()


def pair_history(meeting: MeetingRequest) -> list[MeetingRequest]:
    """The same buyer and producer's other meetings, across events, with both sides' outcomes."""
    outcomes = MeetingOutcome.objects.select_related("mou").order_by("organisation_id")
    return list(
        MeetingRequest.objects.filter(buyer_id=meeting.buyer_id, producer_id=meeting.producer_id)
        .exclude(pk=meeting.pk)
        .select_related("event", "placement__slot")
        .prefetch_related(Prefetch("outcomes", queryset=outcomes, to_attr="outcome_list"))
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


def counterpart_get(*, pk: int) -> Organisation | None:
    """The organisation asked for a meeting, with the address the request page shows."""
    return Organisation.objects.with_address().filter(pk=pk).first()


def buyer_request_get(*, buyer: Organisation, pk: int) -> SourcingRequest | None:
    """The buyer's own sourcing request a meeting is asked about; another buyer's is not found."""
    return SourcingRequest.objects.filter(pk=pk, buyer=buyer).first()


def mou_choices(meeting: MeetingRequest):
    """The MoUs of the registry that both the buyer and the producer signed."""
    return (
        MoU.objects.filter(party_links__organisation_id=meeting.buyer_id)
        .filter(party_links__organisation_id=meeting.producer_id)
        .order_by("-signed_on", "-pk")
    )


def eligible_events(organisation: Organisation):
    """Published events still to come where the organisation's registration is confirmed."""
    return Event.objects.filter(
        status=Event.Status.PUBLISHED,
        ends_at__gt=timezone.now(),
        registrations__organisation=organisation,
        registrations__status=Registration.Status.CONFIRMED,
    ).order_by("starts_at", "pk")


def unread_count(organisation_id: int) -> int:
    """Messages from the other side, in any of the organisation's meetings, that it has not read."""
    return (
        MeetingMessage.objects.filter(read_at__isnull=True)
        .filter(Q(meeting__buyer_id=organisation_id) | Q(meeting__producer_id=organisation_id))
        .exclude(organisation_id=organisation_id)
        .count()
    )
