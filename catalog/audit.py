"""The audit trail's "on whose behalf": filled on each historical row as it is created."""

from simple_history.models import HistoricalRecords

# A service that says "nobody": staff acting for themselves, even with an acting session open.
ON_BEHALF_OF_NOBODY = object()


def history_on_behalf_fill(sender, instance, history_instance, **kwargs):
    """A service names the organisation explicitly; otherwise the request's acting organisation is used."""
    organisation = getattr(instance, "_history_on_behalf_of", None)
    if organisation is ON_BEHALF_OF_NOBODY:
        return
    if organisation is None:
        request = getattr(HistoricalRecords.context, "request", None)
        if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            from accounts.roles import actor_for

            actor = actor_for(request)
            organisation = actor.organisation if actor.on_behalf else None
    if organisation is not None and hasattr(history_instance, "history_on_behalf_of_id"):
        history_instance.history_on_behalf_of_id = organisation.pk
