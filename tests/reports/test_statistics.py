"""The public statistics page: the demo's 2020 figures, what counts as certified, places, events, the charts."""

import datetime
import html
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from accounts.models import Ward
from accounts.roles import Actor
from catalog.models import Application, Certificate, ProducerProfile, Product, ProductGroup
from catalog.selectors import home_figures
from catalog.services import certificate_revoke
from events.models import Event, MoU, MoUParty
from reports import charts
from reports.selectors.statistics import certified_products
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify
from tests.events.factories import EventFactory
from tests.jobs import run_queued_jobs

PAGE = "reports:statistics"
CONFERENCE_SLUG = "ket-noi-cung-cau-soc-trang-2020"


def rows_by_label(table) -> dict:
    return {str(row[0]): row[1:] for row in table.rows}


def star_counts_in_python(products) -> Counter:
    """Stars of products certified today, computed row by row rather than by the aggregate under test."""
    return Counter(
        product.current_certificate.stars
        for product in products
        if product.current_certificate and product.current_certificate.is_valid_now
    )


# --- The demo data: the 2020 figures --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_statistics_read_99_products_52_producers_24_at_4_stars_75_at_3_and_8_proposed(
    client, django_assert_max_num_queries
):
    """One test: loading the demo takes seconds."""
    call_command("load_demo")

    with django_assert_max_num_queries(10):
        response = client.get(reverse(PAGE))
    assert response.status_code == 200
    stats = response.context["stats"]

    summary = stats.summary
    assert (summary["products"], summary["producers"]) == (99, 52)
    assert (summary["stars_4"], summary["stars_3"], summary["stars_5"]) == (24, 75, 0)
    assert summary["proposed"] == 8
    # The same words as the home page: its figures come from the catalogue's own selector.
    home = home_figures()
    assert (home["products"], home["producers"], home["four"], home["three"]) == (
        summary["products"],
        summary["producers"],
        summary["stars_4"],
        summary["stars_3"],
    )
    assert [row[1] for row in stats.stars.table.rows] == [0, 24, 75]  # 5★, 4★, 3★
    assert stats.stars.table.totals[1] == 99

    # Per group: each row against a count of its own, and the rows add up to the totals.
    groups = rows_by_label(stats.groups.table)
    for group in ProductGroup.objects.filter(rule_set__code="148/2023"):
        expected = certified_products().filter(subgroup__group=group)
        assert groups[group.name][3] == expected.count(), group.name
        assert groups[group.name][:3] == [expected.filter(current_certificate__stars=s).count() for s in (3, 4, 5)]
    assert groups["Thực phẩm"][3] > groups["Đồ uống"][3]  # mostly food, as the 2020 article says
    assert stats.groups.table.totals[1:] == [75, 24, 0, 99]

    # Legal forms: the article's 17 enterprises, 11 cooperatives and 24 households; products add up to 99.
    forms = rows_by_label(stats.legal_forms.table)
    labels = dict(ProducerProfile.LegalForm.choices)
    assert forms[str(labels["enterprise"])][0] == 17
    assert forms[str(labels["cooperative"])][0] == 11
    assert forms[str(labels["household"])][0] == 24
    assert forms[str(labels["cooperative_group"])][0] == 0
    assert stats.legal_forms.table.totals[1:] == [52, 99]
    assert sum(row[2] for row in stats.legal_forms.table.rows) == 99

    # Certificates per year: every demo product has one decision, counted by the year of its date.
    decisions = Counter(str(day.year) for day in Certificate.objects.values_list("decision_date", flat=True))
    years = {str(row[0]): row[4] for row in stats.years.table.rows}
    assert {year: count for year, count in years.items() if count} == dict(decisions)
    assert stats.years.table.totals[4] == 99
    assert [int(year) for year in years] == list(range(int(min(years)), int(max(years)) + 1))

    # Places: all the demo's producers are in Thành phố Cần Thơ, so its wards are shown straight away.
    assert [(str(row[0]), row[1], row[2]) for row in stats.provinces.table.rows] == [("Thành phố Cần Thơ", 99, 52)]
    assert stats.province.code == "92"
    assert stats.wards.table.totals[1] == 99
    assert len(stats.wards.table.rows) > 1
    ward_counts = Counter(certified_products().values_list("producer__ward__name", flat=True))
    assert {str(row[0]): row[1] for row in stats.wards.table.rows} == dict(ward_counts)

    # Events: the 2020 conference with its 14 / 8 / 34 MoUs.
    conference = Event.objects.get(slug=CONFERENCE_SLUG)
    events = {str(row[0]): row for row in stats.events.table.rows}
    assert events[conference.name][2:] == [14, 8, 34, 56]
    assert events[conference.name][0].url == conference.get_absolute_url()

    page = response.content.decode()
    for figure in ("99", "52", "24", "75"):
        assert f"<dd>{figure}</dd>" in page
    assert page.count('role="img"') == 6  # stars, groups, wards, legal forms, years, events
    assert 'aria-labelledby="chart-stars-title chart-stars-desc"' in page
    four, three = (gettext("%(stars)s stars") % {"stars": stars} for stars in (4, 3))
    assert f"{four}: 24; {three}: 75</desc>" in page


