"""Open data: the certified OCOP products as JSON, with one documented schema.

`PRODUCT_FIELDS` and `DOCUMENT_FIELDS` are the single description of the format: the JSON Schema served at
/open-data/products.schema.json, the page /open-data/ that explains every field, and the test that checks
the output are all generated from them. A field is added here, with its type, meaning and example, or it
does not exist. Field names never change within a `SCHEMA_VERSION`.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate, ProducerProfile, Product, Standard

# 1.1: the ward may be null (a producer from a list that named only its former district), with that district in
# `producer.former_district`; the score may be null (a decision that published only its stars).
SCHEMA_VERSION = "1.1"
PAGE_SIZE = 500
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Field:
    path: str  # dotted: "producer.province.code"
    type: str  # a JSON Schema type: string, integer, number, boolean, array, object
    description: object  # lazy text, in the reader's language
    example: object
    format: str = ""  # date, date-time, uri
    nullable: bool = False
    enum: tuple = ()
    items: str = ""  # the type of an array's items
    minimum: float | None = None
    maximum: float | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count(".")

    def type_label(self) -> str:
        label = f"array of {self.items}" if self.type == "array" else self.type
        if self.format:
            label += f" ({self.format})"
        return f"{label} or null" if self.nullable else label


LEGAL_FORMS = tuple(ProducerProfile.LegalForm.values)
LEVELS = tuple(Certificate.Level.values)
STANDARDS = tuple(Standard.values)

DOCUMENT_FIELDS = (
    Field("schema_version", "string", _("Version of this format. Field names never change within a version."), "1.1"),
    Field("generated_at", "string", _("When this document was generated."), "2026-03-01T08:00:00+07:00", "date-time"),
    Field("licence", "object", _("The licence under which the data may be reused."), None),
    Field("licence.name", "string", _("Name of the licence."), LICENCE_NAME),
    Field("licence.url", "string", _("Address of the licence text."), LICENCE_URL, "uri"),
    Field("publisher", "string", _("The agency that publishes the data."), "Sở Công Thương thành phố Cần Thơ"),
    Field("source", "string", _("The portal the data comes from."), "https://ocop.example.gov.vn", "uri"),
    Field("count", "integer", _("Number of certified products in the whole data set (all pages)."), 99, minimum=0),
    Field("page", "integer", _("This page's number, from 1."), 1, minimum=1),
    Field("pages", "integer", _("Number of pages."), 1, minimum=1),
    Field("page_size", "integer", _("Products per page (the last page may hold fewer)."), PAGE_SIZE, minimum=1),
    Field("next", "string", _("Address of the next page; null on the last page."), None, "uri", nullable=True),
    Field("previous", "string", _("Address of the previous page; null on the first."), None, "uri", nullable=True),
    Field("products", "array", _("The certified products of this page, by id."), None, items="object"),
)

PRODUCT_FIELDS = (
    Field("id", "integer", _("The product's number on the portal; it does not change."), 17, minimum=1),
    Field("url", "string", _("The product's public page."), "https://ocop.example.gov.vn/products/17/", "uri"),
    Field("name", "string", _("Name of the product, in Vietnamese."), "Trà mãng cầu Cẩm Thiều"),
    Field("name_en", "string", _("Name in English; empty when the producer gave none."), "Soursop tea"),
    Field("group", "object", _("The OCOP product group (Decision 148/QĐ-TTg, 2023)."), None),
    Field("group.code", "string", _("Code of the group."), "1"),
    Field("group.name", "string", _("Name of the group, in Vietnamese."), "Thực phẩm"),
    Field("group.name_en", "string", _("Name of the group, in English."), "Food"),
    Field("subgroup", "object", _("The OCOP sub-group."), None),
    Field("subgroup.code", "string", _("Code of the sub-group."), "1.5.2"),
    Field("subgroup.name", "string", _("Name of the sub-group, in Vietnamese."), "Chè từ thực vật khác"),
    Field("subgroup.name_en", "string", _("Name of the sub-group, in English."), "Herbal and other plant teas"),
    Field("producer", "object", _("Who makes the product (the OCOP subject, chủ thể)."), None),
    Field("producer.id", "integer", _("The producer's number on the portal."), 4, minimum=1),
    Field("producer.name", "string", _("Name of the producer."), "Công ty TNHH MTV Cẩm Thiều"),
    Field(
        "producer.legal_form",
        "string",
        _("Legal form: enterprise, cooperative, cooperative_group or household; null when not recorded."),
        "enterprise",
        nullable=True,
        enum=LEGAL_FORMS,
    ),
    Field(
        "producer.url", "string", _("The producer's public page."), "https://ocop.example.gov.vn/producers/4/", "uri"
    ),
    Field("producer.province", "object", _("Province or centrally-run city (units since 1 July 2025)."), None),
    Field("producer.province.code", "string", _("Official code of the province."), "92"),
    Field("producer.province.name", "string", _("Name of the province."), "Thành phố Cần Thơ"),
    Field(
        "producer.ward",
        "object",
        _(
            "Ward, commune or special zone (units since 1 July 2025); null while it is not recorded, for a producer "
            "taken from a list that named only its former district."
        ),
        None,
        nullable=True,
    ),
    Field("producer.ward.code", "string", _("Official code of the ward or commune."), "31783"),
    Field("producer.ward.name", "string", _("Name of the ward or commune."), "Phường Vĩnh Châu"),
    Field(
        "producer.former_district",
        "string",
        _("The district (before 1 July 2025) a published list gave for the producer; null when none was recorded."),
        None,
        nullable=True,
    ),
    Field("certificate", "object", _("The product's OCOP certificate, valid on the day the document was made."), None),
    Field("certificate.decision_number", "string", _("Number of the recognition decision."), "1234/QĐ-UBND"),
    Field("certificate.decision_date", "string", _("Date of the recognition decision."), "2024-10-15", "date"),
    Field("certificate.stars", "integer", _("OCOP stars: 3, 4 or 5."), 4, minimum=3, maximum=5),
    Field(
        "certificate.score",
        "number",
        _(
            "Total score out of 100, from which the stars follow; null when the decision was recorded from a list "
            "that published only its stars."
        ),
        75.5,
        nullable=True,
        minimum=50,
        maximum=100,
    ),
    Field(
        "certificate.level",
        "string",
        _("Who recognised it: district, province or central (5 stars are central only)."),
        "province",
        enum=LEVELS,
    ),
    Field("certificate.rule_set", "string", _("The OCOP rule set the evaluation used."), "148/2023"),
    Field(
        "certificate.valid_until",
        "string",
        _("Last day of validity (36 months after the decision)."),
        "2027-10-15",
        "date",
    ),
    Field(
        "standards",
        "array",
        _("Standards the producer holds for this product (codes)."),
        ["haccp", "vietgap"],
        items="string",
        enum=STANDARDS,
    ),
    Field(
        "updated_at",
        "string",
        _("When the product's data last changed on the portal."),
        "2026-02-20T10:12:00+07:00",
        "date-time",
    ),
)


# --- The schema ---------------------------------------------------------------------------------------------------


def _property(field: Field) -> dict:
    schema: dict = {"description": str(field.description)}
    if field.type == "array":
        item = {"type": field.items}
        if field.enum:
            item["enum"] = list(field.enum)
        schema.update({"type": "array", "items": item})
        return schema
    schema["type"] = [field.type, "null"] if field.nullable else field.type
    if field.format:
        schema["format"] = field.format
    if field.enum:
        schema["enum"] = [*field.enum, *([None] if field.nullable else [])]
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema


def _object_schema(fields: tuple[Field, ...], prefix: str = "") -> dict:
    """The JSON Schema of an object whose fields are `fields` under `prefix`; every field required, no others."""
    properties = {}
    for field in fields:
        if not field.path.startswith(prefix) or "." in field.path[len(prefix) :]:
            continue
        if field.type == "object":
            nested = _object_schema(fields, field.path + ".")
            if field.nullable:  # its properties apply when it is an object
                nested["type"] = ["object", "null"]
            properties[field.name] = {"description": str(field.description), **nested}
        else:
            properties[field.name] = _property(field)
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def products_schema(*, schema_url: str = "") -> dict:
    """The JSON Schema of /open-data/products.json."""
    document = _object_schema(DOCUMENT_FIELDS)
    document["properties"]["products"]["items"] = {"$ref": "#/$defs/product"}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        **({"$id": schema_url} if schema_url else {}),
        "title": "OCOP products",
        "description": str(_("Certified OCOP products of the province, published by %(agency)s."))
        % {"agency": settings.PORTAL_AGENCY},
        "x-schema-version": SCHEMA_VERSION,
        **document,
        "$defs": {"product": _object_schema(PRODUCT_FIELDS)},
    }


# --- The data -----------------------------------------------------------------------------------------------------


def certified_products():
    """Public products whose certificate is valid today, with everything a record holds, by id."""
    return (
        Product.objects.public()
        .certified()
        .select_related(
            "producer__province",
            "producer__ward",
            "producer__producer_profile",
            "subgroup__group",
            "current_certificate__rule_set",
        )
        .order_by("pk")
    )


def _day(value: datetime.date) -> str:
    return value.isoformat()


def product_record(product: Product, *, absolute_url) -> dict:
    producer = product.producer
    profile = getattr(producer, "producer_profile", None)
    certificate = product.current_certificate
    group = product.subgroup.group
    return {
        "id": product.pk,
        "url": absolute_url(product.get_absolute_url()),
        "name": product.name,
        "name_en": product.name_en,
        "group": {"code": group.code, "name": group.name, "name_en": group.name_en},
        "subgroup": {"code": product.subgroup.code, "name": product.subgroup.name, "name_en": product.subgroup.name_en},
        "producer": {
            "id": producer.pk,
            "name": producer.name,
            "legal_form": profile.legal_form if profile else None,
            "url": absolute_url(producer_url(producer.pk)),
            "province": {"code": producer.province_id, "name": producer.province.name},
            "ward": {"code": producer.ward_id, "name": producer.ward.name} if producer.ward_id else None,
            "former_district": producer.former_district or None,
        },
        "certificate": {
            "decision_number": certificate.decision_number,
            "decision_date": _day(certificate.decision_date),
            "stars": certificate.stars,
            "score": float(certificate.total_score) if certificate.score_published else None,
            "level": certificate.level,
            "rule_set": certificate.rule_set.code,
            "valid_until": _day(certificate.valid_until),
        },
        "standards": list(product.standards),
        "updated_at": timezone.localtime(product.updated_at).isoformat(timespec="seconds"),
    }


def producer_url(pk: int) -> str:
    return reverse("catalog:producer-detail", args=[pk])


def products_document(*, page_number, absolute_url, page_url) -> dict:
    """One page of the data set; raises django.core.paginator.InvalidPage for a page that does not exist."""
    paginator = Paginator(certified_products(), PAGE_SIZE, allow_empty_first_page=True)
    page = paginator.page(page_number)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "publisher": settings.PORTAL_AGENCY,
        "source": settings.PORTAL_URL or absolute_url("/"),
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": PAGE_SIZE,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "products": [product_record(product, absolute_url=absolute_url) for product in page.object_list],
    }


def example_document() -> dict:
    """A document built from the fields' examples: what the page shows, checked by the tests like the real one."""

    def build(fields, prefix=""):
        built = {}
        for field in fields:
            if not field.path.startswith(prefix) or "." in field.path[len(prefix) :]:
                continue
            built[field.name] = build(fields, field.path + ".") if field.type == "object" else field.example
        return built

    document = build(DOCUMENT_FIELDS)
    document["products"] = [build(PRODUCT_FIELDS)]
    return document
