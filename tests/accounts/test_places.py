import pytest
from django.urls import reverse

from accounts.models import LegacyWard, Province, Ward
from accounts.places import load_admin_units

pytestmark = pytest.mark.django_db


def test_the_2025_units_are_loaded():
    assert Province.objects.count() == 34
    assert Ward.objects.count() == 3321
    can_tho = Province.objects.get(code="92")
    assert can_tho.name == "Thành phố Cần Thơ"
    assert can_tho.wards.count() == 103
    assert can_tho.wards.filter(name="Phường Vĩnh Châu").exists()


def test_former_soc_trang_wards_point_into_can_tho():
    former = LegacyWard.objects.filter(province_name="Tỉnh Sóc Trăng")
    assert former.exists()
    assert not former.filter(ward__isnull=True).exists()
    assert set(former.values_list("ward__province_id", flat=True)) == {"92"}
    an_hiep = LegacyWard.objects.get(
        province_name="Tỉnh Sóc Trăng", district_name="Huyện Châu Thành", name="Xã An Hiệp"
    )
    assert an_hiep.ward.name == "Xã An Ninh"


def test_loading_again_changes_nothing():
    before = (Province.objects.count(), Ward.objects.count(), LegacyWard.objects.count())
    counts = load_admin_units(Province, Ward, LegacyWard)
    after = (Province.objects.count(), Ward.objects.count(), LegacyWard.objects.count())
    assert before == after
    assert counts == {"provinces": 34, "wards": 3321, "legacy_wards": before[2]}


def test_ward_options_lists_one_provinces_wards(client):
    response = client.get(reverse("accounts:ward-options"), {"province": "92"})
    assert response.status_code == 200
    wards = response.json()["wards"]
    assert len(wards) == 103
    assert {"code": "31120", "name": "Phường Cái Khế"} in wards


@pytest.mark.parametrize("province", ["", "abc", "99", "92; DROP TABLE accounts_ward", "9" * 50])
def test_ward_options_with_bad_province_is_empty_not_an_error(client, province):
    response = client.get(reverse("accounts:ward-options"), {"province": province})
    assert response.status_code == 200
    assert response.json() == {"wards": []}
