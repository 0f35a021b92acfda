"""The OCOP certification workflow: applications, scores, recognition, revocation and expiry.

Every change names its actor: who did it and, when staff act for a producer, on whose behalf.
The audit trail (django-simple-history) records the same on each historical row.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions_setup import STAFF_GROUP_NAME
from accounts.roles import Actor
from catalog import permissions
from catalog.audit import ON_BEHALF_OF_NOBODY
from catalog.documents import document_check
from catalog.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Certificate,
    EvaluationCycle,
    Product,
    Score,
)
from catalog.ocop_rules import (
    CENTRAL_CANDIDATE_SCORE,
    CERTIFIED_SCORE,
    CERTIFIER,
    PRODUCER,
    REVIEWER,
    application_move_role,
    average_total,
    recognising_levels,
    stars_for_score,
)
from catalog.querysets import lapsed_on_q, valid_on_q
from core.forms import field_error
from core.mail import email_send

EXPIRY_NOTICE_DAYS = 90


def audit(instance, actor: Actor):
    """Tell the audit trail who makes the next save of `instance`, and for which organisation (or none)."""
    instance._history_user = actor.user
    instance._history_on_behalf_of = actor.organisation if actor.on_behalf else ON_BEHALF_OF_NOBODY
    return instance


def _require_role(*, actor: Actor, role: str, application: Application) -> None:
    if role == PRODUCER and (actor.organisation is None or actor.organisation.pk != application.product.producer_id):
        raise PermissionDenied("Only the producer of the product may do this.")
    if role == REVIEWER and not (actor.user.is_staff and actor.user.has_perm(permissions.REVIEW)):
        raise PermissionDenied("Only Sở Công Thương staff may do this.")
    if role == CERTIFIER and not (actor.user.is_staff and actor.user.has_perm(permissions.CERTIFY)):
        raise PermissionDenied("Only staff who certify OCOP products may do this.")


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("product", "cycle__rule_set").get(pk=application.pk)


def _move(*, actor: Actor, application: Application, target: str, message: str = "") -> Application:
    """Move a locked application to `target` if the flow and the actor's role allow it; tell the producer."""
    role = application_move_role(application.status, target)
    if role is None:
        raise ValidationError(
            _("An application cannot go from “%(current)s” to “%(target)s”.")
            % {
                "current": Application.Status(application.status).label,
                "target": Application.Status(target).label,
            },
            code="forbidden_move",
        )
    _require_role(actor=actor, role=role, application=application)
    previous = application.status
    application.status = target
    application.updated_at = timezone.now()
    audit(application, actor).save()
    ApplicationEvent.objects.create(
        application=application,
        from_status=previous,
        to_status=target,
        actor=actor.user,
        on_behalf=actor.on_behalf,
        message=message,
    )
    email_send(
        to=list(application.product.producer.members.filter(is_active=True).values_list("email", flat=True)),
        subject=_("OCOP application for %(product)s: %(status)s")
        % {"product": application.product.name, "status": Application.Status(target).label},
        template="catalog/email/application_status.txt",
        context={"application": application, "message": message, "status": Application.Status(target).label},
    )
    return application


def _staff_emails() -> list[str]:
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=STAFF_GROUP_NAME)
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def application_create(
    *, actor: Actor, product: Product, cycle: EvaluationCycle, self_assessment_score: Decimal | None = None
) -> Application:
    if actor.organisation is None or product.producer_id != actor.organisation.pk:
        raise PermissionDenied("Only the producer of the product may apply for it.")
    if not cycle.is_open_on(timezone.localdate()):
        raise field_error("cycle", _("This evaluation cycle is not open for applications today."), code="cycle_closed")
    if Application.objects.filter(product=product, cycle=cycle).exists():
        raise field_error("product", _("This product already has an application in this cycle."), code="duplicate")
    application = Application(product=product, cycle=cycle, self_assessment_score=self_assessment_score)
    application.full_clean()
    audit(application, actor).save()
    ApplicationEvent.objects.create(
        application=application, to_status=Application.Status.DRAFT, actor=actor.user, on_behalf=actor.on_behalf
    )
    return application


@transaction.atomic
def application_update(*, actor: Actor, application: Application, self_assessment_score: Decimal | None) -> Application:
    application = _locked(application)
    _require_role(actor=actor, role=PRODUCER, application=application)
    if not application.is_editable_by_producer:
        raise ValidationError(_("A submitted application cannot be changed."), code="not_editable")
    application.self_assessment_score = self_assessment_score
    application.updated_at = timezone.now()
    application.full_clean()
    audit(application, actor).save()
    return application


