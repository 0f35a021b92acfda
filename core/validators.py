"""Validators every app's fields share."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.text import CONTROL_CHARACTERS


@deconstructible
class SingleLineValidator:
    """A one-line text (a name, a title, a number): no line break, tab or other control character.

    Such a value ends in email subjects and headers, CSV cells, the admin's lists and the page's title, where a
    line break is an injection or a failure. Multi-line texts are TextFields and are not checked.
    """

    message = _("Write this on one line: line breaks, tabs and other control characters are not allowed.")
    code = "single_line"

    def __call__(self, value):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


single_line_validator = SingleLineValidator()
