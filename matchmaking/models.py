from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Province
from catalog.models import MONTH_VALIDATORS, Product, ProductSubGroup, Standard
from events.models import Event, MoU


class BuyerProfile(models.Model):
    """What a buyer organisation sources and what it requires of its suppliers."""

    class Kind(models.TextChoices):
        SUPERMARKET_CHAIN = "supermarket_chain", _("Supermarket chain")
        CONVENIENCE_CHAIN = "convenience_chain", _("Convenience store chain")
        DISTRIBUTOR = "distributor", _("Distributor")
        EXPORTER = "exporter", _("Exporter")
        OCOP_SHOWROOM = "ocop_showroom", _("OCOP showroom")
        REST_STOP = "rest_stop", _("Rest stop")
        HORECA = "horeca", _("Restaurant or hotel")

    class Requirement(models.TextChoices):
        """The listing checklist a chain applies; each item is checked against the producer's records."""

        OCOP_CERTIFICATE = "ocop_certificate", _("A valid OCOP certificate with the minimum stars")
        STANDARDS = "standards", _("The standards the chain requires")
        BARCODE = "barcode", _("A GTIN barcode on the product")
        SHELF_LIFE = "shelf_life", _("A shelf life of at least 90 days")
        CAPACITY = "capacity", _("A stated monthly capacity")
        PRICE_LIST = "price_list", _("A price range")
        PHOTOS = "photos", _("Product photos")
        BUSINESS_REGISTRATION = "business_registration", _("A tax code (business registration)")

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="buyer_profile",
        verbose_name=_("organisation"),
        limit_choices_to={"kind": Organisation.Kind.BUYER},
    )
    kind = models.CharField(_("kind of buyer"), max_length=20, choices=Kind.choices)
    subgroups = models.ManyToManyField(
        ProductSubGroup, blank=True, related_name="buyer_profiles", verbose_name=_("product sub-groups sourced")
    )
    min_stars = models.PositiveSmallIntegerField(
        _("minimum OCOP stars"), default=3, validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    standards_required = ArrayField(
        models.CharField(max_length=20, choices=Standard.choices),
        verbose_name=_("standards required"),
        default=list,
        blank=True,
    )
    provinces_served = models.ManyToManyField(
        Province, blank=True, related_name="buyer_profiles", verbose_name=_("provinces served")
    )
    typical_volume = models.CharField(_("typical volumes"), max_length=200, blank=True)
    listing_requirements = models.TextField(_("listing requirements"), blank=True)
    checklist = ArrayField(
        models.CharField(max_length=30, choices=Requirement.choices),
        verbose_name=_("listing checklist"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("buyer profile")
        verbose_name_plural = _("buyer profiles")

    def __str__(self):
        return str(self.organisation)


class ShortlistItem(models.Model):
    """A product or producer a buyer keeps an eye on, with its private note."""

    buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shortlist_items", verbose_name=_("buyer")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    producer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("producer")
    )
    note = models.TextField(_("private note"), blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("shortlist item")
        verbose_name_plural = _("shortlist items")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(producer__isnull=True))
                | (Q(product__isnull=True) & Q(producer__isnull=False)),
                name="shortlistitem_product_or_producer",
            ),
            models.UniqueConstraint(
                fields=["buyer", "product"], condition=Q(product__isnull=False), name="shortlistitem_product_once"
            ),
            models.UniqueConstraint(
                fields=["buyer", "producer"], condition=Q(producer__isnull=False), name="shortlistitem_producer_once"
            ),
        ]

    def __str__(self):
        return str(self.product or self.producer)


