from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.managers import UserManager
from accounts.querysets import OrganisationQuerySet, WardQuerySet
from accounts.validators import validate_tax_code


class Province(models.Model):
    """A province or centrally-run city of the 2025 structure (34 units)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ward(models.Model):
    """A ward, commune or special zone (phường/xã/đặc khu) of the 2025 structure."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards", verbose_name=_("province"))
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)

    objects = WardQuerySet.as_manager()

    class Meta:
        verbose_name = _("ward/commune")
        verbose_name_plural = _("wards/communes")
        ordering = ["province", "name"]
        indexes = [models.Index(fields=["province", "name"], name="ward_province_name_idx")]

    def __str__(self):
        return f"{self.name}, {self.province_id and self.province.name}"


class LegacyWard(models.Model):
    """A ward of the 63-province structure before 1 July 2025, and the 2025 ward it became."""

    code = models.CharField(_("code"), max_length=8)
    province_name = models.CharField(_("former province"), max_length=100)
    district_name = models.CharField(_("former district"), max_length=100)
    name = models.CharField(_("former ward/commune"), max_length=100)
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, related_name="legacy_wards", verbose_name=_("current ward")
    )

    class Meta:
        verbose_name = _("former ward/commune")
        verbose_name_plural = _("former wards/communes")
        ordering = ["province_name", "district_name", "name"]
        constraints = [models.UniqueConstraint(fields=["code", "district_name"], name="legacyward_code_district_uniq")]

    def __str__(self):
        return f"{self.name}, {self.district_name}, {self.province_name}"


class Organisation(models.Model):
    """A producer, a buyer or an agency; users act as members of one organisation."""

    class Kind(models.TextChoices):
        PRODUCER = "producer", _("Producer")
        BUYER = "buyer", _("Buyer")
        AGENCY = "agency", _("Agency")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        blank=True,
        validators=[validate_tax_code],
        help_text=_("10 digits, or 10 digits, a hyphen and 3 digits for a branch (0123456789-001)."),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("province/city")
    )
    # Empty only for a producer imported from a list that names its former district, not its commune: since
    # 1 July 2025 a district has become several wards, so staff complete it (the dashboard's "to complete").
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, related_name="organisations", verbose_name=_("ward/commune")
    )
    former_district = models.CharField(
        _("former district"),
        max_length=100,
        blank=True,
        help_text=_("The district (before 1 July 2025) a list gave instead of the ward or commune."),
    )
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    description = models.TextField(_("description"), blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        permissions = [
            ("verify_organisation", _("Can verify organisations")),
            ("act_on_behalf", _("Can act on behalf of an organisation")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~models.Q(tax_code=""), name="organisation_tax_code_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_code="") | models.Q(tax_code__regex=r"^[0-9]{10}(-[0-9]{3})?$"),
                name="organisation_tax_code_format",
            ),
            models.CheckConstraint(
                condition=models.Q(is_verified=False) | models.Q(verified_at__isnull=False),
                name="organisation_verified_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "is_verified"], name="organisation_kind_verified_idx"),
            models.Index(Lower("name"), name="organisation_lower_name_idx"),
            # The default order (lists; the admin adds -id): an index scan instead of sorting every organisation.
            models.Index(fields=["name", "-id"], name="organisation_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def place_name(self) -> str:
        """Where the organisation is, in today's units: its ward and province (its former district until then)."""
        local = self.ward.name if self.ward_id else self.former_district
        return ", ".join(part for part in (local, self.province.name) if part)

    @property
    def full_address(self):
        return ", ".join(part for part in (self.street_address, self.place_name) if part)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Designates whether the user can log into the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_uniq")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[-1] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class ActionRecord(models.Model):
    """Who really did something for an organisation, including staff acting on its behalf."""

    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="action_records", verbose_name=_("actor"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="action_records", verbose_name=_("organisation")
    )
    on_behalf = models.BooleanField(_("on behalf"), default=False)
    verb = models.CharField(_("action"), max_length=60)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("action record")
        verbose_name_plural = _("action records")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="actionrecord_org_created_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.verb}"
