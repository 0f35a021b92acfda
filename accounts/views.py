from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, TemplateView, UpdateView

from accounts import services
from accounts.filters import OrganisationFilter
from accounts.forms import (
    EmailAuthenticationForm,
    OrganisationForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SignupForm,
)
from accounts.models import ActionRecord, Organisation, Ward
from accounts.roles import (
    ACT_ON_BEHALF_PERMISSION,
    OrganisationMemberRequiredMixin,
    StaffPermissionRequiredMixin,
    actor_for,
)
from core.http import int_or_none, safe_next

SIGNUP_KINDS = {"producer": Organisation.Kind.PRODUCER, "buyer": Organisation.Kind.BUYER}


class SignupChoiceView(TemplateView):
    template_name = "accounts/signup_choice.html"


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    def dispatch(self, request, *args, **kwargs):
        self.kind = SIGNUP_KINDS.get(kwargs["kind"])
        if self.kind is None:
            raise Http404
        if request.user.is_authenticated:
            return redirect("accounts:dashboard")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kind": self.kind,
            "kind_label": Organisation.Kind(self.kind).label,
        }

    def form_valid(self, form):
        try:
            user = services.organisation_signup(
                kind=self.kind,
                user_data=form.user_data(),
                organisation_data=form.organisation_data(),
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _("Your account is ready. Staff of the Department of Industry and Trade will verify your organisation."),
        )
        return redirect("accounts:dashboard")


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class DashboardView(OrganisationMemberRequiredMixin, TemplateView):
    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        organisation = self.actor.organisation
        records = ActionRecord.objects.filter(organisation=organisation).select_related("actor")[:10]
        return {**super().get_context_data(**kwargs), "organisation": organisation, "records": records}

    def dispatch(self, request, *args, **kwargs):
        # Staff without an organisation land on their own page.
        if request.user.is_authenticated and request.user.is_staff and actor_for(request).organisation is None:
            return redirect("accounts:staff-organisations")
        return super().dispatch(request, *args, **kwargs)


class OrganisationUpdateView(OrganisationMemberRequiredMixin, UpdateView):
    form_class = OrganisationForm
    template_name = "accounts/organisation_form.html"
    success_url = reverse_lazy("accounts:dashboard")

    def get_object(self, queryset=None):
        return self.actor.organisation

    def form_valid(self, form):
        services.organisation_update(actor=self.actor, organisation=form.instance, changed_fields=form.changed_data)
        messages.success(self.request, _("The organisation profile is saved."))
        return redirect(self.success_url)


class StaffOrganisationListView(StaffPermissionRequiredMixin, TemplateView):
    """Staff pick an organisation to act for, or to open in the admin."""

    permission_required = (ACT_ON_BEHALF_PERMISSION,)
    template_name = "accounts/staff_organisations.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        # A value the form refuses (a NUL byte, an unknown kind) is shown beside its field and filters nothing.
        filterset = OrganisationFilter(
            self.request.GET or None, queryset=Organisation.objects.with_address().order_by("name", "pk")
        )
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "filter": filterset,
            "page_obj": page,
            "is_filtered": any(self.request.GET.get(name) for name in filterset.filters),
        }


@require_POST
def acting_start_view(request, pk):
    if not request.user.is_authenticated or not request.user.is_staff:
        raise PermissionDenied
    if not request.user.has_perm(ACT_ON_BEHALF_PERMISSION):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    services.acting_start(request=request, organisation=organisation)
    messages.info(request, _("You are now acting on behalf of %(name)s.") % {"name": organisation.name})
    # Staff may come from a page they want to go back to (the meeting board, a check-in desk).
    return redirect(safe_next(request, reverse("accounts:dashboard")))


@require_POST
def acting_stop_view(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    services.acting_stop(request=request)
    messages.info(request, _("You are acting as yourself again."))
    return redirect(reverse("accounts:staff-organisations") if request.user.is_staff else reverse("home"))


@require_GET
def ward_options_view(request):
    """The wards of one province, for the address pickers."""
    province = int_or_none(request.GET.get("province"), max_digits=4)
    if province is None:
        return JsonResponse({"wards": []})
    wards = Ward.objects.filter(province_id=province).order_by("name").values_list("code", "name")
    response = JsonResponse({"wards": [{"code": code, "name": name} for code, name in wards]})
    response["Cache-Control"] = "public, max-age=86400"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The emailed link proves who the member is: a sign-in lock from earlier wrong passwords ends here.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
