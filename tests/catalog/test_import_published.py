"""The province's list as published goes in whole, and shows up: per-row outcomes of each published layout, the
import itself, a re-import that changes nothing, producers staff choose, and what the public sees at once."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Organisation
from accounts.roles import Actor
from catalog.imports.checking import NEW_PRODUCER
from catalog.models import Certificate, ImportBatch, ProducerProfile, Product
from catalog.services import imports as services
from tests.catalog import published_lists as lists
from tests.catalog.factories import ProducerFactory

pytestmark = pytest.mark.django_db

LEGAL = ProducerProfile.LegalForm


def actor(user):
    return Actor(user=user, organisation=None)


def recent(rows, *, days_ago=200):
    """The same rows decided `days_ago` days ago: the certificates are valid today."""
    day = (timezone.localdate() - datetime.timedelta(days=days_ago)).strftime("%d/%m/%Y")
    changed = []
    for row in rows:
        row = dict(row)
        if "decision" in row:
            row["decision"] = f"{row['decision'].split(' ngày ')[0]} ngày {day}"
        else:
            row["decision_date"] = day
        changed.append(row)
    return changed


def check(staff, data: bytes, name="phu-luc.xlsx") -> ImportBatch:
    return services.import_batch_check(actor=actor(staff), upload=SimpleUploadedFile(name, data))


def outcomes(batch) -> dict[str, str]:
    return {row["product"]: row["outcome"] for row in batch.rows}


def table_sizes():
    return (Organisation.objects.count(), Product.objects.count(), Certificate.objects.count())


# --- Each published layout, row by row --------------------------------------------------------------------------------


def test_soc_trang_layout_two_row_header_scores_and_stars(staff):
    batch = check(staff, lists.soc_trang_xlsx(lists.SOC_TRANG_ROWS))
    assert outcomes(batch) == {
        "Bánh pía sầu riêng trứng": "incomplete",  # "Thực phẩm chế biến": kept at that level
        "Lạp xưởng tươi Tân Huê Viên": "create",
        "Mắm cá lóc Thiện Mỹ": "incomplete",  # "Gia vị"
        "Trà mãng cầu Cẩm Thiều": "incomplete",  # "Chè"
        "Trà mãng cầu": "incomplete",  # "Chè"
        "Gạo Thanh Cường": "create",  # "Gạo, ngũ cốc" is one sub-group
    }
    assert batch.counts == {"error": 0, "create": 2, "update": 0, "incomplete": 4, "unchanged": 0}
    by_product = {row["product"]: row for row in batch.rows}
    assert by_product["Bánh pía sầu riêng trứng"]["to_complete"] == ["subgroup"]
    assert (by_product["Bánh pía sầu riêng trứng"]["group"], by_product["Gạo Thanh Cường"]["group"]) == ("1.3", "1.2.1")
    assert by_product["Bánh pía sầu riêng trứng"]["score"] == "75.5"
    assert by_product["Bánh pía sầu riêng trứng"]["stars"] == 4
    assert by_product["Lạp xưởng tươi Tân Huê Viên"]["legal_form"] == LEGAL.HOUSEHOLD  # "Cơ sở …"
    assert batch.layout["header_rows"] == [4, 5]
    assert batch.layout["numbering_row"] == 6
    assert [(s["kind"], s["text"]) for s in batch.layout["skipped"]] == [
        ("numbering", "(1) (2) (3) (4) (5) (6) (7) (8) (9)"),
        ("section", "I Huyện Châu Thành"),
        ("section", "II Thị xã Ngã Năm"),
        ("section", "III Huyện Thạnh Trị"),
        ("total", "Tổng cộng: 6 sản phẩm"),
    ]


def test_tra_vinh_layout_stars_only_combined_decision_and_district_only_addresses(staff):
    batch = check(staff, lists.tra_vinh_xlsx(lists.TRA_VINH_ROWS))
    assert outcomes(batch) == {
        "Dừa sáp Cầu Kè": "create",
        "Mứt dừa sáp": "incomplete",  # district-only address and a broad group
        "Chuối sấy dẻo": "incomplete",  # "Thực phẩm chế biến"
        "Bánh tét Trà Cuôn": "incomplete",
        "Rượu nếp than": "incomplete",  # district-only address, "Đồ uống có cồn"
    }
    by_product = {row["product"]: row for row in batch.rows}
    coconut = by_product["Dừa sáp Cầu Kè"]
    assert (coconut["decision_number"], coconut["decision_date"]) == ("1358/QĐ-UBND", "2021-07-20")
    assert (coconut["stars"], coconut["score"]) == (4, "")
    assert "score_not_published" in [note["code"] for note in coconut["notes"]]
    jam = by_product["Mứt dừa sáp"]
    assert jam["to_complete"] == ["subgroup", "ward"]
    assert (jam["province_name"], jam["ward_code"], jam["converted"]) == (
        "Tỉnh Vĩnh Long",
        "",
        "Huyện Cầu Kè, Tỉnh Vĩnh Long",
    )


def test_can_tho_hau_giang_layout_groups_legal_forms_and_pdf_text(staff):
    batch = check(staff, lists.can_tho_hau_giang_csv(lists.CAN_THO_HAU_GIANG_ROWS), "danh-sach.csv")
    by_product = {row["product"]: row for row in batch.rows}
    assert {name: (row["outcome"], row["group"], row["legal_form"]) for name, row in by_product.items()} == {
        "Bánh tráng Thuận Hưng": ("incomplete", "1.3", LEGAL.COOPERATIVE),
        "Dâu Hạ Châu": ("create", "1.1.1", LEGAL.COOPERATIVE),
        "Rượu nếp Phong Điền": ("incomplete", "2.1", LEGAL.ENTERPRISE),
        "Trà gừng": ("incomplete", "3", LEGAL.HOUSEHOLD),  # "Thảo dược" of 1048/2019
        "Khóm Cầu Đúc": ("create", "1.1.1", LEGAL.COOPERATIVE_GROUP),
        "Mứt khóm": ("incomplete", "1.3", LEGAL.HOUSEHOLD),
        "Nước mắm cá linh": ("incomplete", "1.4", LEGAL.ENTERPRISE),
        "Khăn choàng dệt thổ cẩm": ("create", "4.2.1", LEGAL.ENTERPRISE),  # "Vải và may mặc"
        "Cá thát lát rút xương": ("incomplete", "1", LEGAL.HOUSEHOLD),  # a person's name alone
    }
    # Text from PDFs is clean: "Ð" is "Đ", no non-breaking or doubled spaces.
    assert by_product["Mứt khóm"]["producer"] == "HKD Đặng Văn Tâm"
    assert by_product["Dâu Hạ Châu"]["producer"] == "HTXNN Mỹ Khánh"
    assert by_product["Bánh tráng Thuận Hưng"]["producer"] == "HTX Bánh tráng Thuận Hưng"
    # The representative written before the company is not the producer's name.
    assert by_product["Khăn choàng dệt thổ cẩm"]["producer"] == "Công ty TNHH Dệt Vị Thủy"


# --- The import, and the same file again ------------------------------------------------------------------------------


def test_the_whole_list_goes_in_and_again_changes_nothing(staff):
    rows = recent(lists.TRA_VINH_ROWS)
    data = lists.tra_vinh_xlsx(rows)
    before = table_sizes()
    batch = services.import_batch_confirm(actor=actor(staff), batch=check(staff, data))
    assert batch.counts == {"error": 0, "create": 1, "update": 0, "incomplete": 4, "unchanged": 0}
    assert table_sizes() == tuple(prior + 5 for prior in before)

    jam = Product.objects.select_related("producer", "subgroup", "current_certificate").get(name="Mứt dừa sáp")
    assert jam.status == Product.Status.PUBLISHED and jam.published_at is not None
    assert (jam.producer.ward, jam.producer.former_district, jam.producer.province.name) == (
        None,
        "Huyện Cầu Kè",
        "Tỉnh Vĩnh Long",
    )
    assert (jam.subgroup.code, jam.subgroup.is_broad) == ("1.3", True)
    certificate = jam.current_certificate
    assert (certificate.total_score, certificate.stars, certificate.score_published) == (None, 3, False)
    assert certificate.status == Certificate.Status.VALID

    again = check(staff, data)
    assert again.counts == {"error": 0, "create": 0, "update": 0, "incomplete": 0, "unchanged": 5}
    services.import_batch_confirm(actor=actor(staff), batch=again)
    assert table_sizes() == tuple(prior + 5 for prior in before)


def test_a_lapsed_decision_is_recorded_expired_and_shown_expired(client, staff):
    services.import_batch_confirm(actor=actor(staff), batch=check(staff, lists.tra_vinh_xlsx(lists.TRA_VINH_ROWS)))
    product = Product.objects.get(name="Dừa sáp Cầu Kè")
    assert product.current_certificate.status == Certificate.Status.EXPIRED
    assert product.status == Product.Status.PUBLISHED
    # Every product of this list has lapsed: no page shows live stars, each says the certificate expired.
    for url in (product.get_absolute_url(), reverse("catalog:product-list")):
        page = client.get(url).content.decode()
        assert "Giấy chứng nhận OCOP hết hiệu lực" in page
        assert "star-badge__stars" not in page


def test_one_producer_written_two_ways_in_one_file_is_one_producer(staff):
    rows = recent(lists.CAN_THO_HAU_GIANG_ROWS[:2])
    rows[1] = {**rows[1], "producer": "Hợp tác xã Bánh tráng Thuận Hưng", "address": rows[0]["address"]}
    batch = services.import_batch_confirm(
        actor=actor(staff), batch=check(staff, lists.can_tho_hau_giang_csv(rows), "ds.csv")
    )
    assert batch.counts["error"] == 0
    producers = set(Product.objects.filter(name__in=[r["product"] for r in rows]).values_list("producer", flat=True))
    assert len(producers) == 1


# --- A name only close to a producer in the portal: staff choose --------------------------------------------------------


@pytest.fixture
def existing_producer(db):
    """Công ty TNHH Hiếu Tử, already in the portal in Vĩnh Long, which the list writes as "HTX Hiếu Tử"."""
    rows = recent(lists.TRA_VINH_ROWS)
    province = "86"  # Tỉnh Vĩnh Long, where the former Trà Vinh lies
    organisation = ProducerFactory(name="Công ty TNHH Hiếu Tử", tax_code="")
    Organisation.objects.filter(pk=organisation.pk).update(province_id=province)
    rows[-1] = {**rows[-1], "producer": "HTX Hiếu Tử"}
    return organisation, lists.tra_vinh_xlsx(rows)


def test_a_close_name_waits_for_staff_and_is_never_silently_duplicated(client, staff, existing_producer):
    organisation, data = existing_producer
    batch = check(staff, data)
    wine = next(row for row in batch.rows if row["product"] == "Rượu nếp than")
    assert wine["outcome"] == "error"
    assert [error["code"] for error in wine["errors"]] == ["producer_choose"]
    assert wine["candidates"] == [{"id": organisation.pk, "name": "Công ty TNHH Hiếu Tử"}]

    client.force_login(staff)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Công ty TNHH Hiếu Tử" in page and f'value="{organisation.pk}"' in page

    # A choice that is not a candidate changes nothing.
    response = client.post(reverse("catalog:staff-import-choose", args=[batch.pk]), {f"row-{wine['row']}": "999999"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.producer_choices == {}

    response = client.post(
        reverse("catalog:staff-import-choose", args=[batch.pk]), {f"row-{wine['row']}": str(organisation.pk)}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    wine = next(row for row in batch.rows if row["product"] == "Rượu nếp than")
    assert wine["outcome"] == "incomplete"  # created; its group "Đồ uống có cồn" waits for a sub-group
    before = Organisation.objects.count()
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert Product.objects.get(name="Rượu nếp than").producer_id == organisation.pk
    assert Organisation.objects.count() == before + 4  # the other four rows' producers, not a second Hiếu Tử


def test_staff_may_say_a_close_name_is_a_different_producer(staff, existing_producer):
    organisation, data = existing_producer
    batch = check(staff, data)
    number = next(row["row"] for row in batch.rows if row["product"] == "Rượu nếp than")
    batch = services.import_batch_choose(actor=actor(staff), batch=batch, choices={str(number): NEW_PRODUCER})
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    producer = Product.objects.get(name="Rượu nếp than").producer
    assert producer.pk != organisation.pk and producer.name == "HTX Hiếu Tử"


def test_only_import_staff_may_choose(client, producer, staff, existing_producer):
    _organisation, data = existing_producer
    batch = check(staff, data)
    url = reverse("catalog:staff-import-choose", args=[batch.pk])
    assert client.post(url, {}).status_code == 302  # to the login page
    client.force_login(producer)
    assert client.post(url, {}).status_code == 403
    batch.refresh_from_db()
    assert batch.producer_choices == {}


# --- What staff and the public see ------------------------------------------------------------------------------------


def test_the_dry_run_explains_how_the_file_was_read(client, staff):
    batch = check(staff, lists.soc_trang_xlsx(lists.SOC_TRANG_ROWS))
    client.force_login(staff)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Cách tệp được đọc" in page
    assert "dòng 4 và 5, được ghép lại" in page
    assert "Dòng 6 đánh số các cột" in page
    assert "3 dòng đề mục" in page and "1 dòng tổng cộng" in page
    assert "Chủ thể sản xuất › Tên chủ thể" in page
    assert "Sẽ tạo, cần hoàn thiện (4)" in page


def test_an_unchanged_file_says_so(client, staff):
    data = lists.tra_vinh_xlsx(recent(lists.TRA_VINH_ROWS))
    services.import_batch_confirm(actor=actor(staff), batch=check(staff, data))
    again = check(staff, data)
    client.force_login(staff)
    page = client.get(again.get_absolute_url()).content.decode()
    assert "Không có gì thay đổi" in page
    assert "No row can be imported" not in page and "mọi dòng đều có lỗi" not in page


def test_imported_products_are_public_at_once(client, staff):
    rows = recent(lists.CAN_THO_HAU_GIANG_ROWS)
    services.import_batch_confirm(actor=actor(staff), batch=check(staff, lists.can_tho_hau_giang_csv(rows), "ds.csv"))
    catalogue = client.get(reverse("catalog:product-list")).content.decode()
    for row in rows:
        assert row["product"] in catalogue
    found = client.get(reverse("catalog:product-list"), {"q": "dang van tam"}).content.decode()
    assert "Mứt khóm" in found
    product = Product.objects.get(name="Mứt khóm")
    assert client.get(product.get_absolute_url()).status_code == 200
    producer_page = client.get(reverse("catalog:producer-detail", args=[product.producer_id])).content.decode()
    assert "Mứt khóm" in producer_page
    open_data = json.loads(client.get("/open-data/products.json").content)
    assert {row["product"] for row in rows} <= {item["name"] for item in open_data["products"]}


def test_notes_and_signatures_below_the_total_are_read_past(staff):
    workbook = load_workbook(io.BytesIO(lists.tra_vinh_xlsx(lists.TRA_VINH_ROWS)))
    sheet = workbook.active
    last = sheet.max_row
    sheet.cell(row=last + 2, column=2, value="Ghi chú: sản phẩm được công nhận theo Bộ tiêu chí năm 2019")
    sheet.cell(row=last + 4, column=6, value="KT. CHỦ TỊCH")
    sheet.cell(row=last + 5, column=6, value="PHÓ CHỦ TỊCH")
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = check(staff, buffer.getvalue())
    assert batch.counts == {"error": 0, "create": 1, "update": 0, "incomplete": 4, "unchanged": 0}
    assert [(s["row"], s["kind"], s["text"]) for s in batch.layout["skipped"] if s["kind"] == "footer"] == [
        (last + 2, "footer", "Ghi chú: sản phẩm được công nhận theo Bộ tiêu chí năm 2019"),
        (last + 4, "footer", "KT. CHỦ TỊCH"),
        (last + 5, "footer", "PHÓ CHỦ TỊCH"),
    ]
