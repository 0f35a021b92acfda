"""The forms of the catalogue's admin: products and their photos, the workflow steps, certificates."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.forms import ProductForm
from catalog.models import Application, Certificate, Product, ProductSubGroup
from core.forms import SingleLineFieldsMixin
from core.images import validate_image_upload


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhotoInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("is_primary")
        ]
        if len(primaries) > 1:
            raise ValidationError(_("Only one photo can be the primary photo."))


class ProductAdminForm(forms.ModelForm):
    new_photo = forms.FileField(
        label=_("Add a photo"),
        required=False,
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG or WebP, at most 10 MB and 40 megapixels."),
    )
    new_photo_alt_text = forms.CharField(label=_("What the new photo shows"), max_length=200, required=False)

    class Meta:
        model = Product
        fields = [*ProductForm.Meta.fields, "producer", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("subgroup")
        if field is None or not (self.instance.subgroup_id and self.instance.subgroup.is_broad):
            return
        # The broad level an imported list gave stays selectable until staff choose the sub-group.
        field.queryset = ProductSubGroup.objects.filter(
            Q(is_broad=False) | Q(pk=self.instance.subgroup_id)
        ).select_related("group")
        field.help_text = _(
            "The province's list gave only this broader level of the classification: refine it to the product's "
            "sub-group."
        )


class ApplicationStepForm(SingleLineFieldsMixin, forms.Form):
    """The form of one workflow step; it knows the application and the staff member."""

    def __init__(self, *args, application: Application, user, **kwargs):
        self.application = application
        self.user = user
        super().__init__(*args, **kwargs)


class ConfirmForm(ApplicationStepForm):
    """Nothing to type: the page says what will happen and the button does it."""


class ReturnForm(ApplicationStepForm):
    message = forms.CharField(
        label=_("What the producer must add or correct"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this with the returned application."),
    )


class ScoreForm(ApplicationStepForm):
    section_a = forms.DecimalField(
        label=_("Section A — product and community strength"), max_digits=4, decimal_places=1
    )
    section_b = forms.DecimalField(label=_("Section B — marketing"), max_digits=4, decimal_places=1)
    section_c = forms.DecimalField(label=_("Section C — product quality"), max_digits=4, decimal_places=1)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule_set = self.application.cycle.rule_set
        for name, maximum in (
            ("section_a", rule_set.max_section_a),
            ("section_b", rule_set.max_section_b),
            ("section_c", rule_set.max_section_c),
        ):
            # The service checks the range against the rule set; the form only says it and guides the browser.
            self.fields[name].help_text = _("0–%(maximum)s points (%(rule_set)s)") % {
                "maximum": maximum,
                "rule_set": rule_set.code,
            }
            self.fields[name].widget.attrs.update(min=0, max=maximum)
        mine = self.application.scores.filter(scorer=self.user).first()
        if mine is not None:
            self.initial.update(
                section_a=mine.section_a, section_b=mine.section_b, section_c=mine.section_c, note=mine.note
            )


class RecogniseForm(ApplicationStepForm):
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, help_text=_("E.g. 2150/QĐ-UBND."))
    decision_date = forms.DateField(label=_("Decision date"), widget=date_input())
    level = forms.ChoiceField(
        label=_("Recognising level"),
        choices=Certificate.Level.choices,
        help_text=_("The province recognises 3 and 4 stars; 5 stars are recognised centrally (by the ministry)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].initial = timezone.localdate()
        self.fields["level"].initial = (
            Certificate.Level.CENTRAL if self.application.stars == 5 else Certificate.Level.PROVINCE
        )


class RejectForm(ApplicationStepForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this reason."),
    )


class CertificateAdminForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["product", "rule_set", "total_score", "decision_number", "decision_date", "level"]

    def _post_clean(self):
        super()._post_clean()
        # Stars and validity are derived, never typed: check the derived record as the database will.
        if self.errors:
            return
        if self.instance.decision_date > timezone.localdate():
            # Before derive(): the end of validity of a date in year 9999 is past the calendar's end.
            self.add_error("decision_date", _("The decision date cannot be in the future."))
            return
        self.instance.derive()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self.add_error(None, error)


class RevokeForm(SingleLineFieldsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The producer reads this reason; the public verification page shows the revocation."),
    )
    revoked_on = forms.DateField(label=_("Revoked on"), widget=date_input(), initial=timezone.localdate)
