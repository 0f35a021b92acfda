"""The page cache of the public catalogue: what it serves, to whom, and that every change reaches visitors."""

import datetime

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import cache as page_cache
from catalog.models import Certificate
from catalog.services import certificate_revoke
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, subgroup
from tests.catalog.listing import listing
from tests.catalog.test_workspace import product_data
from tests.jobs import run_queued_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def maker():
    return UserFactory(organisation=ProducerFactory(legal_form="cooperative"), full_name="Người Làm Bánh")


@pytest.fixture
def product(maker):
    product = ProductFactory(producer=maker.organisation, name="Bánh pía Sóc Trăng", subgroup=subgroup("1.3.2"))
    certify(product, score="75", days_ago=100)
    return product


def test_a_visitor_gets_the_second_request_from_the_cache_without_a_query(client, product, django_assert_num_queries):
    first = client.get(product.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(product.get_absolute_url())
    assert second.status_code == 200
    assert second.content == first.content
    # A shared cache in front must not hand this page to someone with a session: it varies on the cookie.
    assert "Cookie" in second["Vary"]
    # The page from the cache carries the headers the whole stack gave it when it was rendered.
    for header in ("Content-Type", "Content-Language", "X-Frame-Options", "Content-Security-Policy", "Vary"):
        assert second[header] == first[header], header


def test_a_product_edited_in_the_workspace_shows_on_the_next_anonymous_request(client, maker, product):
    list_url = reverse("catalog:product-list")
    assert "Bánh pía Sóc Trăng" in client.get(product.get_absolute_url()).text
    assert "Bánh pía Sóc Trăng" in client.get(list_url, {"q": "banh pia"}).text

    producer_client = Client()
    producer_client.force_login(maker)
    response = producer_client.post(
        reverse("catalog:my-product-edit", args=[product.pk]),
        product_data(name="Bánh pía sầu riêng Sóc Trăng", subgroup=subgroup("1.3.2").pk),
    )
    assert response.status_code == 302

    page = client.get(product.get_absolute_url()).text
    assert "Bánh pía sầu riêng Sóc Trăng" in page
    assert "Bánh pía sầu riêng Sóc Trăng" in client.get(list_url, {"q": "banh pia"}).text


def test_the_daily_expiry_command_reaches_cached_pages(client, product):
    url = product.get_absolute_url()
    assert "star-badge" in client.get(url).text
    certificate = product.current_certificate
    # Run as on the day after the certificate's end: it is marked expired, which visitors see today too.
    call_command("certificates_expire", today=(certificate.valid_until + datetime.timedelta(days=1)).isoformat())
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.EXPIRED
    page = client.get(url).text
    assert "star-badge" not in page
    assert "Giấy chứng nhận OCOP hết hiệu lực" in page


def test_a_revocation_by_staff_reaches_the_cached_catalogue(client, product, staff):
    from django.contrib.auth.models import Permission

    from accounts.roles import Actor

    staff.user_permissions.add(Permission.objects.get(codename="certify"))
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    list_url = reverse("catalog:product-list")
    assert "Bánh pía Sóc Trăng" in client.get(list_url, {"stars": "4"}).text
    certificate_revoke(
        actor=Actor(user=staff, organisation=staff.organisation),
        certificate=product.current_certificate,
        reason="Vi phạm an toàn thực phẩm",
        revoked_on=timezone.localdate(),
    )
    assert "Bánh pía Sóc Trăng" not in client.get(list_url, {"stars": "4"}).text


def test_a_producer_hidden_by_staff_disappears_from_the_cached_home_and_catalogue(client, product):
    list_url = reverse("catalog:product-list")
    assert "Bánh pía Sóc Trăng" in client.get(list_url).text
    assert "Bánh pía Sóc Trăng" in client.get(reverse("home")).text
    organisation = product.producer
    organisation.is_verified = False
    organisation.verified_at = None
    organisation.save()
    assert "Bánh pía Sóc Trăng" not in client.get(list_url).text
    assert "Bánh pía Sóc Trăng" not in client.get(reverse("home")).text


def test_signed_in_users_never_get_nor_fill_a_cached_page(client, product, maker, staff):
    url = product.get_absolute_url()
    anonymous = client.get(url).text
    assert "Người Làm Bánh" not in anonymous

    for user in (maker, staff):
        member = Client()
        member.force_login(user)
        page = member.get(url).text
        assert user.full_name in page  # their own header, not the visitors' cached page
        assert page != anonymous

    cache.clear()
    member = Client()
    member.force_login(maker)
    assert "Người Làm Bánh" in member.get(url).text
    # The member's page was not stored: a visitor now gets a page rendered for visitors.
    assert "Người Làm Bánh" not in client.get(url).text


def rendered(client, url) -> bool:
    """True when the page was rendered (it ran queries), False when it came from the cache."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries) > 0


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, product):
    url = product.get_absolute_url()
    assert rendered(client, url)
    assert not rendered(client, url)
    client.cookies[CookieStorage.cookie_name] = "pending"
    # Rendered again rather than served from the cache, so the message is shown (and consumed).
    assert rendered(client, url)


def test_each_language_is_cached_on_its_own(client, product):
    vietnamese = client.get(reverse("home")).text
    english = client.get("/en/").text
    assert 'lang="vi"' in vietnamese
    assert 'lang="en"' in english
    assert client.get("/en/").text == english


def test_a_page_holding_a_csrf_token_is_never_stored():
    request = RequestFactory().get("/")
    get_token(request)
    response = HttpResponse("<form><input name='csrfmiddlewaretoken' value='secret'></form>")
    page_cache.page_store("test-key", request, response, generation=1)
    assert cache.get("test-key") is None

    plain = RequestFactory().get("/")
    page_cache.page_store("test-key", plain, HttpResponse("<p>the same for everyone</p>"), generation=1)
    assert cache.get("test-key") is not None


def test_a_response_that_sets_a_cookie_is_never_stored():
    request = RequestFactory().get("/")
    response = HttpResponse("<p>hello</p>")
    response.set_cookie("sessionid", "abc")
    page_cache.page_store("test-key", request, response, generation=1)
    assert cache.get("test-key") is None


def test_pages_are_keyed_by_day_so_a_certificate_lapsing_at_midnight_shows(product, monkeypatch):
    request = RequestFactory().get(product.get_absolute_url())
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    today = page_cache.page_key(request)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert page_cache.page_key(request) != today


def test_a_cache_that_fails_does_not_fail_the_page(client, product, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(page_cache.cache, "get", broken)
    monkeypatch.setattr(page_cache.cache, "get_many", broken)
    monkeypatch.setattr(page_cache.cache, "set", broken)
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    assert "Bánh pía Sóc Trăng" in response.text


def test_cached_facet_counts_follow_new_products(product):
    before = listing(q="banh pia")
    assert before.total == 1
    ProductFactory(name="Bánh pía kim sa", subgroup=subgroup("1.3.2"))
    after = listing(q="banh pia")
    assert after.total == 2
    assert {p.name for p in after.page.object_list} == {"Bánh pía Sóc Trăng", "Bánh pía kim sa"}


def test_the_cache_is_off_when_page_cache_seconds_is_zero(client, product, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = product.get_absolute_url()
    assert rendered(client, url)
    assert rendered(client, url)


def test_a_page_rendered_while_the_catalogue_changed_is_not_served():
    request = RequestFactory().get("/")
    current, cached = page_cache.page_lookup("race-key")
    assert cached is None
    page_cache.public_pages_changed()  # a producer saves while this page is being rendered
    page_cache.page_store("race-key", request, HttpResponse("<p>old data</p>"), generation=current)
    assert page_cache.page_lookup("race-key")[1] is None
    fresh_generation, _ = page_cache.page_lookup("race-key")
    page_cache.page_store("race-key", request, HttpResponse("<p>new data</p>"), generation=fresh_generation)
    assert page_cache.page_lookup("race-key")[1].content == b"<p>new data</p>"


def test_an_import_of_the_provinces_list_reaches_cached_pages(client, staff):
    from django.contrib.auth.models import Permission

    from catalog.services import imports
    from tests.catalog.test_imports import actor, check, row

    staff.user_permissions.add(Permission.objects.get(codename="import_ocop_list"))
    producer = ProducerFactory(tax_code="2200010099", name="Công ty TNHH bánh pía Hải Sơn", legal_form="enterprise")
    product = ProductFactory(producer=producer, name="Bánh pía sầu riêng trứng", subgroup=subgroup("1.3.2"))
    url = product.get_absolute_url()
    assert "star-badge" not in client.get(url).text
    assert not rendered(client, url)  # from the cache now

    imports.import_batch_confirm(actor=actor(staff), batch=check(staff, row()))

    product.refresh_from_db()
    assert product.current_certificate is not None  # the import recorded the certificate in bulk
    assert "star-badge" in client.get(url).text


# --- Figures computed again by a worker after a change -------------------------------------------------------------


def jobs_waiting() -> list[str]:
    from procrastinate.contrib.django.models import ProcrastinateJob

    return list(ProcrastinateJob.objects.filter(status="todo").values_list("task_name", flat=True))


def counts_every_product(sql: str) -> bool:
    return "COUNT(" in sql.upper() and "catalog_catalogueentry" in sql


def test_after_a_change_visitors_get_the_previous_counts_until_a_worker_has_counted_again(client, product):
    list_url = reverse("catalog:product-list")
    assert client.get(list_url).context["result"].total == 1
    other = ProductFactory(subgroup=subgroup("1.3.2"))
    certify(other, score="80", days_ago=10)

    # Three visitors after the change: none counts the catalogue, all are given the previous counts, and the page
    # drawn with them is not stored (each is drawn again); one job counts again, whatever the number of visitors.
    for _visitor in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url)
        assert response.context["result"].total == 1
        assert not [query["sql"] for query in queries.captured_queries if counts_every_product(query["sql"])]
    assert jobs_waiting() == [page_cache.REBUILD_TASK]

    assert run_queued_jobs() == 1
    fresh = client.get(list_url)
    assert fresh.context["result"].total == 2
    assert other.name in fresh.text
    # Now current, the page is stored again: the next visitor gets it without a query.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url).content == fresh.content
    assert len(queries.captured_queries) == 0


def test_a_search_counts_its_matches_again_at_once(client, product):
    list_url = reverse("catalog:product-list")
    assert client.get(list_url, {"q": "banh pia"}).context["result"].total == 1
    other = ProductFactory(name="Bánh pía kim sa", subgroup=subgroup("1.3.2"))
    certify(other, score="80", days_ago=10)
    assert client.get(list_url, {"q": "banh pia"}).context["result"].total == 2
    assert jobs_waiting() == []


def test_the_home_figures_are_computed_again_once_by_the_worker(client, product):
    assert client.get(reverse("home")).context["figures"]["products"] == 1
    certify(ProductFactory(subgroup=subgroup("1.3.2")), score="80", days_ago=5)
    assert client.get(reverse("home")).context["figures"]["products"] == 1
    job = jobs_waiting()
    assert job == [page_cache.REBUILD_TASK]
    from procrastinate.contrib.django.models import ProcrastinateJob

    args = ProcrastinateJob.objects.get(status="todo").args
    assert page_cache.figure_rebuild(**args) is True
    # The job, run again (or after another reader computed the figure), finds it current and does nothing.
    assert page_cache.figure_rebuild(**args) is False
    assert client.get(reverse("home")).context["figures"]["products"] == 2


def test_only_figures_marked_rebuildable_are_computed_by_a_worker():
    with pytest.raises(ImproperlyConfigured):
        page_cache.figure_rebuild(name="x", path="os.system", kwargs={"command": "true"})
    with pytest.raises(ImproperlyConfigured):
        page_cache.cached_data("x", lambda: 1, rebuild=(len, {}))  # first use: computed, not queued
        page_cache.public_pages_changed()
        page_cache.cached_data("x", lambda: 1, rebuild=(len, {}))


def test_a_figure_already_queued_leaves_the_readers_transaction_usable(client, product):
    """A second change before the worker ran: the reader's queueing is refused by the waiting job's queueing lock,
    and the reader's own transaction (here the test's) goes on."""
    client.get(reverse("home"))
    ProductFactory(subgroup=subgroup("1.3.2"))
    client.get(reverse("home"))
    assert jobs_waiting() == [page_cache.REBUILD_TASK]
    ProductFactory(subgroup=subgroup("1.3.2"))
    assert client.get(reverse("home")).status_code == 200
    assert jobs_waiting() == [page_cache.REBUILD_TASK]
