"""Who is acting: the signed-in user, their organisation, and whether staff act on its behalf.

Every view that works for an organisation gets it from here, so that staff acting on behalf of a
household producer see exactly what its own members see, and every change records the real person.
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from accounts.models import Organisation, User

ACTING_SESSION_KEY = "acting_organisation_id"
ACT_ON_BEHALF_PERMISSION = "accounts.act_on_behalf"


@dataclass(frozen=True)
class Actor:
    user: User
    organisation: Organisation | None
    on_behalf: bool = False

    @property
    def is_producer(self):
        return self.organisation is not None and self.organisation.kind == Organisation.Kind.PRODUCER

    @property
    def is_buyer(self):
        return self.organisation is not None and self.organisation.kind == Organisation.Kind.BUYER


def actor_for(request) -> Actor:
    """The acting user and organisation of this request (cached on the request)."""
    cached = getattr(request, "_ocop_actor", None)
    if cached is not None:
        return cached
    user = request.user
    actor = Actor(user=user, organisation=None)
    if user.is_authenticated:
        acting_id = request.session.get(ACTING_SESSION_KEY)
        if acting_id and user.has_perm(ACT_ON_BEHALF_PERMISSION):
            organisation = Organisation.objects.with_address().filter(pk=acting_id).first()
            if organisation is not None:
                actor = Actor(user=user, organisation=organisation, on_behalf=True)
        elif user.organisation_id:
            actor = Actor(user=user, organisation=Organisation.objects.with_address().get(pk=user.organisation_id))
    request._ocop_actor = actor
    return actor


class OrganisationMemberRequiredMixin(LoginRequiredMixin):
    """The view works for an organisation: the user's own, or the one staff act for.

    `organisation_kinds` limits it to producers or buyers; anyone else is refused (403).
    """

    organisation_kinds: tuple[str, ...] = ()
    permission_denied_message = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = actor_for(request)
        if self.actor.organisation is None:
            raise PermissionDenied("This page is for members of an organisation.")
        if self.organisation_kinds and self.actor.organisation.kind not in self.organisation_kinds:
            raise PermissionDenied("This page is not for your kind of organisation.")
        return super().dispatch(request, *args, **kwargs)


class StaffPermissionRequiredMixin(AccessMixin):
    """Staff of the Sở Công Thương holding every permission in `permission_required`."""

    permission_required: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.is_staff or not request.user.has_perms(self.permission_required):
            raise PermissionDenied("This page is for staff with the right permission.")
        return super().dispatch(request, *args, **kwargs)
