"""The benchmark's cold pages and its profiler, on a small generated catalogue."""

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings

from bench import measure, profile
from bench.generate import Generator

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_test_transaction():
    """The in-process client sends request_started/finished, which would close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def catalogue():
    Generator(products=200, producers=40, seed=5).load(log=lambda line: None, fast=False)


@override_settings(ROOT_URLCONF="bench.urls")
def test_every_cold_page_of_the_throughput_run_answers(catalogue, in_test_transaction):
    client = measure.InProcessClient()
    with measure.no_page_cache():
        for page in measure.COLD_PAGES:
            paths = measure.cold_paths(page, seed=1, count=5)
            assert paths, page
            for path in paths[:3]:
                response = client.get(path)
                assert response.status_code == 200, path
    reference = client.get(measure.cold_paths("reference", seed=1, count=1)[0])
    # The reference page is the portal's layout around the product it read.
    assert b'class="site-header"' in reference.content
    assert b"<h1>" in reference.content


def test_an_unknown_product_has_no_reference_page(in_test_transaction):
    with override_settings(ROOT_URLCONF="bench.urls"):
        assert measure.InProcessClient().get("/bench-minimal/999999999/").status_code == 404


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_profile_shows_the_view_and_is_written(catalogue, in_test_transaction, tmp_path, monkeypatch):
    monkeypatch.setattr(profile, "OUTPUT", tmp_path)
    text, per_request = profile.run("product", requests=20, seed=1)
    assert "ProductDetailView" in text
    assert per_request > 0
    assert (tmp_path / "profile-product.txt").read_text(encoding="utf-8") == text
    assert "<html" in (tmp_path / "profile-product.html").read_text(encoding="utf-8").lower()


def test_the_staff_lists_answer_a_signed_in_superuser_and_are_timed(catalogue, in_test_transaction):
    results = {"metrics": []}
    measure.staff_lists(results, log=lambda line: None)  # raises when a list does not answer 200
    rows = [metric for metric in results["metrics"] if metric["section"] == "staff"]
    assert [row["metric"] for row in rows] == [name for name, _path in measure.STAFF_PAGES]
    assert all(row["value"] > 0 and row["unit"] == "ms" and row["target"] is None for row in rows)


def test_after_a_change_the_visitors_are_timed_with_the_previous_figures_then_the_worker_counts(
    catalogue, in_test_transaction, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    results = {"metrics": []}
    measure.after_a_change(results, log=lambda line: None)
    rows = {metric["metric"]: metric for metric in results["metrics"] if metric["section"] == "after a change"}
    visitor_rows = [row for name, row in rows.items() if "right after a change" in name]
    assert len(visitor_rows) == 2
    assert all(row["target"] == "≤ 300 ms" and row["pass"] is (row["value"] <= 300) for row in visitor_rows)
    # The change made the statistics' and the catalogue's figures stale; the worker's part counted them again,
    # and its jobs are gone from the queue.
    (worker,) = [row for name, row in rows.items() if name.startswith("the worker's counts")]
    assert "(0 figures)" not in worker["metric"]
    assert measure._waiting_figure_jobs() == []
