"""The certification workflow through its services: moves, roles, scores, recognition, revocation, expiry, audit."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.roles import Actor
from catalog import services
from catalog.models import Application, ApplicationDocument, Certificate, EvaluationCycle, RuleSet, Score
from catalog.ocop_rules import APPLICATION_MOVES, CERTIFIER, PRODUCER, REVIEWER
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STATUSES = [status for status, _label in Application.Status.choices]


def actor(user, organisation=None, on_behalf=False):
    return Actor(user=user, organisation=organisation, on_behalf=on_behalf)


@pytest.fixture
def cycle():
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        year=today.year,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def maker():
    return UserFactory(organisation=ProducerFactory())


@pytest.fixture
def maker_actor(maker):
    return actor(maker, maker.organisation)


@pytest.fixture
def certifier(staff):
    staff.groups.add(Group.objects.get(name="Hội đồng đánh giá OCOP"))
    return staff


@pytest.fixture
def second_certifier(staff_group):
    user = UserFactory(is_staff=True)
    user.groups.add(staff_group, Group.objects.get(name="Hội đồng đánh giá OCOP"))
    return user


@pytest.fixture
def reviewer(db, staff_group):
    """Sở Công Thương staff who review but do not certify."""
    user = UserFactory(is_staff=True)
    user.groups.add(staff_group)
    return user


def submitted_application(maker_actor, cycle):
    product = ProductFactory(producer=maker_actor.organisation)
    application = services.application_create(actor=maker_actor, product=product, cycle=cycle)
    for kind in ApplicationDocument.REQUIRED_KINDS:
        services.document_add(
            actor=maker_actor, application=application, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", PDF)
        )
    return services.application_submit(actor=maker_actor, application=application)


def scored_application(maker_actor, cycle, certifier, sections):
    application = submitted_application(maker_actor, cycle)
    services.application_review_start(actor=actor(certifier), application=application)
    a, b, c = (Decimal(value) for value in sections)
    services.score_enter(actor=actor(certifier), application=application, section_a=a, section_b=b, section_c=c)
    return services.application_score_finish(actor=actor(certifier), application=application)


class TestStatusFlow:
    def test_the_whole_way_to_a_certificate(self, maker_actor, cycle, certifier, second_certifier, mailoutbox):
        application = submitted_application(maker_actor, cycle)
        assert application.status == Application.Status.SUBMITTED
        services.application_review_start(actor=actor(certifier), application=application)
        services.score_enter(
            actor=actor(certifier),
            application=application,
            section_a=Decimal(30),
            section_b=Decimal(20),
            section_c=Decimal(25),
        )
        services.score_enter(
            actor=actor(second_certifier),
            application=application,
            section_a=Decimal(34),
            section_b=Decimal(22),
            section_c=Decimal(27),
        )
        application = services.application_score_finish(actor=actor(certifier), application=application)
        assert application.total_score == Decimal("79.0")  # (75 + 83) / 2
        assert application.stars == 4
        certificate = services.application_recognise(
            actor=actor(certifier),
            application=application,
            decision_number="1234/QĐ-UBND",
            decision_date=timezone.localdate(),
            level=Certificate.Level.PROVINCE,
        )
        application.refresh_from_db()
        assert application.status == Application.Status.RECOGNISED
        assert certificate.stars == 4
        assert certificate.application == application
        assert certificate.product.current_certificate == certificate
        assert list(application.events.values_list("to_status", flat=True)) == [
            "draft",
            "submitted",
            "under_review",
            "scored",
            "recognised",
        ]

    @pytest.mark.parametrize(("current", "target"), sorted(APPLICATION_MOVES))
    def test_every_allowed_move_names_its_role(self, current, target):
        assert APPLICATION_MOVES[(current, target)] in (PRODUCER, REVIEWER, CERTIFIER)

    @pytest.mark.parametrize("current", STATUSES)
    @pytest.mark.parametrize("target", STATUSES)
    def test_forbidden_moves_are_refused_and_change_nothing(self, current, target, maker_actor, cycle, certifier):
        if (current, target) in APPLICATION_MOVES:
            return
        product = ProductFactory(producer=maker_actor.organisation)
        application = Application.objects.create(
            product=product, cycle=cycle, status=current, total_score=Decimal(95) if current != "draft" else None
        )
        with pytest.raises(ValidationError) as error:
            services.certification._move(actor=actor(certifier), application=application, target=target)
        assert error.value.code == "forbidden_move"
        application.refresh_from_db()
        assert application.status == current

    def test_return_for_documents_then_resubmit(self, maker_actor, cycle, reviewer, mailoutbox):
        application = submitted_application(maker_actor, cycle)
        with pytest.raises(ValidationError):
            services.application_return(actor=actor(reviewer), application=application, message="  ")
        services.application_return(
            actor=actor(reviewer), application=application, message="Thiếu phiếu kiểm nghiệm mới nhất."
        )
        application.refresh_from_db()
        assert application.status == Application.Status.RETURNED
        assert application.return_message == "Thiếu phiếu kiểm nghiệm mới nhất."
        services.document_add(
            actor=maker_actor,
            application=application,
            kind=ApplicationDocument.Kind.TEST_REPORT,
            upload=SimpleUploadedFile("kiem-nghiem.pdf", PDF),
        )
        services.application_submit(actor=maker_actor, application=application)
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED

    def test_submit_needs_the_required_documents(self, maker_actor, cycle):
        product = ProductFactory(producer=maker_actor.organisation)
        application = services.application_create(actor=maker_actor, product=product, cycle=cycle)
        with pytest.raises(ValidationError) as error:
            services.application_submit(actor=maker_actor, application=application)
        assert error.value.code == "missing_documents"
        application.refresh_from_db()
        assert application.status == Application.Status.DRAFT

    def test_closed_cycle_and_duplicate_are_refused(self, maker_actor, cycle):
        product = ProductFactory(producer=maker_actor.organisation)
        services.application_create(actor=maker_actor, product=product, cycle=cycle)
        with pytest.raises(ValidationError):
            services.application_create(actor=maker_actor, product=product, cycle=cycle)
        closed = EvaluationCycle.objects.create(
            year=2020,
            round=1,
            rule_set=cycle.rule_set,
            opens_on=datetime.date(2020, 1, 1),
            closes_on=datetime.date(2020, 3, 1),
        )
        with pytest.raises(ValidationError):
            services.application_create(actor=maker_actor, product=product, cycle=closed)
        assert Application.objects.count() == 1

    def test_each_status_change_emails_the_producer(
        self, maker, maker_actor, cycle, reviewer, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            application = submitted_application(maker_actor, cycle)
            services.application_review_start(actor=actor(reviewer), application=application)
        to_producer = [message for message in mailoutbox if message.to == [maker.email]]
        assert len(to_producer) == 2  # submitted, under review


class TestRoles:
    @pytest.mark.parametrize("who", ["maker", "buyer", "reviewer", "plain_staff"])
    def test_only_certifiers_score(self, request, who, maker_actor, cycle, certifier):
        application = submitted_application(maker_actor, cycle)
        services.application_review_start(actor=actor(certifier), application=application)
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            services.score_enter(
                actor=actor(user, user.organisation),
                application=application,
                section_a=Decimal(30),
                section_b=Decimal(20),
                section_c=Decimal(20),
            )
        assert not Score.objects.exists()

    @pytest.mark.parametrize("who", ["maker", "buyer", "reviewer"])
    def test_only_certifiers_recognise(self, request, who, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("30", "20", "25"))
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            services.application_recognise(
                actor=actor(user, user.organisation),
                application=application,
                decision_number="1/QĐ",
                decision_date=timezone.localdate(),
                level="province",
            )
        assert not Certificate.objects.exists()

    def test_another_producer_cannot_submit_or_add_documents(self, maker_actor, cycle, other_producer):
        product = ProductFactory(producer=maker_actor.organisation)
        application = services.application_create(actor=maker_actor, product=product, cycle=cycle)
        intruder = actor(other_producer, other_producer.organisation)
        with pytest.raises(PermissionDenied):
            services.document_add(
                actor=intruder, application=application, kind="other", upload=SimpleUploadedFile("x.pdf", PDF)
            )
        with pytest.raises(PermissionDenied):
            services.application_submit(actor=intruder, application=application)
        assert not application.documents.exists()

    def test_producer_cannot_review_its_own_application(self, maker_actor, cycle):
        application = submitted_application(maker_actor, cycle)
        with pytest.raises(PermissionDenied):
            services.application_review_start(actor=maker_actor, application=application)


class TestScores:
    @pytest.fixture
    def under_review(self, maker_actor, cycle, certifier):
        application = submitted_application(maker_actor, cycle)
        return services.application_review_start(actor=actor(certifier), application=application)

    @pytest.mark.parametrize(
        ("sections", "field"),
        [
            (("41", "20", "20"), "section_a"),  # 1489/2025 (as 148/2023): A ≤ 40
            (("30", "26", "20"), "section_b"),  # B ≤ 25
            (("30", "20", "36"), "section_c"),  # C ≤ 35
            (("-1", "20", "20"), "section_a"),
        ],
    )
    def test_points_outside_the_rule_sets_maxima_are_refused(self, under_review, certifier, sections, field):
        a, b, c = (Decimal(value) for value in sections)
        with pytest.raises(ValidationError) as error:
            services.score_enter(
                actor=actor(certifier), application=under_review, section_a=a, section_b=b, section_c=c
            )
        assert field in error.value.message_dict
        assert not Score.objects.exists()

    def test_old_rule_set_has_its_own_maxima(self, maker_actor, certifier):
        today = timezone.localdate()
        old_cycle = EvaluationCycle.objects.create(
            year=today.year,
            round=2,
            rule_set=RuleSet.objects.get(code="1048/2019"),
            opens_on=today,
            closes_on=today,
        )
        application = submitted_application(maker_actor, old_cycle)
        services.application_review_start(actor=actor(certifier), application=application)
        with pytest.raises(ValidationError):  # A ≤ 35 under 1048/2019
            services.score_enter(
                actor=actor(certifier),
                application=application,
                section_a=Decimal(36),
                section_b=Decimal(20),
                section_c=Decimal(20),
            )
        services.score_enter(
            actor=actor(certifier),
            application=application,
            section_a=Decimal(35),
            section_b=Decimal(25),
            section_c=Decimal(40),
        )

    def test_a_member_corrects_their_own_score(self, under_review, certifier):
        for a in (Decimal(20), Decimal(25)):
            services.score_enter(
                actor=actor(certifier),
                application=under_review,
                section_a=a,
                section_b=Decimal(10),
                section_c=Decimal(10),
            )
        assert Score.objects.get().section_a == 25

    def test_scores_need_review_status(self, maker_actor, cycle, certifier):
        application = submitted_application(maker_actor, cycle)
        with pytest.raises(ValidationError):
            services.score_enter(
                actor=actor(certifier),
                application=application,
                section_a=Decimal(1),
                section_b=Decimal(1),
                section_c=Decimal(1),
            )

    def test_finishing_without_scores_is_refused(self, under_review, certifier):
        with pytest.raises(ValidationError):
            services.application_score_finish(actor=actor(certifier), application=under_review)


@pytest.mark.django_db(transaction=True)
def test_two_members_scoring_at_once_both_keep_their_entry(maker_actor, cycle, certifier, second_certifier):
    application = submitted_application(maker_actor, cycle)
    services.application_review_start(actor=actor(certifier), application=application)
    barrier = threading.Barrier(2)
    errors = []

    def enter(user, points):
        try:
            barrier.wait(timeout=10)
            services.score_enter(
                actor=actor(user),
                application=application,
                section_a=Decimal(points),
                section_b=Decimal(20),
                section_c=Decimal(20),
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=enter, args=(certifier, 30)),
        threading.Thread(target=enter, args=(second_certifier, 34)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(Score.objects.values_list("section_a", flat=True)) == [30, 34]


class TestRecognition:
    @pytest.mark.parametrize(
        ("sections", "stars"),
        [
            (("20", "15", "15"), 3),  # 50
            (("25", "20", "24.9"), 3),  # 69.9
            (("30", "20", "20"), 4),  # 70
            (("35", "25", "29.9"), 4),  # 89.9
        ],
    )
    def test_stars_follow_the_council_score(self, maker_actor, cycle, certifier, sections, stars):
        application = scored_application(maker_actor, cycle, certifier, sections)
        certificate = services.application_recognise(
            actor=actor(certifier),
            application=application,
            decision_number="9/QĐ-UBND",
            decision_date=timezone.localdate(),
            level="province",
        )
        assert certificate.stars == stars

    def test_below_50_is_not_recognised(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("20", "15", "14.9"))
        assert application.total_score == Decimal("49.9")
        with pytest.raises(ValidationError) as error:
            services.application_recognise(
                actor=actor(certifier),
                application=application,
                decision_number="9/QĐ-UBND",
                decision_date=timezone.localdate(),
                level="province",
            )
        assert error.value.code == "below_50"
        services.application_reject(actor=actor(certifier), application=application, reason="Dưới 50 điểm.")
        application.refresh_from_db()
        assert application.status == Application.Status.NOT_RECOGNISED

    def test_five_stars_are_not_recognised_by_the_province(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("38", "24", "30"))
        assert application.total_score == Decimal("92.0")
        with pytest.raises(ValidationError) as error:
            services.application_recognise(
                actor=actor(certifier),
                application=application,
                decision_number="9/QĐ-UBND",
                decision_date=timezone.localdate(),
                level="province",
            )
        assert "level" in error.value.message_dict
        services.application_propose_central(actor=actor(certifier), application=application)
        certificate = services.application_recognise(
            actor=actor(certifier),
            application=application,
            decision_number="88/QĐ-BNNMT",
            decision_date=timezone.localdate(),
            level="central",
        )
        assert certificate.stars == 5

    def test_only_90_or_more_is_proposed_to_the_centre(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("38", "24", "27.9"))
        with pytest.raises(ValidationError):
            services.application_propose_central(actor=actor(certifier), application=application)

    def test_an_unscored_application_cannot_be_recognised(self, maker_actor, cycle, certifier):
        application = submitted_application(maker_actor, cycle)
        with pytest.raises(ValidationError) as error:
            services.application_recognise(
                actor=actor(certifier),
                application=application,
                decision_number="9/QĐ-UBND",
                decision_date=timezone.localdate(),
                level="province",
            )
        assert error.value.code == "not_scored"

    def test_a_decision_in_the_future_is_refused(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("30", "20", "20"))
        with pytest.raises(ValidationError):
            services.application_recognise(
                actor=actor(certifier),
                application=application,
                decision_number="9/QĐ-UBND",
                decision_date=timezone.localdate() + datetime.timedelta(days=1),
                level="province",
            )
        assert not Certificate.objects.exists()

    def test_a_new_recognition_supersedes_the_old_certificate(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("30", "20", "20"))
        old = certify(application.product, score="60", days_ago=700)
        new = services.application_recognise(
            actor=actor(certifier),
            application=application,
            decision_number="9/QĐ-UBND",
            decision_date=timezone.localdate(),
            level="province",
        )
        old.refresh_from_db()
        assert old.status == Certificate.Status.SUPERSEDED
        assert new.product.current_certificate == new


class TestRevocation:
    def test_revoke_with_reason(self, certifier, mailoutbox):
        certificate = certify(ProductFactory(), score="75")
        services.certificate_revoke(
            actor=actor(certifier), certificate=certificate, reason="Vi phạm ATTP", revoked_on=timezone.localdate()
        )
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.REVOKED
        assert certificate.public_status == Certificate.Status.REVOKED
        assert certificate.product.current_certificate == certificate  # shown as revoked, not as a star

    @pytest.mark.parametrize(
        ("reason", "days"),
        [("", 0), ("Lý do", -1)],  # no reason; a date in the future
    )
    def test_bad_revocations_change_nothing(self, certifier, reason, days):
        certificate = certify(ProductFactory(), score="75")
        with pytest.raises(ValidationError):
            services.certificate_revoke(
                actor=actor(certifier),
                certificate=certificate,
                reason=reason,
                revoked_on=timezone.localdate() - datetime.timedelta(days=days),
            )
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.VALID

    @pytest.mark.parametrize("who", ["reviewer", "producer", "buyer"])
    def test_only_certifiers_revoke(self, request, who):
        certificate = certify(ProductFactory(), score="75")
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            services.certificate_revoke(
                actor=actor(user, user.organisation),
                certificate=certificate,
                reason="x",
                revoked_on=timezone.localdate(),
            )


class TestExpiry:
    def test_the_daily_command_marks_and_notifies_once(
        self, maker, staff, mailoutbox, django_capture_on_commit_callbacks
    ):
        producer = maker.organisation
        lapsed = certify(ProductFactory(producer=producer), score="60", days_ago=1200)
        expiring = certify(ProductFactory(producer=producer), score="75", days_ago=1050)  # ends in ~45 days
        fresh = certify(ProductFactory(producer=producer), score="75", days_ago=10)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("certificates_expire")
        states = {c.pk: (c.status, c.expiry_notice_sent_on) for c in Certificate.objects.all()}
        lapsed.refresh_from_db()
        expiring.refresh_from_db()
        fresh.refresh_from_db()
        assert lapsed.status == Certificate.Status.EXPIRED
        assert expiring.status == Certificate.Status.VALID
        assert expiring.expiry_notice_sent_on == timezone.localdate()
        assert fresh.expiry_notice_sent_on is None
        assert {tuple(message.to) for message in mailoutbox} >= {(maker.email, staff.email)}
        sent = len(mailoutbox)
        assert sent == 2

        with django_capture_on_commit_callbacks(execute=True):
            call_command("certificates_expire")
        assert {c.pk: (c.status, c.expiry_notice_sent_on) for c in Certificate.objects.all()} == states
        assert len(mailoutbox) == sent

    def test_expired_certificate_is_no_star_in_the_catalogue(self, client):
        product = ProductFactory()
        certify(product, score="80", days_ago=1200)
        call_command("certificates_expire")
        from catalog.selectors import home_figures

        assert home_figures()["four"] == 0

    def test_bad_date_argument_is_one_line(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("certificates_expire", "--today", "29/11/2026")


class TestAuditTrail:
    def test_history_names_who_and_on_whose_behalf(self, maker, cycle, staff, certifier):
        household = maker.organisation
        on_behalf = actor(staff, household, on_behalf=True)
        product = ProductFactory(producer=household)
        application = services.application_create(actor=on_behalf, product=product, cycle=cycle)
        created = application.history.earliest()
        assert created.history_user == staff
        assert created.history_on_behalf_of_id == household.pk
        assert created.history_type == "+"
        assert created.status == "draft"

        for kind in ApplicationDocument.REQUIRED_KINDS:
            services.document_add(
                actor=on_behalf, application=application, kind=kind, upload=SimpleUploadedFile("d.pdf", PDF)
            )
        services.application_submit(actor=on_behalf, application=application)
        services.application_review_start(actor=actor(certifier), application=application)
        latest = application.history.latest()
        assert latest.history_user == certifier
        assert latest.history_on_behalf_of_id is None
        assert latest.status == "under_review"
        delta = latest.diff_against(latest.prev_record)
        assert [(change.field, change.old, change.new) for change in delta.changes if change.field == "status"] == [
            ("status", "submitted", "under_review")
        ]

    def test_scores_and_certificates_have_history(self, maker_actor, cycle, certifier):
        application = scored_application(maker_actor, cycle, certifier, ("30", "20", "20"))
        score = application.scores.get()
        assert score.history.latest().history_user == certifier
        certificate = services.application_recognise(
            actor=actor(certifier),
            application=application,
            decision_number="9/QĐ-UBND",
            decision_date=timezone.localdate(),
            level="province",
        )
        services.certificate_revoke(
            actor=actor(certifier), certificate=certificate, reason="Sai phạm", revoked_on=timezone.localdate()
        )
        history = list(certificate.history.order_by("history_date").values_list("status", "history_user"))
        assert history == [("valid", certifier.pk), ("revoked", certifier.pk)]
