"""Form helpers: a service's refusal shown on the form that asked for the change, a choice by text code."""

from django import forms
from django.core.exceptions import ValidationError

from core.validators import single_line_validator


def field_error(field: str, message, *, code: str) -> ValidationError:
    """A ValidationError for one field that keeps its code (a dict of plain messages would lose it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def form_add_service_error(
    form: forms.Form, error: ValidationError, *, field: str | None = None, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError beside the fields it names; the rest on `field`, or above the form.

    `aliases` maps a name the service uses to the form field that shows it (a service's `proposed_times` is
    shown beside the form's first time field).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(field, error)
        return
    for name, errors in error.error_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields else field, errors)


class CodeChoiceField(forms.ModelChoiceField):
    """A choice of a row by its text code (a province, a ward). A value with a NUL byte, which no code holds
    and PostgreSQL cannot compare, is an invalid choice before it reaches the database."""

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SingleLineFieldsMixin:
    """A form (not a ModelForm, whose model fields check it) whose one-line text fields refuse control characters.

    Every CharField of the form drawn as a one-line input (not a textarea, not a password) gets the validator, so
    a line break in a name is refused beside its field before anything is saved.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if (
                type(field) is forms.CharField
                and not isinstance(field.widget, forms.Textarea | forms.PasswordInput)
                and single_line_validator not in field.validators
            ):
                field.validators.append(single_line_validator)