def document_add(*, actor: Actor, application: Application, kind: str, upload) -> ApplicationDocument:
    """Check an uploaded dossier document by its content and store it under a generated name."""
    content_type, extension = document_check(upload=upload)
    upload.seek(0)
    data = upload.read()
    with transaction.atomic():
        application = _locked(application)
        _require_role(actor=actor, role=PRODUCER, application=application)
        if not application.is_editable_by_producer:
            raise ValidationError(_("Documents can only be added while the application is a draft or returned."))
        if kind not in ApplicationDocument.Kind.values:
            raise field_error("kind", _("Choose which document this is."), code="invalid_kind")
        document = ApplicationDocument(
            application=application,
            kind=kind,
            original_name=(getattr(upload, "name", "") or "document")[-255:],
            content_type=content_type,
            size=len(data),
            uploaded_by=actor.user,
        )
        document.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        document.save()
        application.updated_at = timezone.now()
        audit(application, actor).save(update_fields=["updated_at"])
    return document


@transaction.atomic
def document_delete(*, actor: Actor, document: ApplicationDocument) -> None:
    application = _locked(document.application)
    _require_role(actor=actor, role=PRODUCER, application=application)
    if not application.is_editable_by_producer:
        raise ValidationError(_("Documents can only be removed while the application is a draft or returned."))
    stored = document.file
    document.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def application_submit(*, actor: Actor, application: Application) -> Application:
    application = _locked(application)
    _require_role(actor=actor, role=PRODUCER, application=application)
    present = set(application.documents.values_list("kind", flat=True))
    missing = [
        str(ApplicationDocument.Kind(kind).label) for kind in ApplicationDocument.REQUIRED_KINDS if kind not in present
    ]
    if missing:
        raise ValidationError(
            _("Add these documents before submitting: %(documents)s.") % {"documents": ", ".join(missing)},
            code="missing_documents",
        )
    if application.status == Application.Status.DRAFT and not application.cycle.is_open_on(timezone.localdate()):
        raise ValidationError(_("This evaluation cycle is closed."), code="cycle_closed")
    application.submitted_at = timezone.now()
    application = _move(actor=actor, application=application, target=Application.Status.SUBMITTED)
    email_send(
        to=_staff_emails(),
        subject=_("New OCOP application: %(product)s") % {"product": application.product.name},
        template="catalog/email/application_submitted_staff.txt",
        context={"application": application},
    )
    return application


@transaction.atomic
def application_review_start(*, actor: Actor, application: Application) -> Application:
    return _move(actor=actor, application=_locked(application), target=Application.Status.UNDER_REVIEW)


@transaction.atomic
def application_return(*, actor: Actor, application: Application, message: str) -> Application:
    if not message.strip():
        raise field_error("message", _("Say what the producer must add or correct."), code="message_required")
    application = _locked(application)
    application.return_message = message.strip()
    return _move(actor=actor, application=application, target=Application.Status.RETURNED, message=message.strip())


@transaction.atomic
def score_enter(
    *, actor: Actor, application: Application, section_a: Decimal, section_b: Decimal, section_c: Decimal, note=""
) -> Score:
    """Record (or correct) one council member's score; members scoring at once each keep their own row."""
    application = _locked(application)
    _require_role(actor=actor, role=CERTIFIER, application=application)
    if application.status != Application.Status.UNDER_REVIEW:
        raise ValidationError(_("Scores are entered while the application is under review."), code="not_under_review")
    rule_set = application.cycle.rule_set
    errors = {}
    for field, value, maximum in (
        ("section_a", section_a, rule_set.max_section_a),
        ("section_b", section_b, rule_set.max_section_b),
        ("section_c", section_c, rule_set.max_section_c),
    ):
        if value is None or value < 0 or value > maximum:
            errors[field] = _("Enter between 0 and %(maximum)s points (rule set %(rule_set)s).") % {
                "maximum": maximum,
                "rule_set": rule_set.code,
            }
    if errors:
        raise ValidationError(errors, code="out_of_range")
    score = Score.objects.filter(application=application, scorer=actor.user).first() or Score(
        application=application, scorer=actor.user
    )
    score.section_a, score.section_b, score.section_c = section_a, section_b, section_c
    score.note = note
    score.updated_at = timezone.now()
    score.full_clean()
    audit(score, actor).save()
    return score


