import datetime
import secrets

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from catalog.ocop_rules import stars_for_score
from catalog.querysets import CertificateQuerySet, ProductQuerySet
from catalog.storage import private_storage
from catalog.validators import validate_gtin

CERTIFICATE_VALIDITY_MONTHS = 36


def verification_code_new() -> str:
    """An unguessable code for the public verification page (128 bits)."""
    return secrets.token_urlsafe(16)


class AuditedHistory(models.Model):
    """Extra columns of every historical record: the organisation staff acted for, if any."""

    history_on_behalf_of = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("on behalf of"),
    )

    class Meta:
        abstract = True


class RuleSet(models.Model):
    """A decision that defines OCOP groups and score-sheet maxima (1048/2019, 148/2023, 1489/2025)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    decision_date = models.DateField(_("decision date"))
    max_section_a = models.PositiveSmallIntegerField(_("maximum of section A"))
    max_section_b = models.PositiveSmallIntegerField(_("maximum of section B"))
    max_section_c = models.PositiveSmallIntegerField(_("maximum of section C"))

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["decision_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_section_a__gt=0) & Q(max_section_b__gt=0) & Q(max_section_c__gt=0),
                name="ruleset_positive_maxima",
            ),
        ]

    def __str__(self):
        return self.code


class ProductGroup(models.Model):
    """An OCOP product group of a rule set (e.g. 1. Thực phẩm)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="groups", verbose_name=_("rule set"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["rule_set", "position"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="productgroup_ruleset_code_uniq")]

    def __str__(self):
        return self.name

    def localised_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class ProductSubGroup(models.Model):
    """A sub-group (e.g. 1.4 Gia vị — tương, nước mắm, gia vị lỏng)."""

    group = models.ForeignKey(ProductGroup, on_delete=models.PROTECT, related_name="subgroups", verbose_name=_("group"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # A level above the sub-groups ("1.3 Thực phẩm chế biến", "1 Thực phẩm") that a published list may give:
    # products imported at that level keep it until staff choose their sub-group; nobody picks it by hand.
    is_broad = models.BooleanField(_("broader level, to refine"), default=False)

    class Meta:
        verbose_name = _("product sub-group")
        verbose_name_plural = _("product sub-groups")
        ordering = ["group__position", "position"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="productsubgroup_group_code_uniq")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def localised_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class ProducerProfile(models.Model):
    """What the catalogue shows of a producer organisation beyond its account data."""

    class LegalForm(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise (doanh nghiệp)")
        COOPERATIVE = "cooperative", _("Cooperative (HTX)")
        COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group (tổ hợp tác)")
        HOUSEHOLD = "household", _("Household business (hộ kinh doanh)")

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="producer_profile",
        verbose_name=_("organisation"),
        limit_choices_to={"kind": Organisation.Kind.PRODUCER},
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    story = models.TextField(_("story"), blank=True, help_text=_("The producer's history, people and craft."))
    points_of_sale = models.TextField(
        _("points of sale"), blank=True, help_text=_("One per line: shops, supermarkets, showrooms, online stores.")
    )

    class Meta:
        verbose_name = _("producer profile")
        verbose_name_plural = _("producer profiles")
        indexes = [models.Index(fields=["legal_form"], name="producerprofile_legal_form_idx")]

    def __str__(self):
        return str(self.organisation)

    def points_of_sale_list(self) -> list[str]:
        return [line.strip() for line in self.points_of_sale.splitlines() if line.strip()]


class Standard(models.TextChoices):
    VIETGAP = "vietgap", "VietGAP"
    GLOBALGAP = "globalgap", "GlobalG.A.P."
    HACCP = "haccp", "HACCP"
    ISO_22000 = "iso22000", "ISO 22000"
    ORGANIC = "organic", _("Organic")
    HALAL = "halal", "Halal"
    GMP = "gmp", "GMP"
    FSSC_22000 = "fssc22000", "FSSC 22000"
    GEOGRAPHICAL_INDICATION = "gi", _("Geographical indication")


MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    producer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("producer"),
        limit_choices_to={"kind": Organisation.Kind.PRODUCER},
    )
    subgroup = models.ForeignKey(
        ProductSubGroup, on_delete=models.PROTECT, related_name="products", verbose_name=_("sub-group")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    unit = models.CharField(_("sales unit"), max_length=50, help_text=_("E.g. hộp, chai, túi, kg."))
    packaging = models.CharField(_("packaging"), max_length=200, blank=True, help_text=_("E.g. hộp giấy 500 g."))
    price_min = models.PositiveBigIntegerField(_("lowest price (VND)"), null=True, blank=True)
    price_max = models.PositiveBigIntegerField(_("highest price (VND)"), null=True, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    monthly_capacity = models.DecimalField(
        _("monthly capacity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    capacity_unit = models.CharField(_("capacity unit"), max_length=30, blank=True, help_text=_("E.g. kg, tấn, hộp."))
    minimum_order = models.DecimalField(_("minimum order"), max_digits=12, decimal_places=2, null=True, blank=True)
    months_available = ArrayField(
        models.PositiveSmallIntegerField(validators=MONTH_VALIDATORS),
        verbose_name=_("months available"),
        default=list,
        blank=True,
        help_text=_("Leave empty when the product is available all year."),
    )
    standards = ArrayField(
        models.CharField(max_length=20, choices=Standard.choices),
        verbose_name=_("standards held"),
        default=list,
        blank=True,
    )
    gtin = models.CharField(_("GTIN barcode"), max_length=14, blank=True, validators=[validate_gtin])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_certificate = models.ForeignKey(
        "catalog.Certificate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current certificate"),
        editable=False,
    )
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_min__isnull=True) | Q(price_max__isnull=True) | Q(price_min__lte=F("price_max")),
                name="product_price_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(monthly_capacity__isnull=True) | Q(monthly_capacity__gt=0),
                name="product_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(minimum_order__isnull=True) | Q(minimum_order__gt=0),
                name="product_minimum_order_positive",
            ),
            models.CheckConstraint(
                condition=Q(months_available__contained_by=list(range(1, 13))),
                name="product_months_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="product_published_has_date",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search_gin"),
            GinIndex(fields=["standards"], name="product_standards_gin"),
            GinIndex(fields=["months_available"], name="product_months_gin"),
            # Newest first within a status; the id breaks ties (every draft's date is empty).
            models.Index(fields=["status", "-published_at", "-id"], name="product_status_newest_idx"),
            models.Index(fields=["status", "name"], name="product_status_name_idx"),
            models.Index(fields=["producer", "status"], name="product_producer_status_idx"),
            models.Index(fields=["subgroup", "status"], name="product_subgroup_status_idx"),
            # Staff's lists of every product (the admin): its default order, its name order, its date filter.
            models.Index(fields=["-published_at", "-id"], name="product_published_idx"),
            models.Index(fields=["name", "-id"], name="product_name_idx"),
            models.Index(fields=["created_at"], name="product_created_idx"),
            models.Index(fields=["gtin"], name="product_gtin_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product-detail", args=[self.pk])

    def localised_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    @property
    def standard_labels(self) -> list[str]:
        return [Standard(code).label for code in self.standards if code in Standard.values]

    def is_available_in(self, month: int) -> bool:
        return not self.months_available or month in self.months_available


def photo_upload_to(instance, filename):
    # The pipeline names files itself (core.images); `filename` is already a generated name.
    return f"products/{filename}"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("product"))
    image = models.ImageField(_("photo"), upload_to=photo_upload_to, width_field="width", height_field="height")
    thumbnail_small = models.ImageField(_("small thumbnail"), upload_to=photo_upload_to, editable=False)
    thumbnail_large = models.ImageField(_("large thumbnail"), upload_to=photo_upload_to, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_primary = models.BooleanField(_("primary photo"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["product", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="productphoto_one_primary_per_product"
            ),
        ]
        indexes = [models.Index(fields=["product", "position"], name="productphoto_product_pos_idx")]

    def __str__(self):
        return self.alt_text or f"{self.product} #{self.position}"


class CatalogueEntry(models.Model):
    """The public catalogue's read model of one product: what search, facet counts and sorting read.

    One narrow row per product, with what the catalogue filters on copied from the producer, its profile,
    the sub-group and the current certificate. Database triggers (migration 0005) keep it in step with every
    write to those tables, whatever makes it (services, the admin, imports, bulk updates); the portal never
    writes it. Counting the facets of a 100,000-product match set then reads one table a third as wide as
    the products, without joins: it holds the folded words of the search document without positions or
    weights (all that matching needs; ranking reads the product's full document for a bounded window).
    """

    product = models.OneToOneField(
        Product,
        on_delete=models.DO_NOTHING,  # the trigger on catalog_product deletes the entry
        primary_key=True,
        db_constraint=False,
        related_name="catalogue_entry",
        editable=False,
    )
    producer_id = models.BigIntegerField(editable=False)
    is_public = models.BooleanField(editable=False)
    subgroup_id = models.BigIntegerField(editable=False)
    group_id = models.BigIntegerField(editable=False)
    province_id = models.CharField(max_length=4, editable=False)
    legal_form = models.CharField(max_length=20, blank=True, editable=False)
    certificate_status = models.CharField(max_length=10, null=True, editable=False)
    certificate_stars = models.PositiveSmallIntegerField(null=True, editable=False)
    certificate_valid_until = models.DateField(null=True, editable=False)
    certificate_decision_date = models.DateField(null=True, editable=False)
    standards = ArrayField(models.CharField(max_length=20), default=list, editable=False)
    published_at = models.DateTimeField(null=True, editable=False)
    name = models.CharField(max_length=200, editable=False)
    folded_words = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        default_permissions = ()
        indexes = [
            GinIndex(
                fields=["folded_words"],
                name="catalogueentry_words_gin",
                condition=Q(is_public=True),
                fastupdate=False,  # read-mostly: no pending list for searches to scan
            ),
            models.Index(
                fields=["-published_at", "-product"], name="catalogueentry_newest_idx", condition=Q(is_public=True)
            ),
            models.Index(fields=["name", "product"], name="catalogueentry_name_idx", condition=Q(is_public=True)),
            models.Index(
                fields=["-certificate_stars", "-certificate_decision_date", "-product"],
                name="catalogueentry_featured_idx",
                condition=Q(is_public=True, certificate_status="valid"),
            ),
        ]

    def __str__(self):
        return self.name


class Certificate(models.Model):
    """An OCOP recognition decision for a product: its score, stars and validity."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        PROVINCE = "province", _("Province")
        CENTRAL = "central", _("Central (ministry)")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("product")
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("rule set")
    )
    # Empty only for a decision imported from a list that published the stars without the score: the stars are
    # then the province's decision as recorded. Every evaluation made in the portal has its score.
    total_score = models.DecimalField(
        _("total score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("Out of 100. The stars follow from it: 50–69.9 = 3★, 70–89.9 = 4★, 90–100 = 5★."),
    )
    stars = models.PositiveSmallIntegerField(_("stars"), editable=False)
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    level = models.CharField(_("recognising level"), max_length=10, choices=Level.choices)
    valid_until = models.DateField(_("valid until"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    application = models.ForeignKey(
        "catalog.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("application"),
        editable=False,
    )
    verification_code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=verification_code_new, editable=False
    )
    expiry_notice_sent_on = models.DateField(_("expiry notice sent on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistory])

    class Meta:
        verbose_name = _("OCOP certificate")
        verbose_name_plural = _("OCOP certificates")
        ordering = ["-decision_date", "-pk"]
        permissions = [("certify", _("Can score, recognise and revoke OCOP certificates"))]
        constraints = [
            # The stars are derived from the score; the database refuses any other pairing. Without a score (a
            # decision recorded from a published list), the stars are a certified band and no application made them.
            models.CheckConstraint(
                condition=(
                    Q(total_score__gte=90, total_score__lte=100, stars=5)
                    | Q(total_score__gte=70, total_score__lt=90, stars=4)
                    | Q(total_score__gte=50, total_score__lt=70, stars=3)
                    | Q(total_score__isnull=True, stars__gte=3, stars__lte=5, application__isnull=True)
                ),
                name="certificate_stars_follow_score",
                violation_error_message=_("The stars must follow from the score."),
            ),
            models.CheckConstraint(condition=Q(valid_until__gt=F("decision_date")), name="certificate_valid_after"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_on__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revocation_has_reason",
                violation_error_message=_("A revocation needs its date and reason."),
            ),
            models.CheckConstraint(
                condition=~Q(stars=5) | Q(level="central"),
                name="certificate_five_stars_central",
                violation_error_message=_(
                    "5 stars are recognised centrally (by the ministry), not by the province or district."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["product", "-decision_date"], name="certificate_product_date_idx"),
            models.Index(fields=["status", "valid_until"], name="certificate_status_valid_idx"),
            models.Index(fields=["stars", "status", "valid_until"], name="certificate_stars_idx"),
            # The public register lists decisions newest first and filters them by year.
            models.Index(fields=["-decision_date", "-id"], name="certificate_decision_date_idx"),
            # Staff find a decision by the start of its number ("2150" finds "2150/QĐ-UBND"): LIKE 'x%' reads it.
            models.Index(
                fields=["decision_number"], name="certificate_decision_no_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return f"{self.decision_number} — {self.product} ({self.stars}★)"

    @property
    def score_published(self) -> bool:
        return self.total_score is not None

    def derive(self) -> None:
        """Set the stars (when there is a score) and the end of validity from the score and the decision date."""
        if self.total_score is not None:
            self.stars = stars_for_score(self.total_score)
        if self.decision_date is not None:
            self.valid_until = add_months(self.decision_date, CERTIFICATE_VALIDITY_MONTHS)

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.VALID and self.valid_until >= day

    @property
    def is_valid_now(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    @property
    def public_status(self) -> str:
        """The status a visitor must see today: a lapsed valid certificate reads as expired."""
        if self.status == self.Status.VALID and not self.is_valid_now:
            return self.Status.EXPIRED
        return self.status

    def get_public_status_display(self) -> str:
        return self.Status(self.public_status).label


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the 29–31st fall back to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


class EvaluationCycle(models.Model):
    """An evaluation round (đợt đánh giá) of a year, under one rule set."""

    year = models.PositiveSmallIntegerField(_("year"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("rule set"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        ordering = ["-year", "-round"]
        constraints = [
            models.UniqueConstraint(fields=["year", "round"], name="evaluationcycle_year_round_uniq"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("closes_on")),
                name="evaluationcycle_opens_before_closes",
                violation_error_message=_("The cycle must open before it closes."),
            ),
        ]

    def __str__(self):
        return _("%(year)s, round %(round)s") % {"year": self.year, "round": self.round}

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class Application(models.Model):
    """A producer's OCOP application (hồ sơ) for one product in one evaluation cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for more documents")
        UNDER_REVIEW = "under_review", _("Under review")
        SCORED = "scored", _("Scored")
        PROPOSED_CENTRAL = "proposed_central", _("Proposed to the centre for 5 stars")
        RECOGNISED = "recognised", _("Recognised")
        NOT_RECOGNISED = "not_recognised", _("Not recognised")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="applications", verbose_name=_("product")
    )
    cycle = models.ForeignKey(
        EvaluationCycle, on_delete=models.PROTECT, related_name="applications", verbose_name=_("evaluation cycle")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    self_assessment_score = models.DecimalField(
        _("self-assessment score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Your own score on the score sheet, out of 100."),
    )
    total_score = models.DecimalField(
        _("council score"), max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    return_message = models.TextField(_("what is missing"), blank=True, editable=False)
    decision_note = models.TextField(_("note on the decision"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords(bases=[AuditedHistory])

    class Meta:
        verbose_name = _("OCOP application")
        verbose_name_plural = _("OCOP applications")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "cycle"], name="application_one_per_product_cycle"),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True) | Q(total_score__gte=0, total_score__lte=100),
                name="application_total_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scored", "proposed_central", "recognised"]) | Q(total_score__isnull=False),
                name="application_scored_has_total",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed_central") | Q(total_score__gte=90),
                name="application_central_needs_90",
            ),
        ]
        indexes = [models.Index(fields=["status", "-updated_at"], name="application_status_idx")]

    def __str__(self):
        return f"{self.product} — {self.cycle}"

    @property
    def stars(self) -> int | None:
        return stars_for_score(self.total_score) if self.total_score is not None else None

    @property
    def is_editable_by_producer(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


def document_upload_to(instance, filename):
    # `filename` is already generated by the service; documents live in private storage.
    return f"applications/{filename}"


class ApplicationDocument(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION_FORM = "registration_form", _("Registration form")
        BUSINESS_PLAN = "business_plan", _("Business plan")
        ORGANISATION = "organisation", _("Description of the organisation")
        BUSINESS_REGISTRATION = "business_registration", _("Business registration")
        FOOD_SAFETY = "food_safety", _("Food-safety certificate")
        QUALITY_DECLARATION = "quality_declaration", _("Quality declaration or standards")
        TEST_REPORT = "test_report", _("Test report")
        TRACEABILITY = "traceability", _("Barcode and traceability")
        INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property or geographical indication")
        RAW_MATERIAL = "raw_material", _("Origin of raw materials")
        PRODUCT_STORY = "product_story", _("Product story")
        AWARD = "award", _("Award")
        OTHER = "other", _("Other")

    REQUIRED_KINDS = (Kind.REGISTRATION_FORM, Kind.BUSINESS_PLAN, Kind.ORGANISATION, Kind.BUSINESS_REGISTRATION)

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("application")
    )
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "kind", "uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


class ApplicationEvent(models.Model):
    """A status change of an application, as the producer sees it in its timeline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Application.Status.choices)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    on_behalf = models.BooleanField(_("on behalf"), default=False)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["application", "created_at"], name="applicationevent_app_idx")]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


SECTION_MAX = 40  # the largest section maximum of any rule set; the rule set's own maxima are checked too


class Score(models.Model):
    """One council member's points for an application, per score-sheet section."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scores", verbose_name=_("application")
    )
    scorer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("scorer"))
    section_a = models.DecimalField(_("section A"), max_digits=4, decimal_places=1)
    section_b = models.DecimalField(_("section B"), max_digits=4, decimal_places=1)
    section_c = models.DecimalField(_("section C"), max_digits=4, decimal_places=1)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    history = HistoricalRecords(bases=[AuditedHistory])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["application", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "scorer"], name="score_one_per_scorer"),
            models.CheckConstraint(
                condition=Q(section_a__gte=0, section_a__lte=SECTION_MAX)
                & Q(section_b__gte=0, section_b__lte=SECTION_MAX)
                & Q(section_c__gte=0, section_c__lte=SECTION_MAX),
                name="score_sections_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.total} ({self.scorer_id})"

    @property
    def total(self):
        return self.section_a + self.section_b + self.section_c


def import_upload_to(instance, filename):
    # `filename` is generated by the service; the province's lists stay in private storage.
    return f"imports/{filename}"


class ImportBatch(models.Model):
    """One upload of the province's existing OCOP list: its dry run, then (once confirmed) what it imported.

    The file is kept in private storage so that the confirmation imports exactly the bytes that were checked.
    """

    class Status(models.TextChoices):
        # A list of more than a few hundred rows is checked, and imported, by a worker of the task queue.
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed, nothing imported")

    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to=import_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    file_kind = models.CharField(_("file type"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # {"create": n, "update": n, "unchanged": n, "error": n}: of the dry run, then of the import itself.
    counts = models.JSONField(_("counts"), default=dict)
    # One entry per row of the file: its number, outcome, values as read and converted, errors and notes.
    rows = models.JSONField(_("row results"), default=list)
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    started_at = models.DateTimeField(_("import started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("import finished at"), null=True, blank=True)
    # Written from a separate connection while the import's own transaction is still open (see the service).
    progress_done = models.PositiveIntegerField(_("rows processed"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to process"), default=0)
    failure = models.TextField(_("what went wrong"), blank=True)
    # How the file was read (title rows, header rows combined, sections and totals skipped, each column's meaning).
    layout = models.JSONField(_("how the file was read"), default=dict, blank=True)
    # Staff's answers where a producer's name is only close to producers in the portal: {row: organisation id | "new"}.
    producer_choices = models.JSONField(_("producers chosen by staff"), default=dict, blank=True)

    class Meta:
        verbose_name = _("OCOP list import")
        verbose_name_plural = _("OCOP list imports")
        ordering = ["-created_at", "-pk"]
        permissions = [("import_ocop_list", _("Can import the province's OCOP list"))]
        indexes = [
            models.Index(fields=["-created_at"], name="importbatch_created_idx"),
            models.Index(fields=["sha256", "status"], name="importbatch_sha_status_idx"),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("catalog:staff-import-batch", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        """A worker is (or is about to be) checking or importing it: the page shows the progress."""
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)
