"""The check-in desk: staff find a registration, check it in, and approve or decline pending ones."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.roles import StaffPermissionRequiredMixin, actor_for
from core.http import safe_next
from events import permissions, selectors, services
from events.models import Event, Registration


class CheckInMixin(StaffPermissionRequiredMixin):
    permission_required = (permissions.MANAGE_REGISTRATIONS,)

    def get_event(self) -> Event:
        if not hasattr(self, "event"):
            self.event = get_object_or_404(Event.objects.select_related("province"), slug=self.kwargs["slug"])
        return self.event

    def get_registration(self, **lookup) -> Registration:
        return get_object_or_404(
            Registration.objects.select_related("organisation", "event", "checked_in_by"),
            event=self.get_event(),
            **lookup,
        )

    def get_registration_by_code(self) -> Registration:
        code = self.kwargs["code"].strip().upper()
        # Codes are ten letters and digits: anything else is no code (and a NUL byte would fail the query).
        if not (code.isascii() and code.isalnum() and len(code) <= 12):
            raise Http404("No such registration code.")
        return self.get_registration(code=code)

    def back_to_list(self):
        """Back to the desk's list as it was (search and page), never to another site."""
        list_url = reverse("events:staff-checkin", args=[self.get_event().slug])
        return redirect(safe_next(self.request, list_url, under=list_url))


class CheckInListView(CheckInMixin, ListView):
    template_name = "events/checkin/list.html"
    context_object_name = "registrations"
    paginate_by = 50

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:100]
        self.status = self.request.GET.get("status", "")
        return selectors.checkin_list(event=self.get_event(), query=self.query, status=self.status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, total, waiting = selectors.checkin_counts(self.get_event())
        context.update(
            {
                "event": self.get_event(),
                "counts": rows,
                "total": total,
                "waiting": waiting,
                "query": self.query,
                "status": self.status if self.status in Registration.Status.values else "",
                "statuses": Registration.Status.choices,
                "here": self.request.get_full_path(),
            }
        )
        return context


class CheckInRegistrationView(CheckInMixin, TemplateView):
    """GET shows one registration by its code with a big button; POST checks it in."""

    template_name = "events/checkin/registration.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "event": self.get_event(),
            "registration": self.get_registration_by_code(),
        }

    def post(self, request, *args, **kwargs):
        registration = self.get_registration_by_code()
        already = registration.checked_in_at is not None
        try:
            registration = services.registration_check_in(actor=actor_for(request), registration=registration)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back_to_list()
        when = formats.date_format(timezone.localtime(registration.checked_in_at), "TIME_FORMAT")
        if already:
            messages.info(
                request,
                _("%(name)s was already checked in at %(time)s.")
                % {"name": registration.organisation.name, "time": when},
            )
        else:
            messages.success(
                request,
                ngettext(
                    "%(name)s is checked in (%(people)s person) at %(time)s.",
                    "%(name)s is checked in (%(people)s people) at %(time)s.",
                    registration.people_count,
                )
                % {"name": registration.organisation.name, "people": registration.people_count, "time": when},
            )
        return self.back_to_list()


class RegistrationDecideView(CheckInMixin, View):
    """POST decision=approve|reject on a registration waiting for approval (or on the waiting list)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        registration = self.get_registration(pk=kwargs["pk"])
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            return HttpResponseBadRequest(_("Choose to approve or to decline."))
        try:
            registration = services.registration_decide(
                actor=actor_for(request), registration=registration, approve=decision == "approve"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back_to_list()
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(
                request, _("%(name)s is approved and confirmed.") % {"name": registration.organisation.name}
            )
        else:
            messages.info(request, _("%(name)s is declined.") % {"name": registration.organisation.name})
        return self.back_to_list()
