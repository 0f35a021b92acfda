"""A change that reaches many products' search documents is rebuilt by a worker (queue `search`)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from accounts.roles import Actor
from accounts.services import organisation_update
from catalog.models import Product
from catalog.selectors import product_list
from catalog.services import products as product_services
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory
from tests.jobs import run_queued_jobs, waiting_jobs

pytestmark = pytest.mark.django_db


def found(words: str) -> list[str]:
    return sorted(product.name for product in product_list(params=QueryDict(f"q={words}")).page.object_list)


@pytest.fixture
def producer_with_products():
    producer = ProducerFactory(name="Hợp tác xã Tân Lộc")
    for name in ("Mắm cá linh", "Khô cá lóc", "Bánh phồng tôm"):
        ProductFactory(producer=producer, name=name)
    return producer


def test_a_renamed_producer_is_found_by_its_new_name_once_the_worker_has_reindexed(producer_with_products):
    producer = producer_with_products
    member = UserFactory(organisation=producer)
    assert len(found("tan loc")) == 3

    producer.name = "Hợp tác xã Phước Hưng"
    organisation_update(actor=Actor(member, producer), organisation=producer, changed_fields=["name"])

    assert waiting_jobs(product_services.PRODUCER_REINDEX_TASK) == [{"organisation_id": producer.pk}]
    assert run_queued_jobs(queues=["search"]) == 1
    assert found("phuoc hung") == ["Bánh phồng tôm", "Khô cá lóc", "Mắm cá linh"]
    assert found("tan loc") == []


def test_many_saves_before_the_worker_runs_queue_one_reindex(producer_with_products):
    producer = producer_with_products
    for name in ("Hợp tác xã A", "Hợp tác xã B", "Hợp tác xã C"):
        producer.name = name
        producer.save()
    assert len(waiting_jobs(product_services.PRODUCER_REINDEX_TASK)) == 1
    run_queued_jobs(queues=["search"])
    assert len(found("hop tac xa c")) == 3


def test_a_save_of_other_fields_or_of_a_buyer_queues_nothing(producer_with_products, buyer_org):
    producer_with_products.save(update_fields=["is_verified"])
    buyer_org.name = "Siêu thị mới"
    buyer_org.save()
    assert waiting_jobs(product_services.PRODUCER_REINDEX_TASK) == []


def test_the_job_run_twice_or_for_a_producer_gone_does_no_harm(producer_with_products):
    producer = producer_with_products
    assert product_services.producer_reindex_run(organisation_id=producer.pk) == 3
    assert product_services.producer_reindex_run(organisation_id=producer.pk) == 3
    assert found("tan loc") == ["Bánh phồng tôm", "Khô cá lóc", "Mắm cá linh"]
    assert product_services.producer_reindex_run(organisation_id=10**9) == 0


def test_the_command_queues_one_catalogue_reindex_and_now_rebuilds_every_document(producer_with_products, capsys):
    call_command("search_reindex")
    call_command("search_reindex")
    assert len(waiting_jobs(product_services.CATALOGUE_REINDEX_TASK)) == 1
    assert "already waiting" in capsys.readouterr().out

    with connection.cursor() as cursor:  # documents lost (a new dictionary, a restore without them)
        cursor.execute(f"UPDATE {Product._meta.db_table} SET search_vector = NULL")  # noqa: S608
    assert found("tan loc") == []
    assert run_queued_jobs(queues=["search"]) == 1
    assert len(found("tan loc")) == 3

    Product.objects.update(search_vector=None)
    call_command("search_reindex", "--now")
    assert "3 products reindexed" in capsys.readouterr().out
    assert found("ca linh") == ["Mắm cá linh"]


def test_the_catalogue_reindex_goes_in_batches(producer_with_products):
    ProductFactory(name="Trà mãng cầu")
    Product.objects.update(search_vector=None)
    assert product_services.catalogue_reindex(batch=2) == 4
    assert Product.objects.filter(search_vector__isnull=True).count() == 0
