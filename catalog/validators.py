from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (weights 3,1,3,… from the right)."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    if not value:
        return
    # isdigit() alone admits "²" and other digits int() cannot read.
    if not (value.isascii() and value.isdigit()) or len(value) not in GTIN_LENGTHS:
        raise ValidationError(
            _("A GTIN barcode has 8, 12, 13 or 14 digits (Vietnamese barcodes start with 893)."), code="gtin_format"
        )
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            _("The last digit of this barcode does not match: check the number on the package."), code="gtin_check"
        )
