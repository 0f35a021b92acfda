"""Products, their photos and producer profiles."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Actor
from accounts.services import action_record
from catalog.models import ProducerProfile, Product, ProductPhoto
from catalog.search import SEARCH_CONFIG, document_texts
from core.images import image_process
from core.queue import defer_unless_waiting

# Products reindexed per UPDATE statement when many change at once (a producer renamed, the demo).
REINDEX_BATCH = 500


def product_search_texts(product: Product) -> list[str]:
    producer = product.producer
    return [
        product.name,
        product.name_en,
        product.description,
        product.description_en,
        product.subgroup.name,
        producer.name,
        producer.ward.name if producer.ward_id else producer.former_district,
        producer.province.name,
    ]


def product_reindex(*, product_ids) -> int:
    """Rebuild the search document of these products from their current data."""
    products = Product.objects.filter(pk__in=list(product_ids)).select_related(
        "producer__ward", "producer__province", "subgroup"
    )
    products = list(products.only("pk", "name", "name_en", "description", "description_en", "subgroup", "producer"))
    documents = [(product.pk, *document_texts(product_search_texts(product))) for product in products]
    # One UPDATE from arrays per batch: the same vector as search.document_vector (folded words A, original B),
    # without building a CASE expression per product.
    with connection.cursor() as cursor:
        for start in range(0, len(documents), REINDEX_BATCH):
            ids, folded, original = zip(*documents[start : start + REINDEX_BATCH], strict=True)
            cursor.execute(
                f"UPDATE {Product._meta.db_table} AS p SET search_vector ="  # noqa: S608 - the table's own name
                " setweight(to_tsvector(%s::regconfig, d.folded), 'A')"
                " || setweight(to_tsvector(%s::regconfig, d.original), 'B')"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS d(id, folded, original) WHERE p.id = d.id",
                [SEARCH_CONFIG, SEARCH_CONFIG, list(ids), list(folded), list(original)],
            )
    return len(products)


def producer_reindex(*, organisation) -> int:
    """A producer's name or place is in each of its products' search documents."""
    return product_reindex(product_ids=organisation.products.values_list("pk", flat=True))


# The worker's jobs (catalog/tasks.py). A product's own save reindexes it in the request (one UPDATE), so the
# producer finds it by its new words at once; a change that reaches many products goes to a worker.
PRODUCER_REINDEX_TASK = "catalog.producer_reindex"
CATALOGUE_REINDEX_TASK = "catalog.catalogue_reindex"
# The producer's fields that are words of its products' search documents (product_search_texts).
PRODUCER_SEARCH_FIELDS = frozenset({"name", "ward", "province", "former_district"})


def producer_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    """post_save of an organisation: a producer renamed or moved has its products reindexed by a worker."""
    if raw or created or instance.kind != instance.Kind.PRODUCER:
        return
    if update_fields is not None and not PRODUCER_SEARCH_FIELDS & set(update_fields):
        return
    defer_unless_waiting(PRODUCER_REINDEX_TASK, lock=f"reindex:producer:{instance.pk}", organisation_id=instance.pk)


def producer_reindex_run(*, organisation_id: int) -> int:
    """The worker's side: the producer's products as they are now (nothing when it is gone)."""
    ids = Product.objects.filter(producer_id=organisation_id).values_list("pk", flat=True)
    return product_reindex(product_ids=ids)


def catalogue_reindex_later() -> bool:
    """Queue the reindex of every product (after a change to the search configuration or its dictionary)."""
    return defer_unless_waiting(CATALOGUE_REINDEX_TASK, lock="reindex:catalogue")


def catalogue_reindex(*, batch: int = 5_000) -> int:
    """Every product's search document, rebuilt in batches by id, each batch in its own short transaction."""
    done, after = 0, 0
    while True:
        ids = list(Product.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        with transaction.atomic():
            done += product_reindex(product_ids=ids)
        after = ids[-1]


@transaction.atomic
def producer_profile_save(*, actor: Actor, profile: ProducerProfile, changed_fields: list[str]) -> ProducerProfile:
    profile.full_clean()
    profile.save()
    action_record(actor=actor, verb="producer_profile_update", summary=", ".join(changed_fields))
    return profile


@transaction.atomic
def product_save(*, actor: Actor, product: Product, changed_fields: list[str] | None = None) -> Product:
    """Create or update a product of the acting producer (already validated by its form)."""
    if product.producer_id != actor.organisation.pk:
        raise ValidationError(_("A product belongs to the producer that creates it."), code="wrong_producer")
    creating = product.pk is None
    product.updated_at = timezone.now()
    product.full_clean(exclude=["search_vector"])
    product.save()
    product_reindex(product_ids=[product.pk])
    action_record(
        actor=actor,
        verb="product_create" if creating else "product_update",
        summary=f"{product.name}: {', '.join(changed_fields or [])}"[:255],
    )
    return product


def _locked_product(product: Product) -> Product:
    return Product.objects.select_for_update().get(pk=product.pk)


@transaction.atomic
def product_publish(*, actor: Actor, product: Product) -> Product:
    product = _locked_product(product)
    if product.status == Product.Status.PUBLISHED:
        return product
    if not product.photos.exists():
        raise ValidationError(_("Add at least one photo before publishing the product."), code="no_photo")
    if not product.description.strip():
        raise ValidationError(_("Describe the product before publishing it."), code="no_description")
    product.status = Product.Status.PUBLISHED
    product.published_at = product.published_at or timezone.now()
    product.updated_at = timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    action_record(actor=actor, verb="product_publish", summary=product.name)
    return product


def _product_status_set(*, actor: Actor, product: Product, status: str, verb: str) -> Product:
    product = _locked_product(product)
    product.status = status
    product.updated_at = timezone.now()
    product.save(update_fields=["status", "updated_at"])
    action_record(actor=actor, verb=verb, summary=product.name)
    return product


@transaction.atomic
def product_archive(*, actor: Actor, product: Product) -> Product:
    return _product_status_set(actor=actor, product=product, status=Product.Status.ARCHIVED, verb="product_archive")


@transaction.atomic
def product_unarchive(*, actor: Actor, product: Product) -> Product:
    """An archived product comes back as a draft, to be checked before it is published again."""
    return _product_status_set(actor=actor, product=product, status=Product.Status.DRAFT, verb="product_unarchive")


def photo_add(*, actor: Actor | None, product: Product, upload, alt_text: str = "") -> ProductPhoto:
    """Validate and process an uploaded photo, then attach it after the product's other photos."""
    # Decoding and resizing take up to a second or two: done before the transaction locks the product.
    processed = image_process(upload=upload)
    with transaction.atomic():
        return _photo_attach(actor=actor, product=product, processed=processed, alt_text=alt_text)


def _photo_attach(*, actor, product, processed, alt_text):
    product = _locked_product(product)
    last_position = product.photos.aggregate(last=Max("position"))["last"]
    photo = ProductPhoto(
        product=product,
        alt_text=alt_text[:200],
        position=0 if last_position is None else last_position + 1,
        is_primary=not product.photos.filter(is_primary=True).exists(),
    )
    photo.image.save(processed.original.name, processed.original, save=False)
    photo.thumbnail_small.save(processed.thumbnails["small"].name, processed.thumbnails["small"], save=False)
    photo.thumbnail_large.save(processed.thumbnails["large"].name, processed.thumbnails["large"], save=False)
    photo.save()
    if actor is not None:
        action_record(actor=actor, verb="photo_add", summary=product.name, organisation=product.producer)
    return photo


@transaction.atomic
def photo_move(*, actor: Actor, photo: ProductPhoto, offset: int) -> None:
    """Move a photo one place earlier (-1) or later (+1) among its product's photos."""
    _locked_product(photo.product)
    photos = list(photo.product.photos.order_by("position", "pk"))
    index = next(i for i, candidate in enumerate(photos) if candidate.pk == photo.pk)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(photos):
        return
    photos[index], photos[target] = photos[target], photos[index]
    for position, candidate in enumerate(photos):
        if candidate.position != position:
            ProductPhoto.objects.filter(pk=candidate.pk).update(position=position)
    action_record(actor=actor, verb="photo_move", summary=photo.product.name)


@transaction.atomic
def photo_make_primary(*, actor: Actor, photo: ProductPhoto) -> None:
    _locked_product(photo.product)
    ProductPhoto.objects.filter(product=photo.product, is_primary=True).exclude(pk=photo.pk).update(is_primary=False)
    ProductPhoto.objects.filter(pk=photo.pk).update(is_primary=True)
    action_record(actor=actor, verb="photo_primary", summary=photo.product.name)


@transaction.atomic
def photo_delete(*, actor: Actor, photo: ProductPhoto) -> None:
    product = _locked_product(photo.product)
    if product.status == Product.Status.PUBLISHED and product.photos.count() == 1:
        raise ValidationError(
            _("A published product keeps at least one photo. Add another photo first, or archive the product."),
            code="last_photo",
        )
    was_primary = photo.is_primary
    files = [photo.image, photo.thumbnail_small, photo.thumbnail_large]
    photo.delete()
    if was_primary:
        following = product.photos.order_by("position", "pk").first()
        if following is not None:
            ProductPhoto.objects.filter(pk=following.pk).update(is_primary=True)
    transaction.on_commit(lambda: [file.delete(save=False) for file in files if file])
    action_record(actor=actor, verb="photo_delete", summary=product.name)
