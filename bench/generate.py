"""Generate a large catalogue quickly: pre-built rows loaded with COPY, indexes built after the load.

Producers (organisations with their profiles), products, certificates and photo rows (all photos
share one placeholder file). The search document of each product is built from the same texts as
`catalog.services.product_search_texts` with the project's own `catalog.search.document_texts`, and
turned into a tsvector by the same SQL that `catalog.search.document_vector` produces, so a generated
product is found exactly as a product saved through the portal (`vectors_agree` checks a sample).
Deterministic: the same seed on the same day gives the same data.
"""

import base64
import datetime
import io
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bench import vocabulary
from catalog.models import CERTIFICATE_VALIDITY_MONTHS, add_months
from catalog.search import SEARCH_CONFIG, document_texts, fold

CHUNK = 20_000
HOME_PROVINCE = "92"  # Thành phố Cần Thơ: the portal's own province has most of the producers
HOME_SHARE = 0.55
LEGAL_FORMS = [("enterprise", 30), ("cooperative", 20), ("cooperative_group", 5), ("household", 45)]
LEGAL_PREFIXES = {
    "enterprise": [
        "Công ty TNHH",
        "Công ty TNHH MTV",
        "Công ty CP",
        "Doanh nghiệp tư nhân",
        "Công ty TNHH Thực phẩm",
        "Công ty CP Nông sản",
        "Công ty TNHH Đặc sản",
    ],
    "cooperative": ["Hợp tác xã", "Hợp tác xã Nông nghiệp", "Hợp tác xã Dịch vụ", "Hợp tác xã Thủy sản"],
    "cooperative_group": ["Tổ hợp tác"],
    "household": ["Hộ kinh doanh", "Cơ sở"],
}
STANDARDS = [("vietgap", 30), ("haccp", 25), ("iso22000", 10), ("organic", 8), ("globalgap", 5), ("gmp", 5)]
STANDARDS += [("halal", 2), ("fssc22000", 3), ("gi", 4)]
UNITS = ["hộp", "chai", "túi", "kg", "gói", "hũ", "cái", "thùng"]
PLACEHOLDER = "products/bench-placeholder.jpg"
PLACEHOLDER_SMALL = "products/bench-placeholder-small.jpg"
PLACEHOLDER_LARGE = "products/bench-placeholder-large.jpg"

# Tables whose secondary indexes are dropped during the load and built again afterwards.
LOADED_TABLES = [
    "accounts_organisation",
    "catalog_producerprofile",
    "catalog_product",
    "catalog_certificate",
    "catalog_productphoto",
    "catalog_catalogueentry",
]

PRODUCT_COLUMNS = [
    "id",
    "name",
    "name_en",
    "description",
    "description_en",
    "unit",
    "packaging",
    "price_min",
    "price_max",
    "shelf_life_days",
    "monthly_capacity",
    "capacity_unit",
    "minimum_order",
    "months_available",
    "standards",
    "gtin",
    "status",
    "created_at",
    "updated_at",
    "published_at",
    "current_certificate_id",
    "producer_id",
    "subgroup_id",
]


@dataclass
class Summary:
    producers: int = 0
    products: int = 0
    published: int = 0
    certificates: int = 0
    photos: int = 0
    distinct_words: int = 0
    distinct_folded_words: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(str(item) for item in value) + "}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row))
        buffer.write("\n")
        count += 1
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608 - fixed names
        copy.write(buffer.getvalue())
    return count


def _code(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()


def _weighted(rng: random.Random, pairs, k: int = 1):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=k)


