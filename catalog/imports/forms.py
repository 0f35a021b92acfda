"""Staff's answers on a dry run: which producer a row means when its name is only close to producers in the portal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.imports.checking import NEW_PRODUCER


class ProducerChoiceForm(forms.Form):
    """One choice per row with candidates: one of them, or a different producer (created by the import)."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.get("candidates")]
        for row in self.rows:
            self.fields[self.field_name(row["row"])] = forms.ChoiceField(
                label=_("Row %(row)s: %(name)s") % {"row": row["row"], "name": row.get("producer", "")},
                choices=[
                    *((str(candidate["id"]), candidate["name"]) for candidate in row["candidates"]),
                    (NEW_PRODUCER, _("A different producer: create it")),
                ],
                widget=forms.RadioSelect,
                required=False,
            )

    @staticmethod
    def field_name(number) -> str:
        return f"row-{number}"

    def bound_rows(self):
        """Each row with candidates beside its field, for the template."""
        return [(row, self[self.field_name(row["row"])]) for row in self.rows]

    def choices(self) -> dict[str, str]:
        """The answers given, by row number (rows left unanswered are not in it)."""
        return {
            str(row["row"]): self.cleaned_data[self.field_name(row["row"])]
            for row in self.rows
            if self.cleaned_data.get(self.field_name(row["row"]))
        }
