"""Filter helpers shared by the apps' FilterSets."""

import django_filters

from core.forms import CodeChoiceField


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter by a row's text code (a province): a value no code can hold is dropped as an invalid choice."""

    field_class = CodeChoiceField