class Generator:
    """Builds the rows; `load` writes them through COPY in chunks."""

    def __init__(self, *, products: int, producers: int, seed: int, today: datetime.date | None = None):
        self.product_count = products
        self.producer_count = producers
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not a secret
        self.today = today or timezone.localdate()
        self.now = timezone.now().replace(microsecond=0)
        self.vocabulary = vocabulary.ranked_vocabulary(seed)
        self.cumulative = vocabulary.zipf_cumulative_weights(len(self.vocabulary))
        self.english_cumulative = vocabulary.zipf_cumulative_weights(len(vocabulary.ENGLISH_WORDS), 0.9)
        self.words_seen: set[str] = set()
        # Within a sub-group, its product terms follow a Zipf curve too (the first term is the most common).
        self.term_weights = {
            count: vocabulary.zipf_cumulative_weights(count, 1.0)
            for count in {len(terms) for terms in vocabulary.SUBGROUP_TERMS.values()}
        }

    # Reference data --------------------------------------------------------------------------

    def _references(self, cursor):
        cursor.execute(
            "SELECT s.id, s.code, s.name FROM catalog_productsubgroup s JOIN catalog_productgroup g ON g.id = s.group_id"
            " JOIN catalog_ruleset r ON r.id = g.rule_set_id WHERE r.code = '148/2023'"
        )
        self.subgroups = {code: (pk, name) for pk, code, name in cursor.fetchall()}
        cursor.execute("SELECT code, name FROM accounts_province ORDER BY code")
        self.provinces = dict(cursor.fetchall())
        cursor.execute("SELECT code, province_id, name FROM accounts_ward ORDER BY code")
        self.wards: dict[str, list[tuple[str, str]]] = {}
        for code, province, name in cursor.fetchall():
            self.wards.setdefault(province, []).append((code, name))
        cursor.execute("SELECT code, id, decision_date FROM catalog_ruleset ORDER BY decision_date")
        self.rule_sets = [(code, pk, day) for code, pk, day in cursor.fetchall()]
        others = sorted(code for code in self.wards if code != HOME_PROVINCE)
        self.rng.shuffle(others)
        # The home province first, then a Zipf-like spread over the other provinces.
        self.province_weights = [(HOME_PROVINCE, HOME_SHARE)] + [
            (code, (1 - HOME_SHARE) / (rank + 1) / sum(1 / (r + 1) for r in range(len(others))))
            for rank, code in enumerate(others)
        ]

    def _next_ids(self, cursor):
        ids = {}
        for table in ("accounts_organisation", "catalog_product", "catalog_certificate", "catalog_productphoto"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - fixed names
            ids[table] = cursor.fetchone()[0]
        return ids

    # Rows -------------------------------------------------------------------------------------

    def _brand(self) -> str:
        return " ".join(self.rng.sample(vocabulary.NAME_SYLLABLES, 2))

    def _producers(self, first_id: int):
        """(organisation row, profile row, name, ward name, province name, brand) per producer."""
        rng = self.rng
        provinces = rng.choices(
            [code for code, _w in self.province_weights],
            weights=[weight for _code, weight in self.province_weights],
            k=self.producer_count,
        )
        forms = _weighted(rng, LEGAL_FORMS, k=self.producer_count)
        producers = []
        for index in range(self.producer_count):
            pk = first_id + index
            province = provinces[index]
            ward_code, ward_name = rng.choice(self.wards[province])
            form = forms[index]
            brand = self._brand()
            name = f"{rng.choice(LEGAL_PREFIXES[form])} {brand}"
            verified = rng.random() < 0.97
            created = self.now - datetime.timedelta(days=rng.randint(30, 2500))
            organisation = (
                pk,
                "producer",
                name,
                f"{3_000_000_000 + pk:010d}",
                f"Ấp {rng.randint(1, 12)}",
                f"0{rng.randint(200, 299)} {rng.randint(1_000_000, 9_999_999)}",
                "",
                "",
                "",
                "",
                verified,
                created if verified else None,
                created,
                province,
                ward_code,
                "",
            )
            profile = (
                pk,
                form,
                "",
                f"{name} sản xuất tại {ward_name}, {self.provinces[province]}.",
                "Cửa hàng tại cơ sở",
            )
            producers.append((organisation, profile, name, ward_name, self.provinces[province], brand))
        return producers

    def _description(self, name: str, producer: str) -> str:
        count = self.rng.randint(10, 24)
        fill = " ".join(self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count))
        self.words_seen.update(fill.lower().split())
        return f"{name} của {producer}: {fill}."

    def _english(self, name_en: str, producer: str) -> str:
        count = self.rng.randint(8, 18)
        fill = self.rng.choices(vocabulary.ENGLISH_WORDS, cum_weights=self.english_cumulative, k=count)
        return f"{name_en} by {producer}: {' '.join(fill)}."

    def _certificates(self, product_id: int, next_id: int):
        """The product's certificates (older superseded ones first) and the current one's id, or none."""
        rng = self.rng
        if rng.random() >= 0.75:
            return [], None
        rows = []
        days_ago = rng.randint(10, 1800)
        history = [days_ago + rng.randint(1100, 1300)] if rng.random() < 0.1 else []
        for position, age in enumerate([*history, days_ago]):
            current = position == len(history)
            stars = _weighted(rng, [(3, 70), (4, 26), (5, 4)])[0]
            score = {3: rng.randint(500, 699), 4: rng.randint(700, 899), 5: rng.randint(900, 1000)}[stars] / 10
            decision_date = self.today - datetime.timedelta(days=age)
            valid_until = add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS)
            status, revoked_on, reason = "valid", None, ""
            if not current:
                status = "superseded"
            elif rng.random() < 0.02:
                status, revoked_on, reason = "revoked", decision_date + datetime.timedelta(days=200), "Vi phạm ATTP"
            elif valid_until < self.today and rng.random() < 0.8:
                status = "expired"  # the rest lapsed after the last run of the daily command
            # The rule set in force on the decision date (the oldest one for decisions before it).
            rule_set = next(
                (pk for _code, pk, day in reversed(self.rule_sets) if day <= decision_date), self.rule_sets[0][1]
            )
            level = "central" if stars == 5 else rng.choice(["province", "province", "district"])
            rows.append(
                (
                    next_id + position,
                    score,
                    stars,
                    f"{rng.randint(100, 9999)}/QĐ-UBND",
                    decision_date,
                    level,
                    valid_until,
                    status,
                    revoked_on,
                    reason,
                    _code(rng),
                    None,
                    self.now,
                    None,
                    product_id,
                    rule_set,
                )
            )
        return rows, next_id + len(history)

    def _product(self, pk: int, producer, certificate_id):
        rng = self.rng
        code = _weighted(rng, vocabulary.SUBGROUP_WEIGHTS.items())[0]
        subgroup_id, subgroup_name = self.subgroups[code]
        terms = vocabulary.SUBGROUP_TERMS[code]
        term, term_en = rng.choices(terms, cum_weights=self.term_weights[len(terms)])[0]
        organisation, _profile, producer_name, ward_name, province_name, brand = producer
        name = term
        if rng.random() < 0.45:
            name += " " + rng.choice(vocabulary.VARIANTS)
        if rng.random() < 0.7:
            name += " " + brand
        name_en = f"{term_en} {brand}" if rng.random() < 0.4 else ""
        description = self._description(name, producer_name)
        description_en = self._english(name_en, producer_name) if name_en and rng.random() < 0.6 else ""
        status = _weighted(rng, [("published", 92), ("draft", 5), ("archived", 3)])[0]
        published_days = rng.randint(0, 1800)
        published_at = self.now - datetime.timedelta(days=published_days, seconds=rng.randint(0, 86_399))
        price = rng.randint(2, 80) * 5000
        months = []
        if rng.random() < 0.3:
            start, length = rng.randint(1, 12), rng.randint(2, 6)
            months = sorted({(start + offset - 1) % 12 + 1 for offset in range(length)})
        standards = []
        if rng.random() < 0.5:
            standards = sorted(set(_weighted(rng, STANDARDS, k=rng.randint(1, 3))))
        unit = rng.choice(UNITS)
        row = (
            pk,
            name,
            name_en,
            description,
            description_en,
            unit,
            f"{unit} {rng.choice([100, 200, 250, 500, 1000])} g",
            price,
            price + rng.randint(0, 10) * 5000,
            rng.choice([None, 90, 180, 365, 730]),
            rng.randint(1, 200) * 50,
            "kg",
            rng.randint(1, 20) * 10,
            months,
            standards,
            "",
            status,
            published_at - datetime.timedelta(days=rng.randint(0, 30)),
            published_at,
            published_at if status != "draft" else None,
            certificate_id,
            organisation[0],
            subgroup_id,
        )
        # The same parts, in the same order, as catalog.services.product_search_texts.
        texts = document_texts(
            [name, name_en, description, description_en, subgroup_name, producer_name, ward_name, province_name]
        )
        self.words_seen.update(name.lower().split())
        return row, texts

    # Loading ----------------------------------------------------------------------------------

    def load(self, *, log=print, fast: bool = True) -> Summary:
        """Write everything into the current database. `fast` drops and rebuilds indexes around the load."""
        summary = Summary()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            self._references(cursor)
            ids = self._next_ids(cursor)
            saved_indexes = _drop_indexes(cursor) if fast else []
            if fast:
                # Every row is consistent by construction (check constraints still run, unique indexes are
                # rebuilt below); per-row foreign-key triggers would double the load time.
                cursor.execute("SET LOCAL session_replication_role = replica")
            producers = self._producers(ids["accounts_organisation"])
            _copy(
                cursor,
                "accounts_organisation",
                [
                    "id",
                    "kind",
                    "name",
                    "tax_code",
                    "street_address",
                    "phone",
                    "email",
                    "website",
                    "logo",
                    "description",
                    "is_verified",
                    "verified_at",
                    "created_at",
                    "province_id",
                    "ward_id",
                    "former_district",
                ],
                (producer[0] for producer in producers),
            )
            _copy(
                cursor,
                "catalog_producerprofile",
                ["organisation_id", "legal_form", "contact_name", "story", "points_of_sale"],
                (producer[1] for producer in producers),
            )
            summary.producers = len(producers)
            summary.seconds["producers"] = time.perf_counter() - started
            log(f"  {len(producers):,} producers ({summary.seconds['producers']:.1f} s)")

            cursor.execute(
                "CREATE TEMPORARY TABLE bench_product_staging (LIKE catalog_product INCLUDING DEFAULTS,"
                " folded text, original text)"
            )
            # Producers get a long-tailed number of products: most have a few, some dozens.
            weights = [self.rng.lognormvariate(0, 1.0) for _ in producers]
            owners = self.rng.choices(producers, weights=weights, k=self.product_count)
            product_id, certificate_id, photo_id = (
                ids["catalog_product"],
                ids["catalog_certificate"],
                ids["catalog_productphoto"],
            )
            for chunk_start in range(0, self.product_count, CHUNK):
                product_rows, certificate_rows, photo_rows = [], [], []
                for owner in owners[chunk_start : chunk_start + CHUNK]:
                    certificates, current = self._certificates(product_id, certificate_id)
                    certificate_id += len(certificates)
                    row, texts = self._product(product_id, owner, current)
                    product_rows.append((*row, *texts))
                    certificate_rows.extend(certificates)
                    if row[16] == "published" or self.rng.random() < 0.5:
                        photo_rows.append((photo_id, row[1], 0, True, row[19] or row[17], product_id))
                        photo_id += 1
                        if self.rng.random() < 0.2:
                            photo_rows.append((photo_id, row[1], 1, False, row[19] or row[17], product_id))
                            photo_id += 1
                    summary.published += row[16] == "published"
                    product_id += 1
                _copy(cursor, "bench_product_staging", [*PRODUCT_COLUMNS, "folded", "original"], product_rows)
                _copy(
                    cursor,
                    "catalog_certificate",
                    [
                        "id",
                        "total_score",
                        "stars",
                        "decision_number",
                        "decision_date",
                        "level",
                        "valid_until",
                        "status",
                        "revoked_on",
                        "revocation_reason",
                        "verification_code",
                        "expiry_notice_sent_on",
                        "created_at",
                        "application_id",
                        "product_id",
                        "rule_set_id",
                    ],
                    certificate_rows,
                )
                _copy(
                    cursor,
                    "catalog_productphoto",
                    [
                        "id",
                        "image",
                        "thumbnail_small",
                        "thumbnail_large",
                        "width",
                        "height",
                        "alt_text",
                        "position",
                        "is_primary",
                        "created_at",
                        "product_id",
                    ],
                    (
                        (pk, PLACEHOLDER, PLACEHOLDER_SMALL, PLACEHOLDER_LARGE, 960, 720, alt[:200], *rest)
                        for pk, alt, *rest in photo_rows
                    ),
                )
                summary.products += len(product_rows)
                summary.certificates += len(certificate_rows)
                summary.photos += len(photo_rows)
                log(f"  {summary.products:,} products built ({time.perf_counter() - started:.1f} s)")

            columns = ", ".join(PRODUCT_COLUMNS)
            # The SQL of catalog.search.document_vector: folded words weight A, original words weight B.
            cursor.execute(
                f"INSERT INTO catalog_product ({columns}, search_vector) SELECT {columns},"  # noqa: S608 - fixed names
                f" setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(folded, '')), 'A')"
                f" || setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(original, '')), 'B')"
                " FROM bench_product_staging"
            )
            cursor.execute("DROP TABLE bench_product_staging")
            summary.seconds["rows"] = time.perf_counter() - started
            log(f"  products, certificates and photos written ({summary.seconds['rows']:.1f} s)")

            if fast:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                # The triggers that keep the catalogue entries did not fire during the load: build them now.
                cursor.execute("SELECT catalog_catalogueentry_sync(ARRAY(SELECT id FROM catalog_product))")
                summary.seconds["entries"] = time.perf_counter() - started
                log(f"  catalogue entries built ({summary.seconds['entries']:.1f} s)")
            for table in ("accounts_organisation", "catalog_product", "catalog_certificate", "catalog_productphoto"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
            for statement in saved_indexes:
                cursor.execute(statement)
            summary.seconds["indexes"] = time.perf_counter() - started
            if saved_indexes:
                log(f"  {len(saved_indexes)} indexes built ({summary.seconds['indexes']:.1f} s)")
            for table in LOADED_TABLES:
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed names
        summary.distinct_words = len(self.words_seen)
        summary.distinct_folded_words = len({fold(word) for word in self.words_seen})
        summary.seconds["total"] = time.perf_counter() - started
        return summary


def _drop_indexes(cursor) -> list[str]:
    """Drop the loaded tables' secondary indexes (not those behind constraints); return how to rebuild them."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " JOIN pg_class c ON c.relname = i.indexname"
        " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
        [LOADED_TABLES],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def vectors_agree(*, sample: int = 200, seed: int = 1) -> tuple[int, int]:
    """Rebuild a sample of generated search documents with the portal's own code; (agreeing, checked)."""
    from catalog.models import Product
    from catalog.services import product_reindex

    ids = list(Product.objects.order_by("?").values_list("pk", flat=True)[:sample])
    before = dict(Product.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    product_reindex(product_ids=ids)
    after = dict(Product.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    return sum(1 for pk in ids if before[pk] == after[pk]), len(ids)