# --- What counts as certified ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_public_products_with_a_certificate_valid_today_are_counted(client):
    producer = ProducerFactory(legal_form="enterprise")
    valid = ProductFactory(producer=producer)
    certify(valid, score="75", days_ago=100)  # 4★
    lapsed = ProductFactory(producer=producer)
    certify(lapsed, score="60", days_ago=1200)  # 36 months have passed; the daily job has not run yet
    revoked = ProductFactory(producer=producer)
    certificate = certify(revoked, score="80", days_ago=50)
    certificate_revoke(
        actor=Actor(user=superuser(), organisation=None),
        certificate=certificate,
        reason="Vi phạm an toàn thực phẩm.",
        revoked_on=timezone.localdate(),
    )
    draft = ProductFactory(producer=producer, status=Product.Status.DRAFT, published_at=None)
    certify(draft, score="65", days_ago=30)
    unverified = ProductFactory(producer=ProducerFactory(is_verified=False))
    certify(unverified, score="65", days_ago=30)

    stats = client.get(reverse(PAGE)).context["stats"]

    assert stats.summary["products"] == 1
    assert stats.summary["producers"] == 1
    assert (stats.summary["stars_4"], stats.summary["stars_3"]) == (1, 0)
    assert star_counts_in_python(Product.objects.public().select_related("current_certificate")) == {4: 1}
    # Certificates issued: every decision on record, as the register lists them, whatever became of it or its product.
    assert stats.years.table.totals[4] == 5
    assert stats.years.table.totals[4] == client.get(reverse("reports:certificate-register")).context["paginator"].count


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_a_product_proposed_for_5_stars_is_counted_once_and_only_while_proposed(client):
    from catalog.models import EvaluationCycle, RuleSet

    cycle = EvaluationCycle.objects.create(
        year=2026,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 12, 31),
    )
    proposed = ProductFactory()
    certify(proposed, score="85")
    Application.objects.create(
        product=proposed, cycle=cycle, status=Application.Status.PROPOSED_CENTRAL, total_score=92
    )
    scored = ProductFactory()
    Application.objects.create(product=scored, cycle=cycle, status=Application.Status.SCORED, total_score=75)

    assert client.get(reverse(PAGE)).context["stats"].summary["proposed"] == 1


# --- Places --------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_provinces(db):
    """Two certified products in Cần Thơ (two wards), one in Hà Nội."""
    wards = list(Ward.objects.filter(province_id="92").order_by("name")[:2])
    hanoi_ward = Ward.objects.filter(province_id="01").order_by("name").first()
    for ward in (*wards, hanoi_ward):
        product = ProductFactory(producer=ProducerFactory(ward=ward, province=ward.province))
        certify(product)
    return wards, hanoi_ward


def test_places_list_the_provinces_and_a_province_drills_into_its_wards(client, two_provinces):
    wards, _hanoi_ward = two_provinces

    stats = client.get(reverse(PAGE)).context["stats"]
    assert stats.province is None and stats.wards is None
    provinces = {str(row[0]): row[1] for row in stats.provinces.table.rows}
    assert provinces == {"Thành phố Cần Thơ": 2, "Thành phố Hà Nội": 1}
    page = client.get(reverse(PAGE)).content.decode()
    assert escape(f"{reverse(PAGE)}?province=92#figure-wards") in page

    response = client.get(reverse(PAGE), {"province": "92"})
    stats = response.context["stats"]
    assert stats.province.name == "Thành phố Cần Thơ"
    assert {str(row[0]): row[1] for row in stats.wards.table.rows} == {ward.name: 1 for ward in wards}
    assert response.context["province_selected"]


@pytest.mark.parametrize("code", ["99", "<script>", "1234567", "01'--"])
def test_an_unknown_province_shows_every_province_and_says_so(client, two_provinces, code):
    response = client.get(reverse(PAGE), {"province": code})

    assert response.status_code == 200
    assert response.context["stats"].province is None
    assert response.context["unknown_province"]
    assert "<script>" not in response.content.decode()


