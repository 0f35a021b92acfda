"""Buyers' profiles, shortlists, sourcing requests, offers and explained suggestions.

Each view authorises through the lookup (another buyer's request or shortlist item is a 404), then
calls a selector or a service from `matchmaking.selectors` / `matchmaking.services.sourcing`.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.roles import OrganisationMemberRequiredMixin, actor_for
from core.forms import form_add_service_error
from core.http import int_or_none, safe_next
from matchmaking.forms.sourcing import (
    BuyerProfileForm,
    OfferForm,
    ShortlistAddForm,
    ShortlistNoteForm,
    SourcingRequestForm,
    month_labels,
    standard_labels,
)
from matchmaking.models import BuyerProfile, SourcingRequest
from matchmaking.selectors import readiness, suggestions
from matchmaking.selectors import sourcing as selectors
from matchmaking.services import sourcing as services

# Suggestions are a ranked short list, not a catalogue: the best ones and the closest exclusions.
SHOWN_SUGGESTIONS = 50


class BuyerRequiredMixin(OrganisationMemberRequiredMixin):
    """A buyer organisation's page (its members, or staff acting on its behalf)."""

    organisation_kinds = ("buyer",)


# --- Buyer profile ------------------------------------------------------------------------------------------------


class BuyerProfileView(BuyerRequiredMixin, TemplateView):
    template_name = "matchmaking/sourcing/buyer_profile_form.html"

    def get_profile(self) -> BuyerProfile:
        return selectors.buyer_profile_get(organisation=self.actor.organisation) or BuyerProfile(
            organisation=self.actor.organisation
        )

    def get(self, request, *args, **kwargs):
        profile = self.get_profile()
        return self.render_to_response(
            self.get_context_data(form=BuyerProfileForm(instance=profile), is_new=profile._state.adding)
        )

    def post(self, request, *args, **kwargs):
        profile = self.get_profile()
        is_new = profile._state.adding
        form = BuyerProfileForm(request.POST, instance=profile)
        if form.is_valid():
            try:
                services.buyer_profile_save(
                    actor=self.actor,
                    profile=form.instance,
                    subgroups=list(form.cleaned_data["subgroups"]),
                    provinces_served=list(form.cleaned_data["provinces_served"]),
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Your buyer profile is saved."))
                return redirect("matchmaking:profile-suggestions")
        return self.render_to_response(self.get_context_data(form=form, is_new=is_new), status=400)


# --- Shortlist ----------------------------------------------------------------------------------------------------


class ShortlistView(BuyerRequiredMixin, ListView):
    template_name = "matchmaking/sourcing/shortlist.html"
    context_object_name = "items"
    paginate_by = 25

    def get_queryset(self):
        return selectors.shortlist_list(buyer=self.actor.organisation)


class ShortlistAddView(BuyerRequiredMixin, View):
    """POST a product or producer id (and an optional note) from a product page or a suggestion list."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        back = safe_next(request, reverse("matchmaking:shortlist"))
        form = ShortlistAddForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or _("Choose a product or a producer."))
            return redirect(back)
        product, producer = selectors.shortlist_target_get(
            product_id=form.cleaned_data["product"], producer_id=form.cleaned_data["producer"]
        )
        try:
            item, created = services.shortlist_add(
                actor=self.actor, product=product, producer=producer, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        if created:
            messages.success(request, _("“%(name)s” is added to your shortlist.") % {"name": item})
        else:
            messages.info(request, _("“%(name)s” is already in your shortlist.") % {"name": item})
        return redirect(back)


class ShortlistItemView(BuyerRequiredMixin, TemplateView):
    """GET: edit the note (or, with ?delete, confirm the removal). POST: save the note, or remove the item."""

    template_name = "matchmaking/sourcing/shortlist_item.html"

    def get(self, request, pk):
        item = selectors.shortlist_item_get(buyer=self.actor.organisation, pk=pk)
        if "delete" in request.GET:
            return self.render_page(item, confirm_delete=True)
        return self.render_page(item, form=ShortlistNoteForm(initial={"note": item.note}))

    def post(self, request, pk):
        item = selectors.shortlist_item_get(buyer=self.actor.organisation, pk=pk)
        if request.POST.get("action") == "delete":
            services.shortlist_remove(actor=self.actor, item=item)
            messages.success(request, _("“%(name)s” is removed from your shortlist.") % {"name": item})
            return redirect("matchmaking:shortlist")
        form = ShortlistNoteForm(request.POST)
        if not form.is_valid():
            return self.render_page(item, form=form, status=400)
        services.shortlist_note_update(actor=self.actor, item=item, note=form.cleaned_data["note"])
        messages.success(request, _("The note is saved."))
        return redirect("matchmaking:shortlist")

    def render_page(self, item, *, form=None, confirm_delete=False, status=200):
        context = self.get_context_data(item=item, form=form, confirm_delete=confirm_delete)
        return self.render_to_response(context, status=status)


# --- Sourcing requests --------------------------------------------------------------------------------------------


class SourcingRequestListView(LoginRequiredMixin, ListView):
    """Buyers: their own requests, any status. Verified producers: open requests. Staff: all."""

    template_name = "matchmaking/sourcing/request_list.html"
    context_object_name = "requests"
    paginate_by = 20

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.actor = actor_for(request)
            self.audience = selectors.request_audience(self.actor)
            if self.audience is None:
                raise PermissionDenied("Sourcing requests are for buyers, producers and staff.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.filterset, queryset = selectors.sourcing_request_list(actor=self.actor, params=self.request.GET)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "audience": self.audience,
                "filter": self.filterset,
                "unverified_producer": self.audience == "producer" and not self.actor.organisation.is_verified,
                "is_filtered": any(self.request.GET.get(name) for name in ("subgroup", "province", "status")),
            }
        )
        return context


class SourcingRequestCreateView(BuyerRequiredMixin, TemplateView):
    template_name = "matchmaking/sourcing/request_form.html"

    def get(self, request, *args, **kwargs):
        organisation = self.actor.organisation
        initial = {"delivery_province": organisation.province_id, "min_stars": 3}
        profile = selectors.buyer_profile_get(organisation=organisation)
        if profile is not None:
            initial.update({"min_stars": profile.min_stars, "standards_required": profile.standards_required})
        return self.render_to_response(self.get_context_data(form=SourcingRequestForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        form = SourcingRequestForm(request.POST, instance=SourcingRequest(buyer=self.actor.organisation))
        if form.is_valid():
            try:
                sourcing_request = services.sourcing_request_create(actor=self.actor, sourcing_request=form.instance)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Your sourcing request is posted. Verified producers can now answer it."))
                return redirect("matchmaking:request-detail", pk=sourcing_request.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SourcingRequestDetailView(LoginRequiredMixin, TemplateView):
    """The buyer sees its request and the way to its offers; a verified producer sees it and may send an offer."""

    template_name = "matchmaking/sourcing/request_detail.html"

    def get(self, request, pk):
        actor = actor_for(request)
        return self.render_page(actor, selectors.sourcing_request_get(actor=actor, pk=pk))

    def post(self, request, pk):
        actor = actor_for(request)
        access = selectors.sourcing_request_get(actor=actor, pk=pk)
        if access.role != "producer":
            raise PermissionDenied("Only verified producers send offers.")
        form = OfferForm(request.POST, producer=actor.organisation)
        if form.is_valid():
            try:
                services.offer_submit(
                    actor=actor,
                    sourcing_request=access.sourcing_request,
                    products=list(form.cleaned_data["products"]),
                    quantity_per_month=form.cleaned_data["quantity_per_month"],
                    unit=form.cleaned_data["unit"],
                    price=form.cleaned_data["price"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Your offer is sent. The buyer is told by email."))
                return redirect("matchmaking:request-detail", pk=pk)
        return self.render_page(actor, access, form=form, status=400)

    def render_page(self, actor, access, *, form=None, status=200):
        sourcing_request = access.sourcing_request
        context = {
            "sourcing_request": sourcing_request,
            "role": access.role,
            "taking_offers": services.offers_accepted(sourcing_request),
            "standards": standard_labels(sourcing_request.standards_required),
            "months": month_labels(sourcing_request.months_needed),
        }
        if access.role == "producer":
            own_offer = selectors.offer_get(sourcing_request=sourcing_request, producer=actor.organisation)
            context["own_offer"] = own_offer
            if own_offer is None and context["taking_offers"]:
                form = form or OfferForm(
                    producer=actor.organisation,
                    initial={"unit": sourcing_request.unit, "quantity_per_month": sourcing_request.quantity_per_month},
                )
                context["offer_form"] = form
                context["has_products"] = form.fields["products"].queryset.exists()
            elif form is not None:
                # The request closed (or an offer arrived from another tab) while the form was open.
                context["offer_errors"] = form.non_field_errors()
        return self.render_to_response(self.get_context_data(**context), status=status)


class SourcingRequestStatusView(BuyerRequiredMixin, View):
    """POST status=closed or status=filled; the request's buyer only."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sourcing_request = selectors.own_request_get(actor=self.actor, pk=pk)
        status = request.POST.get("status", "")
        try:
            services.sourcing_request_set_status(actor=self.actor, sourcing_request=sourcing_request, status=status)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if status == SourcingRequest.Status.FILLED:
                messages.success(request, _("The request is marked as filled. It takes no more offers."))
            else:
                messages.success(request, _("The request is closed. It takes no more offers."))
        return redirect("matchmaking:request-detail", pk=pk)


class OfferCompareView(BuyerRequiredMixin, TemplateView):
    """The request's offers side by side; its buyer only."""

    template_name = "matchmaking/sourcing/offer_compare.html"

    def get_context_data(self, **kwargs):
        sourcing_request = selectors.own_request_get(actor=self.actor, pk=self.kwargs["pk"])
        offers = selectors.offer_compare(sourcing_request=sourcing_request)
        lowest = min((offer.price for offer in offers), default=None)
        return super().get_context_data(sourcing_request=sourcing_request, offers=offers, lowest_price=lowest, **kwargs)


# --- Suggestions, explained ---------------------------------------------------------------------------------------


class RequestSuggestionsView(BuyerRequiredMixin, TemplateView):
    template_name = "matchmaking/sourcing/request_suggestions.html"

    def get_context_data(self, **kwargs):
        sourcing_request = selectors.own_request_get(actor=self.actor, pk=self.kwargs["pk"])
        suggested, excluded = suggestions.request_suggestions(sourcing_request)
        return super().get_context_data(
            sourcing_request=sourcing_request,
            months=month_labels(sourcing_request.months_needed),
            suggested=suggested[:SHOWN_SUGGESTIONS],
            excluded=excluded[:SHOWN_SUGGESTIONS],
            suggested_count=len(suggested),
            excluded_count=len(excluded),
            shortlisted=selectors.shortlisted_product_ids(buyer=self.actor.organisation),
            **kwargs,
        )


class ProfileSuggestionsView(BuyerRequiredMixin, TemplateView):
    template_name = "matchmaking/sourcing/profile_suggestions.html"

    def get_context_data(self, **kwargs):
        profile = selectors.buyer_profile_get(organisation=self.actor.organisation)
        context = {"profile": profile}
        if profile is not None:
            suggested, excluded = suggestions.profile_suggestions(profile)
            context.update(
                suggested=suggested[:SHOWN_SUGGESTIONS],
                excluded=excluded[:SHOWN_SUGGESTIONS],
                suggested_count=len(suggested),
                excluded_count=len(excluded),
                shortlisted=selectors.shortlisted_product_ids(buyer=self.actor.organisation),
            )
        return super().get_context_data(**context, **kwargs)


class ProducerOpportunitiesView(OrganisationMemberRequiredMixin, TemplateView):
    """A verified producer's open sourcing requests that fit its products, ranked like the buyers' suggestions."""

    organisation_kinds = ("producer",)
    template_name = "matchmaking/sourcing/producer_opportunities.html"

    def get_context_data(self, **kwargs):
        organisation = self.actor.organisation
        context = {"verified": organisation.is_verified, "opportunities": [], "unmet": []}
        if organisation.is_verified:
            fitting, unmet = suggestions.producer_opportunities(producer=organisation)
            context.update(
                opportunities=fitting[:SHOWN_SUGGESTIONS],
                unmet=unmet[:SHOWN_SUGGESTIONS],
                has_products=suggestions.has_published_products(organisation),
            )
        return super().get_context_data(**context, **kwargs)


class ReadinessView(LoginRequiredMixin, TemplateView):
    """A chain's listing checklist against a public product's records: met items and gaps.

    A buyer compares with its own profile; the product's producer picks a buyer with ?buyer=<id>.
    """

    template_name = "matchmaking/sourcing/readiness.html"

    def get_context_data(self, **kwargs):
        actor = actor_for(self.request)
        product = readiness.readiness_product_get(pk=self.kwargs["product_pk"])
        context = {"product": product, "profile": None, "buyers": None}
        if actor.is_buyer:
            context["viewer"] = "buyer"
            context["profile"] = selectors.buyer_profile_get(organisation=actor.organisation)
        elif actor.is_producer and product.producer_id == actor.organisation.pk:
            context["viewer"] = "producer"
            context["buyers"] = readiness.readiness_buyers()
            if self.request.GET.get("buyer"):
                buyer_id = int_or_none(self.request.GET["buyer"])
                if buyer_id is None:
                    raise Http404
                context["profile"] = readiness.readiness_buyer_get(organisation_id=buyer_id)
                context["selected_buyer"] = buyer_id
        else:
            raise Http404
        if context["profile"] is not None:
            items = readiness.product_readiness(product=product, profile=context["profile"])
            met_count = sum(1 for _code, _label, met, _detail in items if met)
            context.update(items=items, met_count=met_count, gap_count=len(items) - met_count)
        return super().get_context_data(**context, **kwargs)
