"""schema.org/Product data for a product page, as JSON safe to place inside <script>."""

import json

from django.utils.safestring import mark_safe

from catalog.models import Product

_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def product_jsonld(*, product: Product, photos, build_absolute_uri) -> str:
    """The product's schema.org data, claiming only what the record holds.

    A certified product is public record, so it may be listed before its producer adds a photo or a description:
    then the data has no `image` and no `description` rather than empty ones.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": build_absolute_uri(product.get_absolute_url()),
        "category": product.subgroup.name,
        "manufacturer": {"@type": "Organization", "name": product.producer.name},
    }
    if product.description:
        data["description"] = product.description
    if photos:
        data["image"] = [build_absolute_uri(photo.image.url) for photo in photos]
    if product.gtin:
        data["gtin"] = product.gtin
    if product.price_min is not None:
        data["offers"] = {
            "@type": "AggregateOffer",
            "priceCurrency": "VND",
            "lowPrice": product.price_min,
            "highPrice": product.price_max if product.price_max is not None else product.price_min,
        }
    certificate = product.current_certificate
    if certificate is not None and certificate.public_status == certificate.Status.VALID:
        data["award"] = f"OCOP {certificate.stars} sao ({certificate.decision_number})"
    # Safe inside <script>: the only characters that could end the element or open markup are escaped.
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
