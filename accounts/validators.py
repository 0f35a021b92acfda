import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TAX_CODE_RE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")
PHONE_SEPARATORS_RE = re.compile(r"[\s.()-]")


def normalise_tax_code(value: str) -> str:
    """Drop spaces and dots people type inside a tax code ("0123 456 789" -> "0123456789")."""
    return re.sub(r"[\s.]", "", value or "")


def validate_tax_code(value: str) -> None:
    if not TAX_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _("Enter a tax code of 10 digits, or 10 digits, a hyphen and 3 digits for a branch (0123456789-001)."),
            code="invalid_tax_code",
        )


def validate_phone(value: str) -> None:
    digits = PHONE_SEPARATORS_RE.sub("", value or "").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()) or not 9 <= len(digits) <= 15:
        raise ValidationError(_("Enter a phone number of 9 to 15 digits, e.g. 0292 3821 234."), code="invalid_phone")