def test_a_province_without_certified_products_shows_an_empty_ward_table(client, two_provinces):
    response = client.get(reverse(PAGE), {"province": "79"})

    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.province.code == "79"
    assert stats.wards.table.rows == []
    assert not response.context["unknown_province"]


# --- Events --------------------------------------------------------------------------------------------------------


def mou(event, kind, signer):
    record = MoU.objects.create(kind=kind, title=f"Biên bản {kind}", signed_on=datetime.date(2025, 5, 5), event=event)
    MoUParty.objects.create(mou=record, organisation=signer)
    return record


@pytest.mark.django_db
def test_events_list_published_and_closed_events_with_their_mou_counts_never_drafts(client):
    now = timezone.now()
    past = {
        "starts_at": now - datetime.timedelta(days=30),
        "registration_opens_at": now - datetime.timedelta(days=60),
        "registration_closes_at": now - datetime.timedelta(days=31),
    }
    closed = EventFactory(status=Event.Status.CLOSED, **past)
    draft = EventFactory(status=Event.Status.DRAFT, **past)
    upcoming_without_mous = EventFactory(status=Event.Status.PUBLISHED)
    signer = OrganisationFactory(kind="agency", is_verified=True)
    for kind in (MoU.Kind.BUSINESS, MoU.Kind.BUSINESS, MoU.Kind.AGENCY_AGENCY):
        mou(closed, kind, signer)
    mou(draft, MoU.Kind.BUSINESS, signer)

    stats = client.get(reverse(PAGE)).context["stats"]

    events = {str(row[0]): row[2:] for row in stats.events.table.rows}
    assert events == {closed.name: [1, 0, 2, 3]}
    assert draft.name not in events and upcoming_without_mous.name not in events


# --- Empty database, query counts, English -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fresh_database_renders_the_page_with_empty_states(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get(reverse(PAGE))

    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.is_empty
    assert stats.summary == {"products": 0, "producers": 0, "stars_5": 0, "stars_4": 0, "stars_3": 0, "proposed": 0}
    page = response.content.decode()
    assert 'role="img"' not in page  # a chart of zeros says nothing: the tables say it
    assert "empty-state" in page


def test_the_query_count_does_not_grow_with_products_places_and_events(client, two_provinces):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(PAGE), {"province": "92"}).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for ward in Ward.objects.filter(province_id__in=["79", "48"]).order_by("code")[:6]:
        for score in ("55", "75"):
            certify(ProductFactory(producer=ProducerFactory(ward=ward, province=ward.province)), score=score)
    signer = OrganisationFactory(kind="agency", is_verified=True)
    for index in range(3):
        event = EventFactory(
            starts_at=timezone.now() - datetime.timedelta(days=10 + index),
            registration_opens_at=timezone.now() - datetime.timedelta(days=40),
            registration_closes_at=timezone.now() - datetime.timedelta(days=20),
        )
        mou(event, MoU.Kind.BUSINESS, signer)

    assert queries() == few <= 10


def test_the_page_reads_in_english_under_en(client, two_provinces):
    with translation.override("en"):
        url = reverse(PAGE)
    response = client.get(url)

    assert url.startswith("/en/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Certified products by product group" in response.content.decode()


def test_the_main_navigation_links_to_the_statistics_page(client, db):
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse(PAGE)}"' in page


# --- The charts ----------------------------------------------------------------------------------------------------


def test_a_bar_chart_is_an_image_with_title_description_and_values_and_bars_in_proportion():
    svg = str(
        charts.bar_chart(
            key="chart-x",
            title="Sản phẩm theo nhóm",
            bars=[charts.Bar("Thực phẩm", 80), charts.Bar("Đồ uống", 20), charts.Bar("Sinh vật cảnh", 0)],
        )
    )

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert '<title id="chart-x-title">Sản phẩm theo nhóm</title>' in svg
    assert '<desc id="chart-x-desc">Thực phẩm: 80; Đồ uống: 20; Sinh vật cảnh: 0</desc>' in svg
    widths = [float(width) for width in re.findall(r'class="chart__bar" [^>]*width="([0-9.]+)%"', svg)]
    assert widths == [charts.PLOT_SHARE, charts.PLOT_SHARE / 4]
    assert re.search(r">80</text>", svg) and re.search(r">20</text>", svg) and re.search(r">0</text>", svg)
    assert "<script" not in svg


