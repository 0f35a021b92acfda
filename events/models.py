import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Province
from catalog.models import Product
from catalog.storage import private_storage


def registration_code_new() -> str:
    """A short code for the badge and the check-in desk: 10 unambiguous characters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Event(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Supply–demand conference")
        FAIR = "fair", _("Fair or exhibition")
        B2B = "b2b", _("B2B session")
        ONLINE = "online", _("Online event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("short name in the address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("province/city"),
    )
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="organised_events",
        verbose_name=_("organising agency"),
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity (people)"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    requires_approval = models.BooleanField(
        _("registrations need approval"), default=False, help_text=_("Staff confirm each registration.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    report_published = models.BooleanField(_("report published"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="event_starts_before_ends",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__lt=F("registration_closes_at")),
                name="event_registration_opens_before_closes",
                violation_error_message=_("Registration must open before it closes."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=F("ends_at")),
                name="event_registration_closes_by_end",
                violation_error_message=_("Registration must close by the end of the event."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="event_capacity_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "-starts_at"], name="event_status_starts_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:event-detail", args=[self.slug])


class Session(models.Model):
    """A session (phiên) of the agenda."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    moderator = models.CharField(_("moderator"), max_length=200, blank=True)
    topics = models.TextField(_("topics"), blank=True, help_text=_("One per line."))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["event", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="session_starts_before_ends",
                violation_error_message=_("The session must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class Speaker(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("session"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["session", "position", "pk"]

    def __str__(self):
        return self.name


class Registration(models.Model):
    class Participation(models.TextChoices):
        EXHIBITOR = "exhibitor", _("Exhibitor with a booth")
        BUYER = "buyer", _("Buyer for meetings")
        SPEAKER = "speaker", _("Speaker")
        ATTENDEE = "attendee", _("Attendee")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Not accepted")

    # Places are held by confirmed registrations and by those waiting for approval.
    HOLDING_PLACES = (Status.PENDING, Status.CONFIRMED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("organisation")
    )
    participation = models.CharField(_("taking part as"), max_length=10, choices=Participation.choices)
    people_count = models.PositiveSmallIntegerField(_("number of people"), default=1, validators=[MinValueValidator(1)])
    booth = models.CharField(_("booth"), max_length=50, blank=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="registrations", verbose_name=_("products shown")
    )
    note = models.TextField(_("note to the organisers"), blank=True)
    show_publicly = models.BooleanField(_("list us on the public participants page"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    code = models.CharField(_("registration code"), max_length=12, unique=True, default=registration_code_new)
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    on_behalf = models.BooleanField(_("registered by staff on behalf"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="registration_one_per_organisation"),
            models.CheckConstraint(condition=Q(people_count__gte=1), name="registration_people_positive"),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
                name="registration_checkin_confirmed_only",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registration_event_status_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} @ {self.event}"


class MoU(models.Model):
    """A memorandum of understanding (biên bản ghi nhớ) and how it is followed up."""

    class Kind(models.TextChoices):
        AGENCY_AGENCY = "agency_agency", _("Agency – agency")
        AGENCY_RETAILER = "agency_retailer", _("Agency – retailer")
        BUSINESS = "business", _("Business – business")

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        IN_PROGRESS = "in_progress", _("In progress")
        FIRST_ORDER = "first_order", _("First order placed")
        LISTED = "listed", _("Listed on shelves")
        LAPSED = "lapsed", _("Lapsed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    scope = models.TextField(_("scope"), blank=True)
    signed_on = models.DateField(_("signed on"))
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="mous", verbose_name=_("event")
    )
    parties = models.ManyToManyField(Organisation, through="MoUParty", related_name="mous", verbose_name=_("parties"))
    products = models.ManyToManyField(Product, blank=True, related_name="mous", verbose_name=_("products concerned"))
    document = models.FileField(_("signed document"), upload_to="mous/", storage=private_storage, blank=True)
    value = models.PositiveBigIntegerField(_("value (VND)"), null=True, blank=True)
    status = models.CharField(_("follow-up status"), max_length=12, choices=Status.choices, default=Status.SIGNED)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")
        ordering = ["-signed_on", "-pk"]
        indexes = [
            models.Index(fields=["event", "kind"], name="mou_event_kind_idx"),
            models.Index(fields=["kind", "-signed_on"], name="mou_kind_signed_idx"),
        ]

    def __str__(self):
        return self.title


class MoUParty(models.Model):
    mou = models.ForeignKey(MoU, on_delete=models.CASCADE, related_name="party_links", verbose_name=_("MoU"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mou_links", verbose_name=_("organisation")
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [models.UniqueConstraint(fields=["mou", "organisation"], name="mouparty_once_per_mou")]

    def __str__(self):
        return str(self.organisation)


class MoUNote(models.Model):
    """A dated note on an MoU's follow-up (first order placed, listed in 12 stores, …)."""

    mou = models.ForeignKey(MoU, on_delete=models.CASCADE, related_name="notes", verbose_name=_("MoU"))
    noted_on = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status at that date"), max_length=12, choices=MoU.Status.choices)
    text = models.TextField(_("note"))
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("MoU note")
        verbose_name_plural = _("MoU notes")
        ordering = ["mou", "noted_on", "pk"]

    def __str__(self):
        return f"{self.noted_on}: {self.text[:40]}"
