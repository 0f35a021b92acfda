from django.conf import settings
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.views.generic import TemplateView

from accounts.roles import actor_for
from catalog import selectors
from catalog.cache import VisitorPageCacheMixin, cached_data
from catalog.classification import CURRENT_RULE_SET
from catalog.models import Certificate, Product, ProductGroup
from catalog.structured_data import product_jsonld

# The months' names from Django's own translations (built once, not looked up twelve times per page).
MONTH_NAMES = [(number, MONTHS[number]) for number in range(1, 13)]


class HomeView(VisitorPageCacheMixin, TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        featured = selectors.featured_products(limit=8)
        groups = ProductGroup.objects.filter(rule_set__code=CURRENT_RULE_SET).order_by("position")
        return {
            **super().get_context_data(**kwargs),
            "figures": cached_data("home-figures", selectors.home_figures, rebuild=(selectors.home_figures, {})),
            "featured": featured,
            "groups": groups,
        }


class ProductListView(VisitorPageCacheMixin, TemplateView):
    template_name = "catalog/product_list.html"

    def get_context_data(self, **kwargs):
        result = selectors.product_list(params=self.request.GET, language=get_language())
        return {
            **super().get_context_data(**kwargs),
            "result": result,
            "page_obj": result.page,
            # A longer list is offered as a file prepared by a worker instead of a download built at once.
            "export_max_rows": settings.EXPORT_MAX_ROWS,
        }


class ProductDetailView(VisitorPageCacheMixin, TemplateView):
    template_name = "catalog/product_detail.html"

    def get_context_data(self, **kwargs):
        page = selectors.product_page(pk=kwargs["pk"], siblings=4)
        product, photos, others = page.product, page.photos, page.siblings
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
            "season": [(number, name, product.is_available_in(number)) for number, name in MONTH_NAMES],
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