def test_chart_text_is_escaped_and_long_labels_wrap_on_two_lines():
    long_label = "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch " * 2
    svg = str(
        charts.bar_chart(
            key="chart-y",
            title="<b>Tiêu đề</b>",
            bars=[charts.Bar('<script>alert("x")</script>', 3), charts.Bar(long_label, 2)],
        )
    )

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg
    lines = [html.unescape(line) for line in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)]
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)
    assert sum(1 for line in lines if "Dịch vụ" in line or "…" in line) >= 1
    assert len(lines) == 1 + charts.LABEL_LINES


def test_a_column_chart_draws_one_column_per_label_with_values_above():
    svg = str(
        charts.column_chart(
            key="chart-z",
            title="Giấy chứng nhận theo năm",
            columns=[charts.Bar("2024", 30), charts.Bar("2025", 0), charts.Bar("2026", 15)],
        )
    )

    heights = [int(height) for height in re.findall(r'class="chart__bar" [^>]*height="([0-9]+)"', svg)]
    assert heights == [charts.COLUMN_PLOT, charts.COLUMN_PLOT // 2]  # the empty year has no column, only its 0
    assert re.findall(r'class="chart__label"[^>]*>([^<]*)<', svg) == ["2024", "2025", "2026"]
    assert "2024: 30; 2025: 0; 2026: 15" in svg


def test_charts_of_nothing_or_only_zeros_draw_nothing():
    assert charts.bar_chart(key="a", title="t", bars=[]) == ""
    assert charts.bar_chart(key="a", title="t", bars=[charts.Bar("x", 0)]) == ""
    assert charts.column_chart(key="b", title="t", columns=[charts.Bar("2020", 0)]) == ""


# --- The shared cache of the catalogue's aggregates ---------------------------------------------------------------


@pytest.fixture
def shared_cache(settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_the_catalogue_aggregates_are_read_once_and_shared(client, two_provinces, shared_cache):
    def statements(**params) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(PAGE), params).status_code == 200
        return [query["sql"] for query in queries.captured_queries]

    def counts_certified(sql: str) -> bool:
        """An aggregate over the products or certificates (the applications' count is read each time)."""
        tables = 'FROM "catalog_product"' in sql or 'FROM "catalog_certificate"' in sql
        return "COUNT(" in sql and tables and "catalog_application" not in sql

    first, second = statements(), statements()
    assert len([sql for sql in first if counts_certified(sql)]) == 4  # stars and forms, groups, provinces, years
    assert not [sql for sql in second if counts_certified(sql)], second
    # A province's wards are kept on their own: the first drill-down reads them, the next does not.
    assert [sql for sql in statements(province="92") if counts_certified(sql) and "accounts_ward" in sql]
    assert not [sql for sql in statements(province="92") if counts_certified(sql)]


def test_a_new_certificate_a_revocation_and_a_hidden_producer_reach_the_cached_figures(
    client, two_provinces, shared_cache
):
    """After a change the page answers at once with the previous figures; a worker counts again, then it shows."""
    wards, hanoi_ward = two_provinces

    def stats_after_the_worker(**params):
        before = client.get(reverse(PAGE), params).context["stats"]
        assert run_queued_jobs(queues=["figures"]) >= 1  # the stale figures were given to a worker
        return before, client.get(reverse(PAGE), params).context["stats"]

    stats = client.get(reverse(PAGE)).context["stats"]
    assert (stats.summary["products"], stats.summary["stars_5"]) == (3, 0)

    five = ProductFactory(producer=ProducerFactory(ward=hanoi_ward, province=hanoi_ward.province))
    certify(five, score="95", level=Certificate.Level.CENTRAL)
    previous, stats = stats_after_the_worker()
    assert (previous.summary["products"], previous.summary["stars_5"]) == (3, 0)
    assert (stats.summary["products"], stats.summary["stars_5"]) == (4, 1)
    assert {str(row[0]): row[1] for row in stats.provinces.table.rows}["Thành phố Hà Nội"] == 2
    assert stats.years.table.totals[4] == 4

    certificate_revoke(
        actor=Actor(user=superuser(), organisation=None),
        certificate=five.certificates.get(),
        reason="Vi phạm an toàn thực phẩm.",
        revoked_on=timezone.localdate(),
    )
    previous, stats = stats_after_the_worker()
    assert (previous.summary["stars_5"], stats.summary["stars_5"]) == (1, 0)

    client.get(reverse(PAGE), {"province": "92"})  # the wards of the province, counted once
    producer = Product.objects.filter(producer__ward=wards[0]).get().producer
    producer.is_verified = False
    producer.save()
    previous, stats = stats_after_the_worker(province="92")
    assert previous.summary["products"] == 3
    assert stats.summary["products"] == 2
    assert {str(row[0]): row[1] for row in stats.wards.table.rows} == {wards[1].name: 1}
