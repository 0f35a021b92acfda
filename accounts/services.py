"""State changes for users and organisations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ActionRecord, Organisation, User
from accounts.permissions_setup import STAFF_GROUP_NAME
from accounts.roles import ACT_ON_BEHALF_PERMISSION, ACTING_SESSION_KEY, Actor
from core.images import image_process
from core.mail import email_send


def action_record(*, actor: Actor, verb: str, summary: str = "", organisation: Organisation | None = None):
    """Record who really did something for an organisation."""
    organisation = organisation or actor.organisation
    return ActionRecord.objects.create(
        actor=actor.user,
        organisation=organisation,
        on_behalf=actor.on_behalf,
        verb=verb,
        summary=summary[:255],
    )


@transaction.atomic
def organisation_signup(*, kind: str, user_data: dict, organisation_data: dict, password: str) -> User:
    """Create an unverified organisation and its first member."""
    if kind not in (Organisation.Kind.PRODUCER, Organisation.Kind.BUYER):
        raise ValidationError(_("Only producers and buyers can sign up."), code="invalid_kind")
    organisation = Organisation(kind=kind, **organisation_data)
    organisation.full_clean()
    organisation.save()
    user = User(organisation=organisation, **user_data)
    user.email = User.objects.normalize_email(user.email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    ActionRecord.objects.create(actor=user, organisation=organisation, verb="signup", summary=organisation.name)
    email_send(
        to=[user.email],
        subject=_("Welcome to %(portal)s") % {"portal": settings.PORTAL_NAME},
        template="accounts/email/welcome.txt",
        context={"user": user, "organisation": organisation},
    )
    staff_emails = list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=STAFF_GROUP_NAME).values_list(
            "email", flat=True
        )
    )
    email_send(
        to=staff_emails,
        subject=_("New organisation to verify: %(name)s") % {"name": organisation.name},
        template="accounts/email/staff_new_organisation.txt",
        context={"organisation": organisation, "user": user},
    )
    return user


def organisation_update(*, actor: Actor, organisation: Organisation, changed_fields: list[str]) -> Organisation:
    """Save an edited profile (already validated by its form) and record who changed what.

    A new logo is re-encoded from its pixels (metadata stripped) under a generated name.
    """
    if "logo" in changed_fields:
        organisation_logo_process(organisation=organisation)
    with transaction.atomic():
        return _organisation_save(actor=actor, organisation=organisation, changed_fields=changed_fields)


def organisation_logo_process(*, organisation: Organisation) -> None:
    """Replace a newly uploaded logo by its re-encoded pixels under a generated name; raise ValidationError.

    Whoever uploads it (the organisation's members or staff in the admin), nothing of the file but its pixels is kept.
    """
    if organisation.logo and hasattr(organisation.logo.file, "content_type"):  # a new upload, not the stored file
        organisation.logo = image_process(upload=organisation.logo.file).original


def _organisation_save(*, actor, organisation, changed_fields):
    organisation.full_clean()
    organisation.save()
    action_record(
        actor=actor,
        organisation=organisation,
        verb="organisation_update",
        summary=", ".join(changed_fields),
    )
    return organisation


@transaction.atomic
def organisation_verify(*, staff_user: User, organisation: Organisation) -> Organisation:
    """Mark an organisation verified by staff and tell its members."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_verified:
        return organisation
    organisation.is_verified = True
    organisation.verified_at = timezone.now()
    organisation.verified_by = staff_user
    organisation.save(update_fields=["is_verified", "verified_at", "verified_by"])
    ActionRecord.objects.create(
        actor=staff_user, organisation=organisation, verb="organisation_verify", summary=organisation.name
    )
    email_send(
        to=list(organisation.members.filter(is_active=True).values_list("email", flat=True)),
        subject=_("%(name)s is verified on %(portal)s") % {"name": organisation.name, "portal": settings.PORTAL_NAME},
        template="accounts/email/organisation_verified.txt",
        context={"organisation": organisation},
    )
    return organisation


def acting_start(*, request, organisation: Organisation) -> None:
    """Staff begin acting on behalf of an organisation (kept in their session)."""
    if not request.user.has_perm(ACT_ON_BEHALF_PERMISSION):
        raise ValidationError(_("You may not act on behalf of organisations."), code="forbidden")
    request.session[ACTING_SESSION_KEY] = organisation.pk
    request.__dict__.pop("_ocop_actor", None)
    ActionRecord.objects.create(
        actor=request.user, organisation=organisation, on_behalf=True, verb="acting_start", summary=organisation.name
    )


def acting_stop(*, request) -> None:
    organisation_id = request.session.pop(ACTING_SESSION_KEY, None)
    request.__dict__.pop("_ocop_actor", None)
    if organisation_id and request.user.is_authenticated:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is not None:
            ActionRecord.objects.create(
                actor=request.user, organisation=organisation, on_behalf=True, verb="acting_stop"
            )
