"""Django's own messages that a portal user can read but Django's Vietnamese catalogue leaves in English.

Marked here so `make messages` keeps them in locale/vi, whose translations come before Django's (LOCALE_PATHS).
Each text is Django's msgid, character for character; tests/test_translations.py checks they render in Vietnamese.
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = (
    # Any text field given a NUL byte (ProhibitNullCharactersValidator).
    gettext_noop("Null characters are not allowed."),
    # A date and time field given only one of its two parts (the admin's SplitDateTimeField).
    gettext_noop("Enter a complete value."),
    # A multiple choice of objects given something that is not a key (ModelMultipleChoiceField).
    gettext_noop("“%(pk)s” is not a valid value."),
    # An upload whose name has an extension the field does not take (FileExtensionValidator).
    gettext_noop("File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."),
)
