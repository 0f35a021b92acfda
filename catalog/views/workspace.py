from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from accounts.roles import OrganisationMemberRequiredMixin, actor_for
from catalog import services
from catalog.forms import ProducerProfileForm, ProductForm, ProductPhotoForm
from catalog.models import ProducerProfile, Product, ProductPhoto
from catalog.structured_data import product_jsonld


class ProducerWorkspaceMixin(OrganisationMemberRequiredMixin):
    """The producer's own workspace; staff acting on a producer's behalf see the same."""

    organisation_kinds = ("producer",)

    def own_products(self):
        return Product.objects.owned_by(self.actor.organisation)

    def get_own_product(self, pk):
        # Another producer's product is not found, not forbidden: its existence is not revealed.
        return get_object_or_404(self.own_products(), pk=pk)


class MyProductListView(ProducerWorkspaceMixin, ListView):
    template_name = "catalog/workspace/product_list.html"
    context_object_name = "products"
    paginate_by = 20

    def get_queryset(self):
        status = self.request.GET.get("status")
        products = self.own_products().for_listing().order_by("-updated_at", "-pk")
        if status in Product.Status.values:
            products = products.filter(status=status)
        return products

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = Product.Status.choices
        context["status"] = self.request.GET.get("status", "")
        context["has_profile"] = ProducerProfile.objects.filter(organisation=self.actor.organisation).exists()
        return context


class ProductFormMixin(ProducerWorkspaceMixin):
    template_name = "catalog/workspace/product_form.html"

    def render_form(self, form, product=None):
        return render(self.request, self.template_name, {"form": form, "product": product})


class MyProductCreateView(ProductFormMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        return self.render_form(ProductForm())

    def post(self, request, *args, **kwargs):
        form = ProductForm(request.POST, instance=Product(producer=self.actor.organisation))
        if not form.is_valid():
            return self.render_form(form)
        try:
            product = services.product_save(actor=self.actor, product=form.instance, changed_fields=form.changed_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_form(form)
        messages.success(request, _("The product is saved as a draft. Add photos, then publish it."))
        return redirect("catalog:my-product-photos", pk=product.pk)


class MyProductUpdateView(ProductFormMixin, TemplateView):
    def get(self, request, pk):
        product = self.get_own_product(pk)
        return self.render_form(ProductForm(instance=product), product)

    def post(self, request, pk):
        product = self.get_own_product(pk)
        form = ProductForm(request.POST, instance=product)
        if not form.is_valid():
            return self.render_form(form, product)
        try:
            services.product_save(actor=self.actor, product=form.instance, changed_fields=form.changed_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_form(form, product)
        messages.success(request, _("The product is saved."))
        return redirect("catalog:my-products")


class MyProductPhotosView(ProducerWorkspaceMixin, TemplateView):
    template_name = "catalog/workspace/product_photos.html"

    def get_context_data(self, **kwargs):
        product = kwargs.get("product") or self.get_own_product(kwargs["pk"])
        photos = list(product.photos.order_by("position", "pk"))
        return {
            **super().get_context_data(**kwargs),
            "product": product,
            "photos": photos,
            "product_jsonld": product_jsonld(
                product=product, photos=photos, build_absolute_uri=self.request.build_absolute_uri
            ),
            "form": kwargs.get("form") or ProductPhotoForm(),
            "certificate": product.current_certificate,
        }

    def post(self, request, pk):
        product = self.get_own_product(pk)
        form = ProductPhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.photo_add(
                    actor=self.actor,
                    product=product,
                    upload=form.cleaned_data["image"],
                    alt_text=form.cleaned_data["alt_text"],
                )
            except ValidationError as error:
                form.add_error("image", error)
            else:
                messages.success(request, _("The photo is added."))
                return redirect("catalog:my-product-photos", pk=product.pk)
        return self.render_to_response(self.get_context_data(pk=pk, product=product, form=form), status=400)


def _own_photo(request, pk, photo_pk):
    actor = actor_for(request)
    photo = get_object_or_404(
        ProductPhoto.objects.select_related("product"),
        pk=photo_pk,
        product__pk=pk,
        product__producer=actor.organisation,
    )
    return actor, photo


class _WorkspacePostView(ProducerWorkspaceMixin, TemplateView):
    http_method_names = ["post"]


class PhotoMoveView(_WorkspacePostView):
    def post(self, request, pk, photo_pk):
        actor, photo = _own_photo(request, pk, photo_pk)
        offset = -1 if request.POST.get("direction") == "up" else 1
        services.photo_move(actor=actor, photo=photo, offset=offset)
        return redirect(reverse("catalog:my-product-photos", args=[pk]) + f"#photo-{photo.pk}")


class PhotoPrimaryView(_WorkspacePostView):
    def post(self, request, pk, photo_pk):
        actor, photo = _own_photo(request, pk, photo_pk)
        services.photo_make_primary(actor=actor, photo=photo)
        messages.success(request, _("The main photo is changed."))
        return redirect("catalog:my-product-photos", pk=pk)


class PhotoDeleteView(ProducerWorkspaceMixin, TemplateView):
    """GET asks for confirmation; POST deletes."""

    template_name = "catalog/workspace/photo_confirm_delete.html"

    def get(self, request, pk, photo_pk):
        _actor, photo = _own_photo(request, pk, photo_pk)
        return self.render_to_response({"photo": photo, "product": photo.product})

    def post(self, request, pk, photo_pk):
        actor, photo = _own_photo(request, pk, photo_pk)
        try:
            services.photo_delete(actor=actor, photo=photo)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The photo is deleted."))
        return redirect("catalog:my-product-photos", pk=pk)


class ProductStatusView(_WorkspacePostView):
    actions = {
        "publish": (services.product_publish, _("The product is published.")),
        "archive": (services.product_archive, _("The product is archived: it is no longer shown to the public.")),
        "unarchive": (services.product_unarchive, _("The product is back as a draft.")),
    }

    def post(self, request, pk, action):
        product = self.get_own_product(pk)
        if action not in self.actions:
            return redirect("catalog:my-products")
        service, message = self.actions[action]
        try:
            service(actor=self.actor, product=product)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("catalog:my-product-edit", pk=pk)
        messages.success(request, message)
        return redirect("catalog:my-products")


class ProducerProfileView(ProducerWorkspaceMixin, TemplateView):
    template_name = "catalog/workspace/producer_profile_form.html"

    def get_profile(self):
        return ProducerProfile.objects.filter(organisation=self.actor.organisation).first() or ProducerProfile(
            organisation=self.actor.organisation
        )

    def get(self, request):
        return self.render_to_response({"form": ProducerProfileForm(instance=self.get_profile())})

    def post(self, request):
        form = ProducerProfileForm(request.POST, instance=self.get_profile())
        if not form.is_valid():
            return self.render_to_response({"form": form})
        services.producer_profile_save(actor=self.actor, profile=form.instance, changed_fields=form.changed_data)
        messages.success(request, _("The producer profile is saved."))
        return redirect("catalog:my-products")
