"""The unread meeting messages of the acting organisation, for the header's "Meetings (3)"."""

from django.utils.functional import SimpleLazyObject

from accounts.roles import ACTING_SESSION_KEY, actor_for
from matchmaking.selectors.meetings import unread_count


def _acting_organisation_id(request) -> int | None:
    # A member's organisation is on the user row; only staff acting on behalf need the (cached) actor lookup.
    session = getattr(request, "session", None)
    if getattr(request, "_ocop_actor", None) is not None or (session is not None and session.get(ACTING_SESSION_KEY)):
        organisation = actor_for(request).organisation
        return organisation.pk if organisation is not None else None
    return request.user.organisation_id


def unread(request):
    """`meeting_unread`: one COUNT query, run only when a template shows it; 0 for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"meeting_unread": 0}

    def count() -> int:
        organisation_id = _acting_organisation_id(request)
        return unread_count(organisation_id) if organisation_id else 0

    return {"meeting_unread": SimpleLazyObject(count)}
