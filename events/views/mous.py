"""The MoU registry: the public list and page of each MoU, follow-up notes by its parties, the signed document.

Anyone reads who signed what and how it is followed up. The value and the signed document are for the
parties' members and for staff; another organisation's request for the document is a 404.
"""

import os

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.roles import Actor, actor_for
from catalog.models import Product
from catalog.storage import private_file_response
from core.forms import SingleLineFieldsMixin, form_add_service_error
from events import permissions, services
from events.models import Event, MoU, MoUNote, MoUParty

# --- Who sees what ------------------------------------------------------------------------------------------------


def sees_every_mou(user) -> bool:
    """Staff of the Sở Công Thương who read the registry see every value and document."""
    return user.is_authenticated and user.is_staff and user.has_perm(permissions.VIEW_MOUS)


def is_party(actor: Actor, mou: MoU) -> bool:
    """The acting organisation signed this MoU (needs `party_list` prefetched)."""
    return actor.organisation is not None and any(
        link.organisation_id == actor.organisation.pk for link in mou.party_list
    )


def may_follow_up(actor: Actor, mou: MoU) -> bool:
    """The same rule as services.mou_note_add: a party's member, or staff who change MoUs."""
    user = actor.user
    return is_party(actor, mou) or (
        user.is_authenticated and user.is_staff and user.has_perm(permissions.FOLLOW_UP_MOUS)
    )


def parties_prefetch(*, with_place: bool = False) -> Prefetch:
    links = MoUParty.objects.select_related("organisation__province" if with_place else "organisation")
    return Prefetch("party_links", queryset=links.order_by("pk"), to_attr="party_list")


# --- The list -----------------------------------------------------------------------------------------------------


class MoUFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=MoU.Kind.choices)
    event = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Event"), queryset=Event.objects.none(), empty_label=gettext_lazy("All events")
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Follow-up status"), choices=MoU.Status.choices, empty_label=gettext_lazy("All statuses")
    )
    year = django_filters.ChoiceFilter(
        label=gettext_lazy("Year signed"), method="filter_year", empty_label=gettext_lazy("All years")
    )

    class Meta:
        model = MoU
        fields = ["kind", "event", "status", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Draft events are not public: they are neither offered here nor named in the list.
        self.filters["event"].queryset = (
            Event.objects.exclude(status=Event.Status.DRAFT)
            .filter(mous__isnull=False)
            .distinct()
            .order_by("-starts_at")
        )
        years = MoU.objects.dates("signed_on", "year", order="DESC")
        self.filters["year"].extra["choices"] = [(str(day.year), str(day.year)) for day in years]

    def filter_year(self, queryset, name, value):
        return queryset.filter(signed_on__year=int(value)) if value else queryset


def mou_list(*, params) -> tuple[MoUFilter, object, dict]:
    """The filtered MoUs and their counts per kind under the other filters (so each kind's tab says what it holds)."""
    filterset = MoUFilter(params, queryset=MoU.objects.all())
    filterset.is_valid()  # an invalid value is left out; the rest still filter
    values = filterset.form.cleaned_data
    queryset = MoU.objects.all()
    for name, filter_ in filterset.filters.items():
        if name != "kind" and values.get(name) not in (None, ""):
            queryset = filter_.filter(queryset, values[name])
    counts = queryset.aggregate(
        total=Count("pk"), **{kind: Count("pk", filter=Q(kind=kind)) for kind in MoU.Kind.values}
    )
    if values.get("kind"):
        queryset = queryset.filter(kind=values["kind"])
    queryset = queryset.select_related("event").prefetch_related(parties_prefetch()).order_by("-signed_on", "-pk")
    return filterset, queryset, counts


class MoUListView(ListView):
    """Every MoU recorded, newest first; filters by kind, event, status and year."""

    template_name = "events/mous/mou_list.html"
    context_object_name = "mous"
    paginate_by = 25

    def get_queryset(self):
        self.filterset, queryset, self.counts = mou_list(params=self.request.GET)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = actor_for(self.request)
        sees_all = sees_every_mou(self.request.user)
        mous = list(context["page_obj"].object_list)
        for mou in mous:
            mou.value_visible = sees_all or is_party(actor, mou)
        selected_kind = self.filterset.form.cleaned_data.get("kind", "")
        context.update(
            {
                "mous": mous,
                "filter": self.filterset,
                "selected_kind": selected_kind,
                "kind_tabs": [
                    {"value": value, "label": label, "count": self.counts[value], "selected": value == selected_kind}
                    for value, label in MoU.Kind.choices
                ],
                "total_count": self.counts["total"],
                "shows_value": any(mou.value_visible for mou in mous),
                "is_filtered": any(self.request.GET.get(name) for name in ("event", "status", "year")),
            }
        )
        return context


# --- One MoU ------------------------------------------------------------------------------------------------------


class MoUNoteForm(SingleLineFieldsMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status now"),
        choices=MoU.Status.choices,
        help_text=gettext_lazy("The MoU takes this status."),
    )
    noted_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Between the signing and today."),
    )
    text = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For example: first order of 500 boxes placed; listed in 12 stores."),
    )