@transaction.atomic
def application_score_finish(*, actor: Actor, application: Application) -> Application:
    """Close the scoring: the total is the average of the members' totals, and the stars follow from it."""
    application = _locked(application)
    _require_role(actor=actor, role=CERTIFIER, application=application)
    totals = [score.total for score in application.scores.all()]
    if not totals:
        raise ValidationError(_("Enter at least one score before finishing the scoring."), code="no_scores")
    application.total_score = average_total(totals)
    stars = stars_for_score(application.total_score)
    return _move(
        actor=actor,
        application=application,
        target=Application.Status.SCORED,
        message=_("Score %(score)s/100 (%(stars)s stars).") % {"score": application.total_score, "stars": stars},
    )


@transaction.atomic
def application_propose_central(*, actor: Actor, application: Application) -> Application:
    application = _locked(application)
    if application.total_score is None or application.total_score < CENTRAL_CANDIDATE_SCORE:
        raise ValidationError(_("Only products scoring 90 or more are proposed for 5 stars."), code="below_90")
    return _move(actor=actor, application=application, target=Application.Status.PROPOSED_CENTRAL)


@transaction.atomic
def application_recognise(
    *, actor: Actor, application: Application, decision_number: str, decision_date: datetime.date, level: str
) -> Certificate:
    """Record the recognition decision: the application is recognised and the product gets its certificate."""
    application = _locked(application)
    if application.status not in (Application.Status.SCORED, Application.Status.PROPOSED_CENTRAL):
        raise ValidationError(_("Only a scored application can be recognised."), code="not_scored")
    total = application.total_score
    if total < CERTIFIED_SCORE:
        raise ValidationError(_("Below 50 points a product is not recognised."), code="below_50")
    stars = stars_for_score(total)
    if stars == 5 and level != Certificate.Level.CENTRAL:
        raise field_error(
            "level",
            _("5 stars are recognised centrally (by the ministry), not by the province or district."),
            code="five_stars_central",
        )
    if stars < 5 and level == Certificate.Level.CENTRAL:
        raise field_error("level", _("The centre recognises 5 stars only."), code="central_five_only")
    if level not in recognising_levels(application.cycle.rule_set.code, stars):
        raise field_error(
            "level",
            _("Under rule set %(rule_set)s, %(stars)s-star products are recognised at: %(levels)s.")
            % {
                "rule_set": application.cycle.rule_set.code,
                "stars": stars,
                "levels": ", ".join(
                    str(Certificate.Level(value).label)
                    for value in recognising_levels(application.cycle.rule_set.code, stars)
                ),
            },
            code="wrong_level",
        )
    if stars == 5 and application.status != Application.Status.PROPOSED_CENTRAL:
        raise ValidationError(_("Propose the product to the centre first."), code="not_proposed")
    if not decision_number.strip():
        raise field_error("decision_number", _("Enter the decision number."), code="required")
    if decision_date > timezone.localdate():
        raise field_error("decision_date", _("The decision date cannot be in the future."), code="future")
    certificate = Certificate(
        product=application.product,
        rule_set=application.cycle.rule_set,
        total_score=total,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        level=level,
        application=application,
    )
    certificate = certificate_record(certificate=certificate, actor=actor)
    _move(
        actor=actor,
        application=application,
        target=Application.Status.RECOGNISED,
        message=_("Decision %(number)s of %(date)s: %(stars)s stars.")
        % {"number": certificate.decision_number, "date": decision_date.strftime("%d/%m/%Y"), "stars": stars},
    )
    return certificate


@transaction.atomic
def application_reject(*, actor: Actor, application: Application, reason: str) -> Application:
    if not reason.strip():
        raise field_error("reason", _("Give the reason."), code="reason_required")
    application = _locked(application)
    application.decision_note = reason.strip()
    return _move(actor=actor, application=application, target=Application.Status.NOT_RECOGNISED, message=reason.strip())


def product_current_certificate_refresh(*, product: Product) -> Certificate | None:
    """Point the product at its latest certificate that is not superseded (valid, expired or revoked)."""
    current = (
        product.certificates.exclude(status=Certificate.Status.SUPERSEDED).order_by("-decision_date", "-pk").first()
    )
    Product.objects.filter(pk=product.pk).update(current_certificate=current)
    product.current_certificate = current
    return current


