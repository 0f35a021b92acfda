from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.models import Product
from core.forms import SingleLineFieldsMixin, form_add_service_error
from events.models import Event, Registration

MAX_PEOPLE = 50

# Who may take part as what: exhibitors are producers, buyers are buyer organisations.
PARTICIPATION_BY_KIND = {
    Organisation.Kind.PRODUCER: (
        Registration.Participation.EXHIBITOR,
        Registration.Participation.SPEAKER,
        Registration.Participation.ATTENDEE,
    ),
    Organisation.Kind.BUYER: (
        Registration.Participation.BUYER,
        Registration.Participation.SPEAKER,
        Registration.Participation.ATTENDEE,
    ),
}
DEFAULT_PARTICIPATION = (Registration.Participation.SPEAKER, Registration.Participation.ATTENDEE)


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RegistrationForm(SingleLineFieldsMixin, forms.Form):
    participation = forms.ChoiceField(label=_("Taking part as"), widget=forms.RadioSelect)
    people_count = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=MAX_PEOPLE,
        initial=1,
    )
    booth = forms.CharField(
        label=_("Booth request"),
        max_length=50,
        required=False,
        help_text=_("For exhibitors: e.g. “2 tables, near power”. The organisers assign the booths."),
    )
    products = ProductChoiceField(
        label=_("Products you will show"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only your published products are listed."),
    )
    note = forms.CharField(
        label=_("Note to the organisers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    show_publicly = forms.BooleanField(
        label=_("List our organisation on the public participants page"),
        required=False,
        help_text=_(
            "Visitors then see your name, and for exhibitors your booth and products, once the registration is "
            "confirmed. Leave it unticked to stay off the public list."
        ),
    )

    def __init__(self, *args, organisation: Organisation, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.event = event
        allowed = PARTICIPATION_BY_KIND.get(organisation.kind, DEFAULT_PARTICIPATION)
        self.fields["participation"].choices = [
            (value, label) for value, label in Registration.Participation.choices if value in allowed
        ]
        self.fields["participation"].initial = allowed[0]
        self.fields["people_count"].help_text = gettext(
            "How many people of your organisation will come (at most %(max)s)."
        ) % {"max": MAX_PEOPLE}
        if organisation.kind == Organisation.Kind.PRODUCER:
            self.fields["products"].queryset = Product.objects.owned_by(organisation).published().order_by("name", "pk")
        else:
            del self.fields["products"]
            del self.fields["booth"]

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's error beside its field, or at the top when the form has no such field."""
        form_add_service_error(self, error)
