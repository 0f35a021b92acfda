"""Shared objects for the permission matrix and the form fuzzing: one small world, built once per module.

Producer A owns every private object (a draft product, an application and its document, a registration, an
MoU, meetings…); producer B, the buyers and the staff are the "wrong users" of each. The buyer owns the buying
side (its profile, shortlist, sourcing requests); the other buyer is the wrong user there.

The world is built inside a transaction that is rolled back when the module ends, and each test runs in a
savepoint of its own (pytest-django's `db`), so what one test changes is gone before the next.
"""

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import ActionRecord, LegacyWard, Organisation, User
from accounts.permissions_setup import STAFF_GROUP_NAME
from accounts.roles import Actor
from catalog import services as catalog_services
from catalog.models import (
    Application,
    ApplicationDocument,
    EvaluationCycle,
    ImportBatch,
    Product,
    RuleSet,
    Score,
)
from catalog.storage import private_storage
from core.models import OutgoingEmail
from core.tasks import email_deliver
from events import services as event_services
from events.models import Event, MoU, Registration, Session
from matchmaking.models import BuyerProfile, EventMeeting, MeetingRequest, MeetingSlot, MeetingTable, SourcingRequest
from reports.models import DataExport
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, jpeg_upload
from tests.events.factories import EventFactory
from tests.matchmaking.factories import (
    BuyerFactory,
    BuyerProfileFactory,
    MeetingRequestFactory,
    OfferFactory,
    ShortlistItemFactory,
    SourcingRequestFactory,
)

CERTIFYING_GROUP_NAME = "Hội đồng đánh giá OCOP"
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ("anonymous", "producer_a", "producer_b", "buyer", "other_buyer", "staff", "certifier")


class World:
    """The users of each role and the objects the URLs point at (`world.product`, `world.users["buyer"]`)."""

    def __init__(self, *, users: dict[str, User | None], objects: dict[str, object]):
        self.users = users
        self.objects = objects

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        # Short, so that a failing example's report shows the input rather than the whole world.
        return f"World({len(self.users)} roles, {len(self.objects)} objects)"


