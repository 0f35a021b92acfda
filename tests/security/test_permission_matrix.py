"""The permission matrix: every URL of the portal × every role → the status it must answer.

The table below has one row per URL name (a few names have variants: a published and a draft product, an
open and a closed request…). `test_every_url_has_a_row` walks the URL conf, so a new URL without a row fails,
naming it. Producer A owns the private objects (see conftest.py); another organisation asking for them gets
a 404, so that their existence is not revealed; a page for another kind of user is a 403; an anonymous visitor
of a members' page is sent to the login page.

The roles: anonymous; producer A; producer B; a buyer (owner of the buying side: profile, shortlist,
requests); another buyer (the wrong user of those); staff of the Sở Công Thương group without the council's
"catalog.certify" (a member of the agency, as in the demo); and a council member ("Hội đồng đánh giá OCOP"
and the staff group, no organisation, as in the demo).

The Django admin is one family: its index, login and app list, a changelist and a change page of every
registered model, and every custom admin page (the certification workflow) have rows; its generated add,
delete and history pages are covered by the rule "admin URLs of a registered model". Anyone who is not
staff is sent to the admin's login page.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.static import serve

from tests.security.conftest import CERTIFYING_GROUP_NAME, ROLES, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, security_media):
    """Overrides the root fixture: requests must find the files the module's world stored."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = security_media


# --- Expectations ---------------------------------------------------------------------------------------------


class _Login:
    """A 302 to the portal's login page, which comes back to the requested page."""

    def __repr__(self):
        return "LOGIN"


class _AdminLogin:
    """A 302 to the admin's login page, which comes back to the requested page."""

    def __repr__(self):
        return "ADMIN_LOGIN"


class _Elsewhere:
    """A 302 after a POST (back to a list, a detail page…), but never to a login page."""

    def __repr__(self):
        return "REDIRECT"


LOGIN, ADMIN_LOGIN, REDIRECT = _Login(), _AdminLogin(), _Elsewhere()


@dataclass(frozen=True)
class RedirectTo:
    """A 302 to one page: `path(world)` is its path in the active language."""

    label: str
    path: Callable[[World], str]

    def __repr__(self):
        return f"302 → {self.label}"


def to(name: str, kwargs: Callable[[World], dict] | None = None) -> RedirectTo:
    return RedirectTo(name, lambda w: reverse(name, kwargs=kwargs(w) if kwargs else None))


TO_DASHBOARD = to("accounts:dashboard")


