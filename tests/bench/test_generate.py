"""The benchmark's data generator: fast rows that the portal reads exactly like its own."""

import pytest
from django.db import connection

from bench import vocabulary
from bench.generate import Generator, vectors_agree
from catalog.models import CatalogueEntry, Certificate, Product
from catalog.search import fold

pytestmark = pytest.mark.django_db


def test_generated_products_are_indexed_exactly_as_the_portal_indexes_them():
    before = Product.objects.count()
    summary = Generator(products=400, producers=80, seed=3).load(log=lambda line: None, fast=False)
    assert summary.products == 400
    assert Product.objects.count() == before + 400
    agreeing, checked = vectors_agree(sample=120)
    assert checked == 120
    assert agreeing == checked
    # The database's triggers built every product's catalogue entry as the rows arrived.
    assert CatalogueEntry.objects.count() == Product.objects.count()
    # Certificates follow the rules the database enforces (stars from the score, 5 stars central).
    assert Certificate.objects.filter(stars=5).exclude(level="central").count() == 0
    assert Product.objects.filter(current_certificate__isnull=False).exists()


def test_the_same_seed_gives_the_same_data():
    def producers(seed):
        generator = Generator(products=10, producers=30, seed=seed)
        with connection.cursor() as cursor:
            generator._references(cursor)
        return [row[2] for row in generator._producers(1)]

    assert producers(11) == producers(11)
    assert producers(11) != producers(12)


def test_the_vocabulary_has_a_long_tail_of_distinct_words():
    words = vocabulary.ranked_vocabulary(seed=1)
    distinct = {word for unit in words for word in unit.lower().split()}
    assert len(distinct) >= 5000
    # Folding merges tones (mắm/mâm) but the folded vocabulary stays large.
    assert len({fold(word) for word in distinct}) >= 5000
    weights = vocabulary.zipf_cumulative_weights(len(words))
    # Zipf: the 100 most frequent words are drawn more often than the thousands of the tail together.
    assert weights[99] > weights[-1] - weights[99]