class SourcingRequest(models.Model):
    """What a buyer wants to buy (nhu cầu thu mua), visible to verified producers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")

    buyer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sourcing_requests", verbose_name=_("buyer")
    )
    title = models.CharField(_("title"), max_length=200)
    subgroup = models.ForeignKey(
        ProductSubGroup, on_delete=models.PROTECT, related_name="sourcing_requests", verbose_name=_("product sub-group")
    )
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    description = models.TextField(_("details"), blank=True)
    quantity_per_month = models.DecimalField(_("quantity per month"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)
    min_stars = models.PositiveSmallIntegerField(
        _("minimum OCOP stars"), default=3, validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    standards_required = ArrayField(
        models.CharField(max_length=20, choices=Standard.choices),
        verbose_name=_("standards required"),
        default=list,
        blank=True,
    )
    delivery_province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("delivery province/city")
    )
    target_price = models.PositiveBigIntegerField(_("target price per unit (VND)"), null=True, blank=True)
    months_needed = ArrayField(
        models.PositiveSmallIntegerField(validators=MONTH_VALIDATORS),
        verbose_name=_("months needed"),
        default=list,
        blank=True,
        help_text=_("Leave empty for all year."),
    )
    deadline = models.DateField(_("answer by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("sourcing request")
        verbose_name_plural = _("sourcing requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_per_month__gt=0), name="sourcingrequest_quantity_positive"),
            models.CheckConstraint(
                condition=Q(months_needed__contained_by=list(range(1, 13))), name="sourcingrequest_months_in_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="sourcingrequest_status_idx"),
            # The staff dashboard's period filter, and the default order.
            models.Index(fields=["-created_at", "-id"], name="sourcingrequest_created_idx"),
        ]

    def __str__(self):
        return self.title


class Offer(models.Model):
    """A producer's answer to a sourcing request."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SHORTLISTED = "shortlisted", _("Shortlisted by the buyer")
        DECLINED = "declined", _("Declined by the buyer")

    request = models.ForeignKey(
        SourcingRequest, on_delete=models.CASCADE, related_name="offers", verbose_name=_("sourcing request")
    )
    producer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="offers", verbose_name=_("producer")
    )
    products = models.ManyToManyField(Product, related_name="offers", verbose_name=_("products"))
    quantity_per_month = models.DecimalField(_("quantity per month"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)
    price = models.PositiveBigIntegerField(_("price per unit (VND)"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["request", "price", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "producer"], name="offer_one_per_producer"),
            models.CheckConstraint(condition=Q(quantity_per_month__gt=0), name="offer_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.producer} → {self.request}"


class MeetingSlot(models.Model):
    """A time slot of an event's one-to-one meetings (e.g. 13:30–13:50)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_slots", verbose_name=_("event"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        ordering = ["event", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="meetingslot_starts_before_ends"),
            models.UniqueConstraint(fields=["event", "starts_at"], name="meetingslot_once_per_time"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class MeetingTable(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_tables", verbose_name=_("event"))
    number = models.PositiveSmallIntegerField(_("table number"))

    class Meta:
        verbose_name = _("meeting table")
        verbose_name_plural = _("meeting tables")
        ordering = ["event", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="meetingtable_number_once")]

    def __str__(self):
        return _("Table %(number)s") % {"number": self.number}


class SlotUnavailability(models.Model):
    """An organisation cannot meet in this slot."""

    slot = models.ForeignKey(MeetingSlot, on_delete=models.CASCADE, related_name="unavailabilities")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("unavailable slot")
        verbose_name_plural = _("unavailable slots")
        constraints = [models.UniqueConstraint(fields=["slot", "organisation"], name="slotunavailability_once")]

    def __str__(self):
        return f"{self.organisation_id} ✗ {self.slot}"


class MeetingRequest(models.Model):
    """A request to meet between a buyer and a producer, made by either side."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        AT_PRODUCER = "at_producer", _("At the producer")
        AT_EVENT = "at_event", _("At an event")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COUNTER_PROPOSED = "counter_proposed", _("Another time proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    buyer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings_as_buyer", verbose_name=_("buyer")
    )
    producer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings_as_producer", verbose_name=_("producer")
    )
    initiator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_requests", verbose_name=_("event")
    )
    sourcing_request = models.ForeignKey(
        SourcingRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_requests"
    )
    products = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name=_("products to discuss"))
    mode = models.CharField(_("how"), max_length=12, choices=Mode.choices)
    online_link = models.URLField(_("online meeting link"), blank=True)
    message = models.TextField(_("message"))
    proposed_times = ArrayField(models.DateTimeField(), verbose_name=_("proposed times"), default=list, blank=True)
    starts_at = models.DateTimeField(_("confirmed start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("confirmed end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    decline_reason = models.TextField(_("reason"), blank=True)
    hosted_by_staff = models.BooleanField(_("booked by staff for a hosted buyer"), default=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(buyer=F("producer")), name="meetingrequest_not_with_oneself"),
            models.CheckConstraint(
                condition=Q(initiator=F("buyer")) | Q(initiator=F("producer")), name="meetingrequest_initiator_side"
            ),
            models.CheckConstraint(
                condition=~Q(mode="at_event") | Q(event__isnull=False), name="meetingrequest_event_mode_has_event"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="meetingrequest_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-updated_at"], name="meetingrequest_buyer_idx"),
            models.Index(fields=["producer", "-updated_at"], name="meetingrequest_producer_idx"),
            models.Index(fields=["event", "status"], name="meetingrequest_event_idx"),
            # The staff dashboard's period filter.
            models.Index(fields=["created_at"], name="meetingrequest_created_idx"),
        ]

    def __str__(self):
        return f"{self.buyer} – {self.producer}"

    def other_side(self, organisation: Organisation) -> Organisation:
        return self.producer if organisation.pk == self.buyer_id else self.buyer


class MeetingMessage(models.Model):
    """The thread of a meeting request; `read_at` is set when the other side opens it."""

    meeting = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["meeting", "created_at", "pk"]
        indexes = [models.Index(fields=["meeting", "read_at"], name="meetingmessage_unread_idx")]

    def __str__(self):
        return self.text[:60]


class EventMeeting(models.Model):
    """An accepted event meeting placed in a slot at a table; the database forbids any double booking."""

    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="placement")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="placed_meetings")
    slot = models.ForeignKey(MeetingSlot, on_delete=models.PROTECT, related_name="meetings")
    table = models.ForeignKey(MeetingTable, on_delete=models.PROTECT, related_name="meetings")
    # Copies of the request's sides, so that uniqueness per slot can be a database constraint.
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    placed_by_hand = models.BooleanField(_("placed by hand"), default=False)

    class Meta:
        verbose_name = _("event meeting")
        verbose_name_plural = _("event meetings")
        ordering = ["slot__starts_at", "table__number"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "table"], name="eventmeeting_table_once_per_slot"),
            models.UniqueConstraint(fields=["slot", "buyer"], name="eventmeeting_buyer_once_per_slot"),
            models.UniqueConstraint(fields=["slot", "producer"], name="eventmeeting_producer_once_per_slot"),
        ]

    def __str__(self):
        return f"{self.slot} · {self.table}: {self.request}"


class MeetingOutcome(models.Model):
    """What one side says came of a meeting."""

    class Result(models.TextChoices):
        DID_NOT_HAPPEN = "did_not_happen", _("Did not happen")
        NO_INTEREST = "no_interest", _("No interest")
        USEFUL_NO_DEAL = "useful_no_deal", _("Useful, no deal")
        COOPERATION_LIKELY = "cooperation_likely", _("Cooperation likely")

    meeting = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="outcomes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    mou = models.ForeignKey(MoU, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order_value = models.PositiveBigIntegerField(_("order value (VND)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="meetingoutcome_once_per_side")]

    def __str__(self):
        return self.get_result_display()