@transaction.atomic
def certificate_record(*, certificate: Certificate, actor: Actor | None = None) -> Certificate:
    """Record a recognition decision: derive stars and validity, supersede the product's older certificates."""
    Product.objects.select_for_update().filter(pk=certificate.product_id).first()
    # Checked before derive(): the end of validity of a date in year 9999 is past the calendar's end.
    if certificate.decision_date and certificate.decision_date > timezone.localdate():
        raise field_error("decision_date", _("The decision date cannot be in the future."), code="future")
    certificate.derive()
    certificate.full_clean()
    creating = certificate.pk is None
    if actor is not None:
        audit(certificate, actor)
    certificate.save()
    if creating:
        for older in certificate.product.certificates.exclude(pk=certificate.pk).filter(
            status__in=[Certificate.Status.VALID, Certificate.Status.EXPIRED]
        ):
            older.status = Certificate.Status.SUPERSEDED
            if actor is not None:
                audit(older, actor)
            older.save(update_fields=["status"])
    product_current_certificate_refresh(product=certificate.product)
    return certificate


@transaction.atomic
def certificate_revoke(
    *, actor: Actor, certificate: Certificate, reason: str, revoked_on: datetime.date
) -> Certificate:
    if not (actor.user.is_staff and actor.user.has_perm(permissions.CERTIFY)):
        raise PermissionDenied("Only staff who certify OCOP products may revoke a certificate.")
    certificate = Certificate.objects.select_for_update().select_related("product__producer").get(pk=certificate.pk)
    if certificate.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
        raise ValidationError(_("This certificate is already revoked or superseded."), code="not_revocable")
    if not reason.strip():
        raise field_error("reason", _("Give the reason for the revocation."), code="reason_required")
    if revoked_on > timezone.localdate() or revoked_on < certificate.decision_date:
        raise field_error(
            "revoked_on", _("The revocation date lies between the decision date and today."), code="bad_date"
        )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_on = revoked_on
    certificate.revocation_reason = reason.strip()
    certificate.full_clean()
    audit(certificate, actor).save()
    product_current_certificate_refresh(product=certificate.product)
    email_send(
        to=list(certificate.product.producer.members.filter(is_active=True).values_list("email", flat=True)),
        subject=_("OCOP certificate revoked: %(product)s") % {"product": certificate.product.name},
        template="catalog/email/certificate_revoked.txt",
        context={"certificate": certificate},
    )
    return certificate


@transaction.atomic
def certificates_expire(*, today: datetime.date | None = None) -> dict[str, int]:
    """Mark lapsed certificates expired and send each expiring one's notice once. Safe to run twice."""
    today = today or timezone.localdate()
    expired = 0
    for certificate in (
        Certificate.objects.select_for_update().filter(lapsed_on_q(today)).select_related("product__producer")
    ):
        certificate.status = Certificate.Status.EXPIRED
        certificate._history_change_reason = "expired"
        certificate.save(update_fields=["status"])
        expired += 1
        email_send(
            to=[*certificate.product.producer.members.values_list("email", flat=True), *_staff_emails()],
            subject=_("OCOP certificate expired: %(product)s") % {"product": certificate.product.name},
            template="catalog/email/certificate_expired.txt",
            context={"certificate": certificate},
            key=f"certificate-expired:{certificate.pk}",
        )
    noticed = 0
    horizon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
    for certificate in (
        Certificate.objects.select_for_update()
        .filter(valid_on_q(today), valid_until__lte=horizon, expiry_notice_sent_on__isnull=True)
        .select_related("product__producer")
    ):
        certificate.expiry_notice_sent_on = today
        certificate.save(update_fields=["expiry_notice_sent_on"])
        noticed += 1
        email_send(
            to=[*certificate.product.producer.members.values_list("email", flat=True), *_staff_emails()],
            subject=_("OCOP certificate expiring on %(date)s: %(product)s")
            % {"date": certificate.valid_until.strftime("%d/%m/%Y"), "product": certificate.product.name},
            template="catalog/email/certificate_expiring.txt",
            context={"certificate": certificate, "portal_url": settings.PORTAL_URL},
            key=f"certificate-expiring:{certificate.pk}:{certificate.valid_until.isoformat()}",
        )
    return {"expired": expired, "expiry_notices": noticed}