def only(default, **by_role) -> dict:
    """The expected answer of each role: `default`, except for the roles named."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


@dataclass(frozen=True)
class Row:
    expected: dict
    kwargs: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] | None = None
    data: Callable[[World], dict] = lambda w: {}
    variant: str = ""


def pk(name: str, key: str = "pk") -> Callable[[World], dict]:
    return lambda w: {key: getattr(w, name).pk}


def event_slug(w):
    return {"slug": w.event.slug}


def product_photo(w):
    return {"pk": w.product.pk, "photo_pk": w.photo.pk}


def app_document(w):
    return {"pk": w.application.pk, "document_pk": w.document.pk}


def code(w):
    return {"code": w.certificate.verification_code}


def reset_link(w):
    user = w.reset_user
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


# Sets of answers that recur.
EVERYONE = only(200)
PRODUCERS = only(403, anonymous=LOGIN, producer_a=200, producer_b=200)
BUYERS = only(403, anonymous=LOGIN, buyer=200, other_buyer=200)
STAFF = only(403, anonymous=LOGIN, staff=200, certifier=200)
# Producer A's private workspace object: producer B must not learn that it exists.
A_PRIVATE = only(403, anonymous=LOGIN, producer_a=200, producer_b=404)
A_PRIVATE_POST_ONLY = only(403, anonymous=LOGIN, producer_a=405, producer_b=405)
A_PRIVATE_ACTION = only(403, anonymous=LOGIN, producer_a=REDIRECT, producer_b=404)
BUYER_PRIVATE = only(403, anonymous=LOGIN, buyer=200, other_buyer=404)
# A meeting between the buyer and A: only its two sides see it; staff's agency is no side (404),
# the council member belongs to no organisation (403).
MEETING_SIDES = only(404, anonymous=LOGIN, producer_a=200, buyer=200, certifier=403)
# The event's registrations of A and the buyer, seen by their own organisations only.
REGISTRANTS = only(404, anonymous=LOGIN, producer_a=200, buyer=200, certifier=403)

MATRIX: dict[str, Row | tuple[Row, ...]] = {
    "healthz": Row(EVERYONE),
    "home": Row(EVERYONE),
    # Catalogue
    "catalog:product-list": (
        Row(EVERYONE),
        Row(EVERYONE, query=lambda w: {"q": "trà", "stars": "4", "valid": "on", "page": "2"}, variant="filtered"),
    ),
    "catalog:product-detail": (
        Row(EVERYONE, pk("product"), variant="published"),
        Row(only(404), pk("draft_product"), variant="draft"),
    ),
    "catalog:producer-detail": Row(EVERYONE, pk("producer_a")),
    "catalog:my-products": Row(PRODUCERS),
    "catalog:my-product-create": Row(PRODUCERS),
    "catalog:my-product-edit": Row(A_PRIVATE, pk("draft_product")),
    "catalog:my-product-photos": Row(A_PRIVATE, pk("product")),
    "catalog:my-photo-move": Row(A_PRIVATE_POST_ONLY, product_photo),
    "catalog:my-photo-primary": Row(A_PRIVATE_POST_ONLY, product_photo),
    "catalog:my-photo-delete": Row(A_PRIVATE, product_photo),
    "catalog:my-product-status": Row(A_PRIVATE_POST_ONLY, lambda w: {"pk": w.draft_product.pk, "action": "publish"}),
    "catalog:my-profile": Row(PRODUCERS),
    "catalog:my-applications": Row(PRODUCERS),
    "catalog:my-application-create": Row(PRODUCERS),
    "catalog:my-application-detail": Row(A_PRIVATE, pk("application")),
    "catalog:my-application-submit": Row(A_PRIVATE_POST_ONLY, pk("application")),
    # Dossier documents: their producer, and staff who review dossiers.
    "catalog:application-document": Row(
        only(404, anonymous=LOGIN, producer_a=200, staff=200, certifier=200), app_document
    ),
    "catalog:my-document-delete": Row(A_PRIVATE, app_document),
    "catalog:certificate-verify": (
        Row(EVERYONE, code, variant="known"),
        Row(only(404), lambda w: {"code": "A" * 22}, variant="unknown"),
    ),
    # The packaging QR code: its producer and staff; to anyone else the certificate does not exist.
    "catalog:certificate-qr-png": Row(only(404, producer_a=200, staff=200, certifier=200), code),
    "catalog:certificate-qr-svg": Row(only(404, producer_a=200, staff=200, certifier=200), code),
    "catalog:staff-certification": Row(STAFF),
    # What imported records lack: staff who may change products and organisations (the Sở Công Thương group).
    "catalog:staff-to-complete": Row(STAFF),
    "catalog:staff-to-complete-kind": (
        Row(STAFF, lambda w: {"kind": "ward"}, variant="a-kind"),
        Row(STAFF, lambda w: {"kind": "photo"}, query=lambda w: {"page": "9"}, variant="past-the-last-page"),
        Row(only(403, anonymous=LOGIN, staff=404, certifier=404), lambda w: {"kind": "nothing"}, variant="unknown"),
    ),
    # Staff import of the province's list
    "catalog:staff-import": Row(STAFF),
    "catalog:staff-import-template": Row(STAFF),
    "catalog:staff-import-batch": Row(STAFF, pk("import_batch")),
    "catalog:staff-import-confirm": Row(only(403, anonymous=LOGIN, staff=405, certifier=405), pk("import_batch")),
    "catalog:staff-import-progress": Row(STAFF, pk("import_batch")),
    "catalog:staff-import-choose": Row(only(403, anonymous=LOGIN, staff=405, certifier=405), pk("import_batch")),
    # Reports: the public statistics, the staff dashboard; an unpublished event report exists for staff only.
    "reports:statistics": (
        Row(EVERYONE),
        Row(EVERYONE, query=lambda w: {"province": "92"}, variant="a-province"),
    ),
    "reports:staff-dashboard": (
        Row(STAFF),
        Row(
            STAFF,
            query=lambda w: {"date_from": "2026-01-01", "date_to": "2026-12-31", "province": "92"},
            variant="a-period",
        ),
    ),
    "reports:event-report": Row(only(404, staff=200, certifier=200), event_slug),
    # Published data: open to anyone, with the catalogue's filters
    "reports:catalogue-csv": (
        Row(EVERYONE),
        Row(EVERYONE, query=lambda w: {"q": "trà", "stars": "4"}, variant="filtered"),
    ),
    "reports:catalogue-xlsx": Row(EVERYONE),
    "reports:certificate-register": Row(EVERYONE),
    "reports:certificate-register-csv": Row(EVERYONE),
    "reports:certificate-register-xlsx": Row(EVERYONE),
    # The full file of a long list: anyone may ask (the world's lists are short, so it is the download at once);
    # an export's page and file are public to whoever has its address.
    "reports:export-new": (
        Row(only(to("reports:catalogue-csv")), query=lambda w: {"kind": "catalogue", "fmt": "csv"}),
        Row(only(400), variant="no-list"),
    ),
    "reports:export-detail": Row(EVERYONE, pk("data_export")),
    "reports:export-download": Row(EVERYONE, pk("data_export")),
    "reports:export-retry": Row(only(405), pk("data_export")),
    "reports:open-data": Row(EVERYONE),
    "reports:open-data-products": (
        Row(EVERYONE),
        Row(only(404), query=lambda w: {"page": "999"}, variant="no-such-page"),
    ),
    "reports:open-data-schema": Row(EVERYONE),
    "reports:event-report-csv": Row(STAFF, event_slug),
    "reports:event-report-xlsx": Row(STAFF, event_slug),
    # Matchmaking: the buying side
    "matchmaking:buyer-profile": Row(BUYERS),
    "matchmaking:shortlist": Row(BUYERS),
    "matchmaking:shortlist-add": Row(only(403, anonymous=LOGIN, buyer=405, other_buyer=405)),
    "matchmaking:shortlist-item": Row(BUYER_PRIVATE, pk("shortlist_item")),
    "matchmaking:profile-suggestions": Row(BUYERS),
    "matchmaking:producer-opportunities": Row(PRODUCERS),
    "matchmaking:request-list": Row(only(200, anonymous=LOGIN)),
    "matchmaking:request-create": Row(BUYERS),
    "matchmaking:request-detail": (
        Row(only(200, anonymous=LOGIN), pk("sourcing_request"), variant="open"),
        # Another buyer reads open requests only; verified producers and staff read every request.
        Row(only(200, anonymous=LOGIN, other_buyer=404), pk("closed_request"), variant="closed"),
    ),
    "matchmaking:request-status": Row(only(403, anonymous=LOGIN, buyer=405, other_buyer=405), pk("sourcing_request")),
    "matchmaking:offer-compare": Row(BUYER_PRIVATE, pk("sourcing_request")),
    "matchmaking:request-suggestions": Row(BUYER_PRIVATE, pk("sourcing_request")),
    # A public product's readiness: buyers against their own checklist, the product's own producer against a
    # buyer's; for anyone else it does not exist.
    "matchmaking:readiness": (
        Row(only(404, anonymous=LOGIN, producer_a=200, buyer=200, other_buyer=200), pk("product", "product_pk")),
        Row(
            only(404, anonymous=LOGIN, producer_a=200, buyer=200, other_buyer=200),
            pk("product", "product_pk"),
            query=lambda w: {"buyer": w.buyer.pk},
            variant="against-a-buyer",
        ),
    ),
    # Matchmaking: meetings
    "matchmaking:meeting-inbox": Row(
        only(403, anonymous=LOGIN, producer_a=200, producer_b=200, buyer=200, other_buyer=200)
    ),
    "matchmaking:meeting-create": (
        # Without the other side named, the page says how to choose one (400).
        Row(only(400, anonymous=LOGIN, staff=403, certifier=403), variant="nobody"),
        Row(
            only(400, anonymous=LOGIN, buyer=200, other_buyer=200, staff=403, certifier=403),
            query=lambda w: {"producer": w.producer_a.pk},
            variant="a-producer",
        ),
    ),
    "matchmaking:meeting-detail": Row(MEETING_SIDES, pk("meeting")),
    "matchmaking:meeting-ics": Row(MEETING_SIDES, pk("past_meeting")),
    "matchmaking:meeting-outcome": Row(MEETING_SIDES, pk("past_meeting")),
    "matchmaking:meeting-action": Row(
        only(405, anonymous=LOGIN, certifier=403), lambda w: {"pk": w.meeting.pk, "action": "accept"}
    ),
    # Matchmaking: meetings at an event
    "matchmaking:event-meetings-setup": Row(STAFF, event_slug),
    "matchmaking:event-meetings-availability": Row(only(403, anonymous=LOGIN, producer_a=200, buyer=200), event_slug),
    "matchmaking:event-meetings-board": Row(STAFF, event_slug),
    "matchmaking:event-meetings-run": Row(only(403, anonymous=LOGIN, staff=405, certifier=405), event_slug),
    "matchmaking:event-meetings-move": Row(
        only(403, anonymous=LOGIN, staff=405, certifier=405),
        lambda w: {"slug": w.event.slug, "pk": w.event_meeting.pk},
    ),
    # Each organisation sees its own schedule (empty when it has no meeting).
    "matchmaking:event-my-schedule": Row(only(200, anonymous=LOGIN, certifier=403), event_slug),
    "matchmaking:event-my-schedule-ics": Row(only(200, anonymous=LOGIN, certifier=403), event_slug),
    # Events and the MoU registry
    "events:event-list": Row(EVERYONE),
    "events:mou-list": Row(EVERYONE),
    "events:mou-detail": Row(EVERYONE, pk("mou")),
    "events:mou-document": Row(only(404, producer_a=200, buyer=200, staff=200, certifier=200), pk("mou")),
    "events:event-detail": (
        Row(EVERYONE, event_slug, variant="published"),
        Row(only(404, staff=200, certifier=200), lambda w: {"slug": w.draft_event.slug}, variant="draft"),
    ),
    "events:event-agenda": (
        Row(EVERYONE, event_slug, variant="published"),
        Row(only(404, staff=200, certifier=200), lambda w: {"slug": w.draft_event.slug}, variant="draft"),
    ),
    "events:event-participants": Row(EVERYONE, event_slug),
    "events:event-register": Row(
        only(
            200,
            anonymous=LOGIN,
            producer_a=to("events:my-registration", event_slug),
            buyer=to("events:my-registration", event_slug),
            certifier=403,
        ),
        event_slug,
    ),
    "events:my-registration": Row(REGISTRANTS, event_slug),
    "events:registration-cancel": Row(REGISTRANTS, event_slug),
    "events:staff-checkin": (
        Row(STAFF, event_slug),
        Row(STAFF, event_slug, query=lambda w: {"q": "Nhà sản xuất", "status": "confirmed"}, variant="search"),
    ),
    "events:staff-checkin-registration": Row(STAFF, lambda w: {"slug": w.event.slug, "code": w.registration_a.code}),
    "events:staff-registration-decide": Row(
        only(403, anonymous=LOGIN, staff=405, certifier=405),
        lambda w: {"slug": w.event.slug, "pk": w.registration_a.pk},
    ),
    # Accounts
    "accounts:signup": Row(EVERYONE),
    "accounts:signup-kind": (
        Row(only(TO_DASHBOARD, anonymous=200), lambda w: {"kind": "producer"}, variant="producer"),
        Row(only(404), lambda w: {"kind": "agency"}, variant="not-a-kind"),
    ),
    "accounts:login": Row(only(TO_DASHBOARD, anonymous=200)),
    "accounts:logout": Row(only(405)),
    "accounts:password-change": Row(only(200, anonymous=LOGIN)),
    "accounts:password-reset": Row(EVERYONE),
    "accounts:password-reset-done": Row(EVERYONE),
    "accounts:password-reset-confirm": (
        Row(EVERYONE, lambda w: {"uidb64": "MQ", "token": "bad-token"}, variant="bad-link"),
        Row(
            only(
                to(
                    "accounts:password-reset-confirm",
                    lambda w: {"uidb64": reset_link(w)["uidb64"], "token": "set-password"},
                )
            ),
            reset_link,
            variant="good-link",
        ),
    ),
    "accounts:password-reset-complete": Row(EVERYONE),
    "accounts:dashboard": Row(only(200, anonymous=LOGIN, certifier=to("accounts:staff-organisations"))),
    "accounts:organisation-edit": Row(only(200, anonymous=LOGIN, certifier=403)),
    "accounts:staff-organisations": (
        Row(STAFF),
        Row(STAFF, query=lambda w: {"q": "Nhà sản xuất", "kind": "producer"}, variant="search"),
    ),
    "accounts:acting-start": Row(only(405), pk("producer_a")),
    "accounts:acting-stop": Row(only(405)),
    "accounts:ward-options": Row(EVERYONE, query=lambda w: {"province": "92"}),
}

# --- The admin ------------------------------------------------------------------------------------------------

# Every registered model: the object its change page shows, and what staff without "certify" and the council
# member get on its changelist and change page (403 where their groups hold no permission on the model).
ADMIN_MODELS: dict[str, tuple[Callable[[World], object], int, int]] = {
    "auth_group": (lambda w: w.staff_group.pk, 403, 403),
    "accounts_user": (lambda w: w.users["producer_a"].pk, 200, 200),
    "accounts_organisation": (lambda w: w.producer_a.pk, 200, 200),
    "accounts_province": (lambda w: w.producer_a.province_id, 200, 200),
    "accounts_ward": (lambda w: w.producer_a.ward_id, 200, 200),
    "accounts_legacyward": (lambda w: w.legacy_ward.pk, 200, 200),
    "accounts_actionrecord": (lambda w: w.action_record.pk, 200, 200),
    "catalog_ruleset": (lambda w: w.cycle.rule_set_id, 200, 200),
    "catalog_productgroup": (lambda w: w.product.subgroup.group_id, 200, 200),
    "catalog_productsubgroup": (lambda w: w.product.subgroup_id, 200, 200),
    "catalog_producerprofile": (lambda w: w.producer_a.pk, 200, 200),
    "catalog_product": (lambda w: w.product.pk, 200, 200),
    "catalog_evaluationcycle": (lambda w: w.cycle.pk, 200, 200),
    "catalog_application": (lambda w: w.application.pk, 200, 200),
    "catalog_score": (lambda w: w.score.pk, 200, 200),
    "catalog_certificate": (lambda w: w.certificate.pk, 200, 200),
    "events_event": (lambda w: w.event.pk, 200, 200),
    "events_session": (lambda w: w.session.pk, 200, 200),
    "events_registration": (lambda w: w.registration_a.pk, 200, 200),
    "events_mou": (lambda w: w.mou.pk, 200, 200),
    "matchmaking_buyerprofile": (lambda w: w.buyer_profile.pk, 200, 200),
    "matchmaking_sourcingrequest": (lambda w: w.sourcing_request.pk, 200, 200),
    "matchmaking_meetingrequest": (lambda w: w.meeting.pk, 200, 200),
    "matchmaking_meetingslot": (lambda w: w.slot.pk, 200, 200),
    "matchmaking_meetingtable": (lambda w: w.table.pk, 200, 200),
    "matchmaking_eventmeeting": (lambda w: w.event_meeting.pk, 200, 200),
    # Buyers' private shortlists are not for staff to browse.
    "matchmaking_shortlistitem": (lambda w: w.shortlist_item.pk, 403, 403),
    # Sign-in records (django-axes): the system administrator's.
    "axes_accessattempt": (lambda w: w.access_attempt.pk, 403, 403),
    "axes_accesslog": (lambda w: w.access_log.pk, 403, 403),
    "axes_accessfailurelog": (lambda w: w.access_failure.pk, 403, 403),
    # The task queue and the emails it sends: staff watch them (and retry a failed job) in the admin.
    "core_outgoingemail": (lambda w: w.outgoing_email.pk, 200, 200),
    "procrastinate_procrastinatejob": (lambda w: w.queued_job, 200, 200),
    # The files of long lists the workers prepared.
    "reports_dataexport": (lambda w: w.data_export.pk, 200, 200),
}


def admin_only(staff, certifier=None) -> dict:
    return only(ADMIN_LOGIN, staff=staff, certifier=staff if certifier is None else certifier)


def object_id(getter):
    return lambda w: {"object_id": getter(w)}


def application_step(name: str) -> Callable[[World], dict]:
    return lambda w: {"object_id": getattr(w, name).pk}


ADMIN_MATRIX: dict[str, Row | tuple[Row, ...]] = {
    "admin:index": Row(admin_only(200)),
    "admin:login": Row(only(200, staff=to("admin:index"), certifier=to("admin:index"))),
    "admin:app_list": Row(admin_only(200), lambda w: {"app_label": "catalog"}),
    # The certification workflow: reviewing is for all staff, scoring and deciding for the council.
    "admin:catalog_application_review": Row(admin_only(200), application_step("submitted_app")),
    "admin:catalog_application_return": Row(admin_only(200), application_step("submitted_app")),
    "admin:catalog_application_score": Row(admin_only(403, 200), application_step("review_app")),
    "admin:catalog_application_finish": Row(admin_only(403, 200), application_step("review_app")),
    "admin:catalog_application_reopen": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_application_propose": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_application_recognise": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_application_reject": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_certificate_revoke": Row(admin_only(403, 200), lambda w: {"object_id": w.certificate.pk}),
}
ADMIN_GENERATED_ROWS = {"admin:index", "admin:login", "admin:app_list"}
for _model, (_object, _staff, _certifier) in ADMIN_MODELS.items():
    ADMIN_MATRIX[f"admin:{_model}_changelist"] = Row(admin_only(_staff, _certifier))
    ADMIN_MATRIX[f"admin:{_model}_change"] = Row(admin_only(_staff, _certifier), object_id(_object))
    ADMIN_GENERATED_ROWS |= {f"admin:{_model}_changelist", f"admin:{_model}_change"}

# Admin URLs every ModelAdmin and the admin site generate, covered by the family's rule rather than a row each.
ADMIN_SITE_GENERIC = {"logout", "password_change", "password_change_done", "autocomplete", "jsi18n", "view_on_site"}
ADMIN_MODEL_GENERIC = re.compile(r"^(?P<model>[a-z]+_[a-z]+)_(add|delete|history|simple_history|password_change)$")
ADMIN_MODEL_ALIASES = {"auth_user": "accounts_user"}  # UserAdmin names its password page after auth.User

# --- POST: every view that takes a POST, as each role, with an empty (or minimal) form ------------------------

POST_MATRIX: dict[str, Row | tuple[Row, ...]] = {
    # An invalid form comes back with its errors (200, or 400 where the view says so); success redirects.
    "catalog:my-product-create": Row(PRODUCERS),
    "catalog:my-product-edit": Row(A_PRIVATE, pk("draft_product")),
    "catalog:my-product-photos": Row(only(403, anonymous=LOGIN, producer_a=400, producer_b=404), pk("product")),
    "catalog:my-photo-move": Row(A_PRIVATE_ACTION, product_photo, data=lambda w: {"direction": "up"}),
    "catalog:my-photo-primary": Row(A_PRIVATE_ACTION, product_photo),
    "catalog:my-photo-delete": Row(A_PRIVATE_ACTION, product_photo),
    "catalog:my-product-status": Row(A_PRIVATE_ACTION, lambda w: {"pk": w.draft_product.pk, "action": "publish"}),
    "catalog:my-profile": Row(PRODUCERS),
    "catalog:my-application-create": Row(PRODUCERS),
    "catalog:my-application-detail": Row(A_PRIVATE_ACTION, pk("application")),
    "catalog:my-application-submit": Row(A_PRIVATE_ACTION, pk("application")),
    "catalog:my-document-delete": Row(A_PRIVATE_ACTION, app_document),
    "catalog:staff-import": Row(STAFF),
    "catalog:staff-import-confirm": Row(
        only(403, anonymous=LOGIN, staff=REDIRECT, certifier=REDIRECT), pk("import_batch")
    ),
    # No row of the batch waits for a choice: an empty answer comes back with its message.
    "catalog:staff-import-choose": Row(only(403, anonymous=LOGIN, staff=400, certifier=400), pk("import_batch")),
    # An empty request names no list (400); a ready export is not started again (back to its page).
    "reports:export-new": Row(only(400)),
    "reports:export-retry": Row(only(REDIRECT), pk("data_export")),
    "matchmaking:buyer-profile": Row(only(403, anonymous=LOGIN, buyer=400, other_buyer=400)),
    "matchmaking:shortlist-add": Row(only(403, anonymous=LOGIN, buyer=REDIRECT, other_buyer=REDIRECT)),
    "matchmaking:shortlist-item": Row(
        only(403, anonymous=LOGIN, buyer=REDIRECT, other_buyer=404), pk("shortlist_item")
    ),
    "matchmaking:request-create": Row(only(403, anonymous=LOGIN, buyer=400, other_buyer=400)),
    # Only verified producers send offers; the request's own buyer, other buyers and staff may not.
    "matchmaking:request-detail": Row(
        only(403, anonymous=LOGIN, producer_a=400, producer_b=400), pk("sourcing_request")
    ),
    "matchmaking:request-status": Row(
        only(403, anonymous=LOGIN, buyer=REDIRECT, other_buyer=404),
        pk("sourcing_request"),
        data=lambda w: {"status": "closed"},
    ),
    "matchmaking:meeting-create": Row(only(400, anonymous=LOGIN, staff=403, certifier=403)),
    "matchmaking:meeting-detail": Row(
        only(404, anonymous=LOGIN, producer_a=400, buyer=400, certifier=403), pk("meeting")
    ),
    # The buyer asked: only A may accept; the buyer's own "accept" is refused (403).
    "matchmaking:meeting-action": Row(
        only(404, anonymous=LOGIN, producer_a=400, buyer=403, certifier=403),
        lambda w: {"pk": w.meeting.pk, "action": "accept"},
    ),
    "matchmaking:meeting-outcome": Row(
        only(404, anonymous=LOGIN, producer_a=400, buyer=400, certifier=403), pk("past_meeting")
    ),
    "matchmaking:event-meetings-setup": Row(STAFF, event_slug),
    "matchmaking:event-meetings-availability": Row(
        only(403, anonymous=LOGIN, producer_a=REDIRECT, buyer=REDIRECT), event_slug
    ),
    "matchmaking:event-meetings-run": Row(only(403, anonymous=LOGIN, staff=REDIRECT, certifier=REDIRECT), event_slug),
    "matchmaking:event-meetings-move": Row(
        only(403, anonymous=LOGIN, staff=REDIRECT, certifier=REDIRECT),
        lambda w: {"slug": w.event.slug, "pk": w.event_meeting.pk},
    ),
    # Follow-up notes: the MoU's parties and staff; other organisations are refused.
    "events:mou-detail": Row(
        only(403, anonymous=LOGIN, producer_a=400, buyer=400, staff=400, certifier=400), pk("mou")
    ),
    "events:event-register": Row(only(400, anonymous=LOGIN, certifier=403), event_slug),
    "events:registration-cancel": Row(
        only(404, anonymous=LOGIN, producer_a=REDIRECT, buyer=REDIRECT, certifier=403), event_slug
    ),
    "events:staff-checkin-registration": Row(
        only(403, anonymous=LOGIN, staff=REDIRECT, certifier=REDIRECT),
        lambda w: {"slug": w.event.slug, "code": w.registration_a.code},
    ),
    "events:staff-registration-decide": Row(
        only(403, anonymous=LOGIN, staff=400, certifier=400),
        lambda w: {"slug": w.event.slug, "pk": w.registration_a.pk},
    ),
    "accounts:signup-kind": Row(only(TO_DASHBOARD, anonymous=200), lambda w: {"kind": "buyer"}),
    "accounts:login": Row(only(TO_DASHBOARD, anonymous=200)),
    "accounts:logout": Row(only(to("home"))),
    "accounts:password-change": Row(only(200, anonymous=LOGIN)),
    "accounts:password-reset": Row(EVERYONE),
    "accounts:password-reset-confirm": Row(EVERYONE, lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "accounts:organisation-edit": Row(only(200, anonymous=LOGIN, certifier=403)),
    "accounts:acting-start": Row(only(403, staff=TO_DASHBOARD, certifier=TO_DASHBOARD), pk("producer_a")),
    "accounts:acting-stop": Row(
        only(
            to("home"),
            anonymous=403,
            staff=to("accounts:staff-organisations"),
            certifier=to("accounts:staff-organisations"),
        )
    ),
    # The admin's workflow pages: an empty form is invalid (200) or, for a confirmation, carried out (302).
    "admin:catalog_application_review": Row(admin_only(REDIRECT), application_step("submitted_app")),
    "admin:catalog_application_return": Row(admin_only(200), application_step("submitted_app")),
    "admin:catalog_application_score": Row(admin_only(403, 200), application_step("review_app")),
    "admin:catalog_application_finish": Row(admin_only(403, REDIRECT), application_step("review_app")),
    "admin:catalog_application_reopen": Row(admin_only(403, REDIRECT), application_step("scored_app")),
    # 75 points is no 5-star candidate: the service refuses and the page says why.
    "admin:catalog_application_propose": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_application_recognise": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_application_reject": Row(admin_only(403, 200), application_step("scored_app")),
    "admin:catalog_certificate_revoke": Row(admin_only(403, 200), lambda w: {"object_id": w.certificate.pk}),
}

# Function views cannot be asked which methods they take: each is listed here.
FUNCTION_VIEWS_TAKING_POST = {"accounts:acting-start", "accounts:acting-stop"}
FUNCTION_VIEWS_GET_ONLY = {"healthz", "accounts:ward-options"}


# --- Walking the URL conf -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str | None
    route: str
    callback: Callable = field(compare=False)


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the portal, named `namespace:name`, the i18n prefix included (as Django lists it)."""
    found = []

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                found.append(Endpoint(name, prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver(), "", None)
    return found


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


def admin_rule_covers(name: str) -> bool:
    """Generated admin URLs of the site and of a registered model with rows in ADMIN_MODELS."""
    short = name.removeprefix("admin:")
    if short in ADMIN_SITE_GENERIC:
        return True
    match = ADMIN_MODEL_GENERIC.match(short)
    return bool(match) and ADMIN_MODEL_ALIASES.get(match["model"], match["model"]) in ADMIN_MODELS


def accepts_post(callback) -> bool | None:
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return None
    return "post" in view_class.http_method_names and hasattr(view_class, "post")


# --- The completeness checks ----------------------------------------------------------------------------------


def test_every_url_has_a_row():
    """A new URL without a row in MATRIX (or, in the admin, in ADMIN_MATRIX or the admin rule) fails here."""
    names = {endpoint.name for endpoint in endpoints() if endpoint.name}
    missing = sorted(
        name
        for name in names
        if name not in MATRIX and name not in ADMIN_MATRIX and not (is_admin(name) and admin_rule_covers(name))
    )
    assert not missing, f"URLs without a row in the permission matrix: {', '.join(missing)}"
    stale = sorted((set(MATRIX) | set(ADMIN_MATRIX) | set(POST_MATRIX)) - names)
    assert not stale, f"Rows for URLs that no longer exist: {', '.join(stale)}"


def test_every_unnamed_url_is_the_admins_or_the_development_media():
    """A URL without a name cannot have a row: only the admin's own redirects and DEBUG media serving may."""
    unnamed = [endpoint.route for endpoint in endpoints() if not endpoint.name]
    others = [route for route in unnamed if not (route.startswith("admin/") or route.startswith("media/"))]
    assert not others, f"URLs without a name (give them one and a row): {others}"


def test_every_view_taking_a_post_has_a_post_row():
    """Outside the admin, every view with a POST handler; in the admin, every custom page (they are all forms)."""
    missing, unknown = [], []
    for endpoint in endpoints():
        name = endpoint.name
        if not name:
            continue
        if is_admin(name):
            takes_post = name in ADMIN_MATRIX and name not in ADMIN_GENERATED_ROWS
        else:
            takes_post = accepts_post(endpoint.callback)
            if takes_post is None:
                if name not in FUNCTION_VIEWS_TAKING_POST | FUNCTION_VIEWS_GET_ONLY:
                    unknown.append(name)
                takes_post = name in FUNCTION_VIEWS_TAKING_POST
        if takes_post and name not in POST_MATRIX:
            missing.append(name)
    assert not unknown, f"Function views to list in FUNCTION_VIEWS_TAKING_POST or _GET_ONLY: {unknown}"
    assert not missing, f"Views taking a POST without a row in POST_MATRIX: {', '.join(sorted(missing))}"


# --- The matrix itself ----------------------------------------------------------------------------------------


def cases(table):
    for name, rows in table.items():
        for row in rows if isinstance(rows, tuple) else (rows,):
            for role in ROLES:
                label = f"{name}/{row.variant}" if row.variant else name
                yield pytest.param(name, row, role, id=f"{label}-{role}")


def request_as(client, world: World, role: str, method: str, name: str, row: Row):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    path = reverse(name, kwargs=row.kwargs(world))
    if method == "get":
        response = client.get(path, row.query(world) if row.query else None)
    else:
        response = client.post(path, row.data(world))
    return path, response


def assert_answer(response, expected, *, world: World, path: str, what: str):
    status, location = response.status_code, response.get("Location", "")
    got = f"{status} {location}".strip()
    if isinstance(expected, int):
        assert status == expected, f"{what}: expected {expected}, got {got}"
        return
    assert status == 302, f"{what}: expected {expected!r}, got {got}"
    target = urlsplit(location)
    if expected is LOGIN or expected is ADMIN_LOGIN:
        login = resolve_url(settings.LOGIN_URL) if expected is LOGIN else reverse("admin:login")
        assert target.path == login, f"{what}: expected {expected!r}, got {got}"
        query = response.request.get("QUERY_STRING", "")
        here = f"{path}?{query}" if query else path
        assert parse_qs(target.query).get("next") == [here], f"{what}: the login page must come back to {here}"
    elif expected is REDIRECT:
        logins = {resolve_url(settings.LOGIN_URL), reverse("admin:login")}
        assert target.path not in logins, f"{what}: expected a redirect, got one to the login page ({got})"
    else:
        assert target.path == expected.path(world), f"{what}: expected {expected!r}, got {got}"


@pytest.mark.parametrize(("name", "row", "role"), [*cases(MATRIX), *cases(ADMIN_MATRIX)])
def test_get(client, world, name, row, role):
    path, response = request_as(client, world, role, "get", name, row)
    assert_answer(response, row.expected[role], world=world, path=path, what=f"GET {path} as {role}")


@pytest.mark.parametrize(("name", "row", "role"), list(cases(POST_MATRIX)))
def test_post(client, world, name, row, role):
    path, response = request_as(client, world, role, "post", name, row)
    assert_answer(response, row.expected[role], world=world, path=path, what=f"POST {path} as {role}")


# The English pages answer the same: a sample of private, staff and admin pages under /en/.
ENGLISH_SAMPLE = [
    "catalog:my-product-edit",
    "catalog:application-document",
    "matchmaking:meeting-detail",
    "events:mou-document",
    "accounts:dashboard",
    "admin:index",
]


@pytest.mark.parametrize(
    ("name", "row", "role"),
    list(cases({name: {**MATRIX, **ADMIN_MATRIX}[name] for name in ENGLISH_SAMPLE})),
)
def test_get_in_english(client, world, name, row, role):
    with translation.override("en"):
        path, response = request_as(client, world, role, "get", name, row)
        assert path.startswith("/en/")
        assert_answer(response, row.expected[role], world=world, path=path, what=f"GET {path} as {role}")


# --- Static files, media, health ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_static_files_are_public(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    response = client.get(f"{settings.STATIC_URL}css/portal.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_private_files_are_out_of_the_media_servers_reach(world, rf):
    """Dossier documents and signed MoUs live outside MEDIA_ROOT: even the development media server cannot reach
    them (and a production proxy serving MEDIA_ROOT cannot either)."""
    for field_file in (world.document.file, world.mou.document):
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / field_file.name).is_file()
        with pytest.raises(Http404):
            serve(rf.get("/"), field_file.name, document_root=settings.MEDIA_ROOT)
    assert not Path(settings.PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


# --- Private objects in public lists and files ----------------------------------------------------------------

PUBLIC_LISTINGS = [
    ("home", None, None),
    ("catalog:product-list", None, None),
    ("catalog:product-list", None, {"q": "Bánh pía nháp"}),
    ("catalog:producer-detail", "producer_a", None),
    ("reports:catalogue-csv", None, None),
    ("reports:certificate-register", None, None),
    ("reports:certificate-register-csv", None, None),
    ("reports:open-data-products", None, None),
]


@pytest.mark.parametrize(("name", "owner", "query"), PUBLIC_LISTINGS)
def test_public_lists_and_files_show_the_published_product_and_never_the_draft(client, world, name, owner, query):
    """The draft exists only in its producer's workspace: no public page or download names it."""
    path = reverse(name, args=[getattr(world, owner).pk] if owner else None)
    response = client.get(path, query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    if not query:
        assert world.product.name in text, f"{path} should list the published, certified product"
    assert world.draft_product.name not in text, f"{path} names a draft product"


# --- Privileges in the admin ----------------------------------------------------------------------------------


def test_staff_cannot_raise_privileges_through_the_user_admin(client, world):
    """Staff who may change users (to help producers) cannot make anyone staff, superuser or a council member."""
    producer = world.users["producer_a"]
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("admin:accounts_user_change", args=[producer.pk]),
        {
            "email": producer.email,
            "full_name": producer.full_name,
            "phone": "",
            "organisation": producer.organisation_id,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=CERTIFYING_GROUP_NAME).pk],
        },
    )
    assert response.status_code in (200, 302)
    producer.refresh_from_db()
    assert not producer.is_staff
    assert not producer.is_superuser
    assert not producer.groups.exists()
    assert not producer.has_perm("catalog.certify")


