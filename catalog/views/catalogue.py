from django.utils.translation import get_language
from django.views.generic import TemplateView

from accounts.roles import actor_for
from catalog import selectors
from catalog.models import Certificate, Product, ProductGroup
from catalog.structured_data import product_jsonld

MONTHS = range(1, 13)


class HomeView(TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        featured = (
            Product.objects.public()
            .certified(stars=[4, 5])
            .for_listing()
            .order_by("-current_certificate__stars", "-current_certificate__decision_date", "-pk")[:8]
        )
        groups = ProductGroup.objects.filter(rule_set__code="148/2023").order_by("position")
        return {
            **super().get_context_data(**kwargs),
            "figures": selectors.home_figures(),
            "featured": featured,
            "groups": groups,
        }


class ProductListView(TemplateView):
    template_name = "catalog/product_list.html"

    def get_context_data(self, **kwargs):
        result = selectors.product_list(params=self.request.GET, language=get_language())
        return {**super().get_context_data(**kwargs), "result": result, "page_obj": result.page}


class ProductDetailView(TemplateView):
    template_name = "catalog/product_detail.html"

    def get_context_data(self, **kwargs):
        product = selectors.product_get_public(pk=kwargs["pk"])
        others = (
            Product.objects.public()
            .filter(producer=product.producer_id)
            .exclude(pk=product.pk)
            .for_listing()
            .order_by("-published_at")[:4]
        )
        photos = list(product.photos.order_by("position", "pk"))
        viewer_is_buyer = self.request.user.is_authenticated and actor_for(self.request).is_buyer
        return {
            **super().get_context_data(**kwargs),
            "product": product,
            "viewer_is_buyer": viewer_is_buyer,
            "photos": photos,
            "product_jsonld": product_jsonld(
                product=product, photos=photos, build_absolute_uri=self.request.build_absolute_uri
            ),
            "certificate": product.current_certificate,
            "other_products": others,
            "months": MONTHS,
        }


class ProducerDetailView(TemplateView):
    template_name = "catalog/producer_detail.html"

    def get_context_data(self, **kwargs):
        producer = selectors.producer_get_public(pk=kwargs["pk"])
        products = Product.objects.public().filter(producer=producer).for_listing().order_by("name")
        certificates = (
            Certificate.objects.filter(product__in=products)
            .exclude(status=Certificate.Status.SUPERSEDED)
            .select_related("product")
            .order_by("-decision_date")
        )
        return {
            **super().get_context_data(**kwargs),
            "producer": producer,
            "profile": getattr(producer, "producer_profile", None),
            "products": products,
            "certificates": certificates,
        }
