import pytest
from django.core.exceptions import ValidationError

from accounts.validators import normalise_tax_code, validate_phone, validate_tax_code


@pytest.mark.parametrize("value", ["0123456789", "2200123456", "0123456789-001"])
def test_valid_tax_codes(value):
    validate_tax_code(value)


@pytest.mark.parametrize(
    "value", ["", "012345678", "01234567890", "0123456789-1", "0123456789-0001", "O123456789", "0123456789 "]
)
def test_invalid_tax_codes(value):
    with pytest.raises(ValidationError):
        validate_tax_code(value)


def test_normalise_tax_code_drops_spaces_and_dots():
    assert normalise_tax_code(" 0123.456 789-001 ") == "0123456789-001"


@pytest.mark.parametrize("value", ["0292 3821 234", "+84 292 3821 234", "0912345678", "0912.345.678"])
def test_valid_phones(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["123", "phone", "09123456789012345678", ""])
def test_invalid_phones(value):
    with pytest.raises(ValidationError):
        validate_phone(value)
