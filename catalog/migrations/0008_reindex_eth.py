"""Products whose texts write Đ as the look-alike Ð/ð were indexed under other words; index them again."""

from django.db import migrations
from django.db.models import Q


def reindex(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    look_alike = Q()
    for field in ("name", "name_en", "description", "description_en", "producer__name"):
        look_alike |= Q(**{f"{field}__regex": "[\u00d0\u00f0]"})
    ids = list(Product.objects.filter(look_alike).values_list("pk", flat=True))
    if ids:
        from catalog.services.products import product_reindex

        product_reindex(product_ids=ids)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_published_lists")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