@pytest.mark.parametrize("target", ["certifier", "staff"])
def test_staff_cannot_change_a_staff_members_account_or_password(client, world, target):
    """Whoever could reset a council member's password could sign in and certify: staff accounts are the
    superusers' to change."""
    member = world.users[target]
    client.force_login(world.users["staff"])
    password_page = reverse("admin:auth_user_password_change", args=[member.pk])
    assert client.get(password_page).status_code == 403
    response = client.post(password_page, {"password1": "a-new-Passw0rd-2026", "password2": "a-new-Passw0rd-2026"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.check_password("a-new-Passw0rd-2026")
    # The account stays visible, read-only.
    assert client.get(reverse("admin:accounts_user_change", args=[member.pk])).status_code == 200


def test_staff_cannot_set_a_producers_password_either(client, world):
    """Setting it would let staff sign in as the member outside acting on behalf and its audit trail: only a
    superuser may (tests/security/test_staff_over_superuser.py); staff send a password reset."""
    producer = world.users["producer_a"]
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("admin:auth_user_password_change", args=[producer.pk]),
        {"password1": "a-new-Passw0rd-2026", "password2": "a-new-Passw0rd-2026"},
    )
    assert response.status_code == 403
    producer.refresh_from_db()
    assert not producer.check_password("a-new-Passw0rd-2026")
