"""An organisation registers for an event, sees its registration and cancels it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import OrganisationMemberRequiredMixin
from catalog.models import Product
from events import selectors, services
from events.forms import RegistrationForm
from events.models import Registration

INACTIVE = (Registration.Status.CANCELLED, Registration.Status.REJECTED)


def _success_message(registration: Registration) -> str:
    if registration.status == Registration.Status.CONFIRMED:
        return _("Your registration is confirmed. Show the code %(code)s at the check-in desk.") % {
            "code": registration.code
        }
    if registration.status == Registration.Status.PENDING:
        return _("Your registration is received and waits for the organisers' approval. We will email you.")
    if registration.status == Registration.Status.WAITLISTED:
        return _(
            "The event is full: you are number %(position)s on the waiting list. We will email you when a place frees."
        ) % {"position": selectors.waitlist_position(registration)}
    return registration.get_status_display()


class RegistrationCreateView(OrganisationMemberRequiredMixin, TemplateView):
    template_name = "events/registration_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.event = selectors.event_get_visible(slug=kwargs["slug"], user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def existing_registration(self):
        registration = selectors.registration_get_own(event=self.event, organisation=self.actor.organisation)
        return registration if registration is not None and registration.status not in INACTIVE else None

    def render_page(self, form, status=200):
        state = selectors.registration_state(self.event)
        context = self.get_context_data(
            event=self.event,
            form=form if state == "open" else None,
            registration_state=state,
            places_left=selectors.places_left(self.event),
            organisation=self.actor.organisation,
        )
        return self.render_to_response(context, status=status)

    def new_form(self, data=None):
        return RegistrationForm(data, organisation=self.actor.organisation, event=self.event)

    def get(self, request, *args, **kwargs):
        if self.existing_registration() is not None:
            messages.info(request, _("Your organisation is already registered for this event."))
            return redirect("events:my-registration", self.event.slug)
        return self.render_page(self.new_form())

    def post(self, request, *args, **kwargs):
        form = self.new_form(request.POST)
        if selectors.registration_state(self.event) != "open":
            return self.render_page(form, status=400)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                actor=self.actor,
                event=self.event,
                participation=data["participation"],
                people_count=data["people_count"],
                products=data.get("products") or (),
                booth=data.get("booth", ""),
                note=data["note"],
                show_publicly=data["show_publicly"],
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.render_page(form, status=400)
        level = messages.SUCCESS if registration.status == Registration.Status.CONFIRMED else messages.INFO
        messages.add_message(request, level, _success_message(registration))
        return redirect("events:my-registration", self.event.slug)


class OwnRegistrationMixin(OrganisationMemberRequiredMixin):
    """The acting organisation's registration for the event of the URL; anyone else's is not found."""

    def get_registration(self) -> Registration:
        return get_object_or_404(
            Registration.objects.select_related("event", "event__province", "organisation").prefetch_related(
                Prefetch("products", queryset=Product.objects.order_by("name", "pk"))
            ),
            event__slug=self.kwargs["slug"],
            organisation=self.actor.organisation,
        )


class MyRegistrationView(OwnRegistrationMixin, TemplateView):
    template_name = "events/my_registration.html"

    def get_context_data(self, **kwargs):
        registration = self.get_registration()
        return {
            **super().get_context_data(**kwargs),
            "registration": registration,
            "event": registration.event,
            "waitlist_position": selectors.waitlist_position(registration),
            "can_cancel": registration.status not in INACTIVE and registration.checked_in_at is None,
            "can_register_again": registration.status in INACTIVE
            and selectors.registration_state(registration.event) == "open",
        }


class RegistrationCancelView(OwnRegistrationMixin, TemplateView):
    """GET asks for confirmation; POST cancels and lets the waiting list move up."""

    template_name = "events/registration_cancel.html"

    def get(self, request, *args, **kwargs):
        registration = self.get_registration()
        if registration.status in INACTIVE:
            messages.info(request, _("This registration is already cancelled."))
            return redirect("events:my-registration", registration.event.slug)
        return self.render_to_response(self.get_context_data(registration=registration, event=registration.event))

    def post(self, request, *args, **kwargs):
        registration = self.get_registration()
        try:
            services.registration_cancel(actor=self.actor, registration=registration)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("events:my-registration", registration.event.slug)
        messages.success(
            request,
            _("Your registration for “%(event)s” is cancelled. Thank you for freeing the place.")
            % {"event": registration.event.name},
        )
        return redirect(registration.event.get_absolute_url())