def _build_world() -> World:
    now = timezone.now()
    today = timezone.localdate()

    producer_a = ProducerFactory(name="Hợp tác xã Nhà sản xuất A", legal_form="cooperative")
    producer_b = ProducerFactory(name="Hộ kinh doanh Nhà sản xuất B")
    buyer = BuyerFactory(name="Siêu thị Người mua")
    other_buyer = BuyerFactory(name="Siêu thị Người mua khác")
    agency = OrganisationFactory(kind=Organisation.Kind.AGENCY, is_verified=True, name="Sở Công Thương thử")

    staff_group = Group.objects.get(name=STAFF_GROUP_NAME)
    certifying_group = Group.objects.get(name=CERTIFYING_GROUP_NAME)
    users = {
        "anonymous": None,
        "producer_a": UserFactory(organisation=producer_a, full_name="Người sản xuất A"),
        "producer_b": UserFactory(organisation=producer_b, full_name="Người sản xuất B"),
        "buyer": UserFactory(organisation=buyer, full_name="Người mua"),
        "other_buyer": UserFactory(organisation=other_buyer, full_name="Người mua khác"),
        # As in the demo: the staff member belongs to the agency; the council member to no organisation.
        "staff": UserFactory(is_staff=True, organisation=agency, full_name="Cán bộ Sở"),
        "certifier": UserFactory(is_staff=True, full_name="Thành viên Hội đồng"),
    }
    users["staff"].groups.add(staff_group)
    users["certifier"].groups.add(staff_group, certifying_group)
    actor_a = Actor(user=users["producer_a"], organisation=producer_a)
    staff_actor = Actor(user=users["staff"], organisation=None)

    # The catalogue: a published certified product with a photo, a draft, and producer B's product.
    product = ProductFactory(producer=producer_a, name="Trà mãng cầu A", gtin="8938505974191")
    certificate = certify(product)
    photo = catalog_services.photo_add(actor=actor_a, product=product, upload=jpeg_upload(size=(64, 48)))
    draft_product = ProductFactory(
        producer=producer_a, name="Bánh pía nháp A", status=Product.Status.DRAFT, published_at=None
    )
    product_b = ProductFactory(producer=producer_b, name="Mắm cá lóc B")

    # OCOP applications: A's draft with one document, and three more at the steps of the staff workflow.
    cycle = EvaluationCycle.objects.create(
        year=today.year,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )
    application = catalog_services.application_create(actor=actor_a, product=draft_product, cycle=cycle)
    document = catalog_services.document_add(
        actor=actor_a,
        application=application,
        kind=ApplicationDocument.Kind.REGISTRATION_FORM,
        upload=SimpleUploadedFile("don-dang-ky.pdf", TINY_PDF, content_type="application/pdf"),
    )
    submitted_app = Application.objects.create(
        product=ProductFactory(producer=producer_a), cycle=cycle, status=Application.Status.SUBMITTED, submitted_at=now
    )
    review_app = Application.objects.create(
        product=ProductFactory(producer=producer_a),
        cycle=cycle,
        status=Application.Status.UNDER_REVIEW,
        submitted_at=now,
    )
    scored_app = Application.objects.create(
        product=ProductFactory(producer=producer_a),
        cycle=cycle,
        status=Application.Status.SCORED,
        submitted_at=now,
        total_score=Decimal("75.0"),
    )
    score = Score.objects.create(
        application=review_app,
        scorer=users["certifier"],
        section_a=Decimal("30"),
        section_b=Decimal("20"),
        section_c=Decimal("25"),
    )

    # An event A and the buyer registered for, its agenda, one placed meeting, and a draft event.
    def local(days: int, hour: int) -> datetime.datetime:
        # Fixed hours, so that forms can aim inside the event whatever the time of the run.
        return datetime.datetime.combine(
            today + datetime.timedelta(days=days), datetime.time(hour), tzinfo=timezone.get_current_timezone()
        )

    event = EventFactory(name="Hội nghị kết nối cung cầu thử", starts_at=local(21, 8), ends_at=local(21, 17))
    draft_event = EventFactory(status=Event.Status.DRAFT, starts_at=local(30, 8), ends_at=local(30, 17))
    session = Session.objects.create(
        event=event, starts_at=event.starts_at, ends_at=event.starts_at + datetime.timedelta(hours=2), title="Phiên 1"
    )
    registration_a = Registration.objects.create(
        event=event,
        organisation=producer_a,
        participation=Registration.Participation.EXHIBITOR,
        status=Registration.Status.CONFIRMED,
        registered_by=users["producer_a"],
    )
    registration_buyer = Registration.objects.create(
        event=event,
        organisation=buyer,
        participation=Registration.Participation.BUYER,
        status=Registration.Status.CONFIRMED,
        registered_by=users["buyer"],
    )
    slot = MeetingSlot.objects.create(
        event=event,
        starts_at=event.starts_at + datetime.timedelta(hours=5),
        ends_at=event.starts_at + datetime.timedelta(hours=5, minutes=20),
    )
    table = MeetingTable.objects.create(event=event, number=1)
    event_request = MeetingRequestFactory(
        buyer=buyer,
        producer=producer_a,
        event=event,
        mode=MeetingRequest.Mode.AT_EVENT,
        online_link="",
        proposed_times=[],
        status=MeetingRequest.Status.ACCEPTED,
        created_by=users["buyer"],
    )
    event_meeting = EventMeeting.objects.create(
        request=event_request, event=event, slot=slot, table=table, buyer=buyer, producer=producer_a
    )

    # The MoU registry: a business MoU of A and the buyer, with its signed document.
    mou = event_services.mou_create(
        actor=staff_actor,
        parties=[producer_a, buyer],
        kind=MoU.Kind.BUSINESS,
        title="Biên bản ghi nhớ cung ứng trà mãng cầu",
        scope="Cung ứng trà mãng cầu cho hệ thống siêu thị.",
        signed_on=today - datetime.timedelta(days=30),
        value=150_000_000,
        event=event,
    )
    mou.document.save("bien-ban.pdf", ContentFile(TINY_PDF))

    # The buying side: the buyer's profile, shortlist, requests (one open, one closed) and A's offer.
    buyer_profile = BuyerProfileFactory(
        organisation=buyer, checklist=[BuyerProfile.Requirement.OCOP_CERTIFICATE, BuyerProfile.Requirement.PHOTOS]
    )
    sourcing_request = SourcingRequestFactory(buyer=buyer, created_by=users["buyer"])
    closed_request = SourcingRequestFactory(
        buyer=buyer, status=SourcingRequest.Status.CLOSED, created_by=users["buyer"]
    )
    offer = OfferFactory(
        request=sourcing_request, producer=producer_a, products=[product], created_by=users["producer_a"]
    )
    shortlist_item = ShortlistItemFactory(buyer=buyer, product=product_b)

    # Meetings of the buyer and A: one awaiting A's answer, one accepted that took place two days ago.
    meeting = MeetingRequestFactory(buyer=buyer, producer=producer_a, products=[product], created_by=users["buyer"])
    past_start = (now - datetime.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    past_meeting = MeetingRequestFactory(
        buyer=buyer,
        producer=producer_a,
        status=MeetingRequest.Status.ACCEPTED,
        proposed_times=[past_start],
        starts_at=past_start,
        ends_at=past_start + datetime.timedelta(minutes=30),
        created_by=users["buyer"],
    )

    action_record = ActionRecord.objects.create(actor=users["producer_a"], organisation=producer_a, verb="product_save")
    # Sign-in records of django-axes, for its admin pages.
    access = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "khach@example.vn", "http_accept": "*/*"}
    access_attempt = AccessAttempt.objects.create(
        **access, path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1
    )
    access_log = AccessLog.objects.create(**access, path_info="/accounts/login/")
    access_failure = AccessFailureLog.objects.create(**access, path_info="/accounts/login/")
    # A checked upload of the province's list, waiting for confirmation.
    import_batch = ImportBatch.objects.create(
        uploaded_by=users["staff"], original_name="danh-sach-ocop.xlsx", sha256="0" * 64, size=0, file_kind="xlsx"
    )
    # An email waiting in the task queue, for the admin's lists of outgoing emails and of jobs.
    outgoing_email = OutgoingEmail.objects.create(
        key="security-world",
        message_id="<security-world@ocop.localhost>",
        to=["khach@example.vn"],
        subject="Thư",
        body=".",
    )
    queued_job = email_deliver.defer(email_id=outgoing_email.pk)
    # The full file of a long list, prepared and ready to download.
    data_export = DataExport.objects.create(
        key="security-world",
        kind=DataExport.Kind.CATALOGUE,
        fmt=DataExport.Format.CSV,
        language="vi",
        status=DataExport.Status.READY,
        rows_total=1,
        rows_written=1,
        file=private_storage.save("exports/security-world.csv", ContentFile("\ufeffSản phẩm\n".encode())),
        size=16,
    )
    # Someone outside every role, whose password-reset link the matrix follows.
    reset_user = UserFactory(full_name="Người quên mật khẩu")

    return World(
        users=users,
        objects={
            "producer_a": producer_a,
            "producer_b": producer_b,
            "buyer": buyer,
            "other_buyer": other_buyer,
            "agency": agency,
            "staff_group": staff_group,
            "product": product,
            "photo": photo,
            "certificate": certificate,
            "draft_product": draft_product,
            "product_b": product_b,
            "cycle": cycle,
            "application": application,
            "document": document,
            "submitted_app": submitted_app,
            "review_app": review_app,
            "scored_app": scored_app,
            "score": score,
            "event": event,
            "draft_event": draft_event,
            "session": session,
            "registration_a": registration_a,
            "registration_buyer": registration_buyer,
            "slot": slot,
            "table": table,
            "event_request": event_request,
            "event_meeting": event_meeting,
            "mou": mou,
            "buyer_profile": buyer_profile,
            "sourcing_request": sourcing_request,
            "closed_request": closed_request,
            "offer": offer,
            "shortlist_item": shortlist_item,
            "meeting": meeting,
            "past_meeting": past_meeting,
            "action_record": action_record,
            "access_attempt": access_attempt,
            "access_log": access_log,
            "access_failure": access_failure,
            "import_batch": import_batch,
            "outgoing_email": outgoing_email,
            "queued_job": queued_job,
            "data_export": data_export,
            "legacy_ward": LegacyWard.objects.order_by("pk").first(),
            "reset_user": reset_user,
        },
    )


@pytest.fixture(scope="module")
def security_media(tmp_path_factory):
    """Media folders for a whole module: the world's files must outlive each test's own tmp_path."""
    base = tmp_path_factory.mktemp("security-media")
    return base / "media", base / "private"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, security_media):
    """The world of this module, rolled back when the module ends.

    A module using it overrides the root `_media_root` fixture with `security_media`, so that its
    requests find the files the world stored.
    """
    media_root, private_root = security_media
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media_root,
            PRIVATE_MEDIA_ROOT=private_root,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
