from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Province, User, Ward
from accounts.validators import normalise_tax_code, validate_phone, validate_tax_code
from core.forms import CodeChoiceField, SingleLineFieldsMixin
from core.images import validate_image_upload
from core.mail import email_send


class AddressFormMixin:
    """Province first, then a ward of that province.

    The ward list holds only the chosen province's wards; without JavaScript the form shows them
    after the first submit, with JavaScript (static/js/address.js) as soon as a province is picked.
    """

    def setup_address_fields(self):
        self.fields["province"].queryset = Province.objects.all()
        self.fields["province"].empty_label = _("— Choose a province/city —")
        self.fields["ward"].empty_label = _("— Choose a ward/commune —")
        self.fields["ward"].widget.attrs["data-wards-for"] = self.add_prefix("province")
        self.fields["province"].widget.attrs["data-province-select"] = "1"
        province_code = self.data.get(self.add_prefix("province")) if self.is_bound else None
        if province_code is None:
            province_code = self.initial.get("province") or getattr(
                getattr(self, "instance", None), "province_id", None
            )
        if isinstance(province_code, Province):
            province_code = province_code.pk
        # The submitted value is not validated yet: only a code's shape is looked up (a NUL byte would fail the query).
        province_code = str(province_code or "")
        self.fields["ward"].queryset = (
            Ward.objects.filter(province_id=province_code).order_by("name")
            if province_code.isdigit() and len(province_code) <= 4
            else Ward.objects.none()
        )

    def clean_ward_in_province(self, cleaned_data):
        province = cleaned_data.get("province")
        ward = cleaned_data.get("ward")
        if province and ward and ward.province_id != province.pk:
            self.add_error(
                "ward",
                forms.ValidationError(
                    _("This ward/commune is not in %(province)s.") % {"province": province.name},
                    code="ward_outside_province",
                ),
            )


class WardChoiceField(CodeChoiceField):
    """Accepts any existing ward code, so a ward of another province gets a precise message."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if "\x00" in str(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        try:
            return Ward.objects.select_related("province").get(pk=value)
        except (Ward.DoesNotExist, ValueError, TypeError):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value):
        forms.Field.validate(self, value)

    def label_from_instance(self, obj):
        return obj.name


class SignupForm(SingleLineFieldsMixin, AddressFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), help_text=_("You sign in with this address."))
    phone = forms.CharField(label=_("Phone"), max_length=20, validators=[validate_phone])
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password; not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        help_text=_("As on the business registration, e.g. Hợp tác xã Vĩnh Kiên."),
    )
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        help_text=_("10 digits, or 10 digits, a hyphen and 3 digits for a branch (0123456789-001)."),
    )
    province = CodeChoiceField(label=_("Province/city"), queryset=Province.objects.none())
    ward = WardChoiceField(label=_("Ward/commune"), queryset=Ward.objects.none())
    street_address = forms.CharField(label=_("House number, street, hamlet"), max_length=255, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.setup_address_fields()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["tax_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Sign in, or reset your password."), code="email_taken"
            )
        return email

    def clean_tax_code(self):
        tax_code = normalise_tax_code(self.cleaned_data["tax_code"])
        validate_tax_code(tax_code)
        if Organisation.objects.filter(tax_code=tax_code).exists():
            raise forms.ValidationError(
                _("An organisation with this tax code is already registered. Ask its members to invite you."),
                code="tax_code_taken",
            )
        return tax_code

    def clean(self):
        cleaned_data = super().clean()
        self.clean_ward_in_province(cleaned_data)
        password1 = cleaned_data.get("password1")
        password2 = cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="password_mismatch"))
        if password1:
            user = User(email=cleaned_data.get("email", ""), full_name=cleaned_data.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data

    def user_data(self):
        data = self.cleaned_data
        return {"email": data["email"], "full_name": data["full_name"], "phone": data["phone"]}

    def organisation_data(self):
        data = self.cleaned_data
        return {
            "name": data["organisation_name"],
            "tax_code": data["tax_code"],
            "province": data["province"],
            "ward": data["ward"],
            "street_address": data["street_address"],
            "phone": data["phone"],
            "email": data["email"],
        }


class OrganisationForm(AddressFormMixin, forms.ModelForm):
    ward = WardChoiceField(label=_("Ward/commune"), queryset=Ward.objects.none())
    # A plain file field: the Pillow pipeline (not Django's ImageField check) decides what is an image.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB and 40 megapixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "tax_code",
            "province",
            "ward",
            "street_address",
            "phone",
            "email",
            "website",
            "logo",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"province": CodeChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_address_fields()
        self.fields["ward"].label = _("Ward/commune")

    def clean_tax_code(self):
        tax_code = normalise_tax_code(self.cleaned_data.get("tax_code", ""))
        if tax_code:
            validate_tax_code(tax_code)
            if Organisation.objects.filter(tax_code=tax_code).exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(
                    _("An organisation with this tax code is already registered."), code="tax_code_taken"
                )
        return tax_code

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        if phone:
            validate_phone(phone)
        return phone

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            validate_image_upload(logo)
        return logo

    def clean(self):
        cleaned_data = super().clean()
        self.clean_ward_in_province(cleaned_data)
        return cleaned_data


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": _("The email or password is wrong."),
        "inactive": _("This account is inactive."),
    }


class NewPasswordBesideItsFieldMixin:
    """The password rules' messages beside the new password, where it was typed, not beside its confirmation."""

    def validate_password_for_user(self, user, password_field_name=None, **kwargs):
        super().validate_password_for_user(user, "new_password1", **kwargs)


class PortalPasswordChangeForm(NewPasswordBesideItsFieldMixin, PasswordChangeForm):
    pass


class PortalSetPasswordForm(NewPasswordBesideItsFieldMixin, SetPasswordForm):
    pass


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, its email sent as every other one: stored, and delivered by a worker (core.mail).

    Django's own `send_mail` talks to the SMTP server inside the request, and drops the email if that fails.
    """

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        email_send(
            to=[to_email],
            subject=render_to_string(subject_template_name, context),
            template=email_template_name,
            context=context,
        )