class MoUDetailView(TemplateView):
    """An MoU: who signed it, what it covers and its follow-up; its parties and staff also add notes."""

    template_name = "events/mous/mou_detail.html"

    def get_mou(self) -> MoU:
        products = Product.objects.public().select_related("producer").order_by("name", "pk")
        notes = MoUNote.objects.select_related("author").order_by("noted_on", "pk")
        queryset = MoU.objects.select_related("event").prefetch_related(
            parties_prefetch(with_place=True),
            Prefetch("products", queryset=products, to_attr="public_products"),
            Prefetch("notes", queryset=notes, to_attr="note_list"),
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        mou = self.get_mou()
        return self.render_page(mou)

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        mou = self.get_mou()
        actor = actor_for(request)
        if not may_follow_up(actor, mou):
            raise PermissionDenied("Only the parties and staff follow an MoU up.")
        form = MoUNoteForm(request.POST)
        if form.is_valid():
            try:
                services.mou_note_add(
                    actor=actor,
                    mou=mou,
                    status=form.cleaned_data["status"],
                    text=form.cleaned_data["text"],
                    noted_on=form.cleaned_data["noted_on"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("The follow-up note is recorded."))
                return redirect(reverse("events:mou-detail", args=[mou.pk]) + "#follow-up")
        return self.render_page(mou, form=form, status=400)

    def render_page(self, mou: MoU, *, form=None, status=200):
        actor = actor_for(self.request)
        private = sees_every_mou(self.request.user) or is_party(actor, mou)
        can_follow_up = may_follow_up(actor, mou)
        if can_follow_up and form is None:
            form = MoUNoteForm(initial={"status": mou.status, "noted_on": timezone.localdate()})
        context = self.get_context_data(
            mou=mou,
            private=private,
            can_follow_up=can_follow_up,
            form=form if can_follow_up else None,
            event_public=mou.event is not None and mou.event.status != Event.Status.DRAFT,
        )
        return self.render_to_response(context, status=status)


class MoUDocumentView(View):
    """The signed document, as a download, for the parties' members and staff; for anyone else it does not exist."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        mous = MoU.objects.exclude(document="")
        if not sees_every_mou(request.user):
            actor = actor_for(request)
            if actor.organisation is None:
                raise Http404
            mous = mous.filter(party_links__organisation=actor.organisation)
        mou = get_object_or_404(mous, pk=pk)
        # The stored name is generated (events.admin): the download is named after the MoU instead.
        extension = os.path.splitext(mou.document.name)[1]
        return private_file_response(mou.document, filename=f"bien-ban-ghi-nho-{mou.pk}{extension}")
