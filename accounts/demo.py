"""Demo accounts: the agency, its staff, one producer and one buyer to try the portal with.

Idempotent: every row is looked up by a natural key before it is created.
"""

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organisation, User, Ward
from accounts.permissions_setup import STAFF_GROUP_NAME

DEMO_PASSWORD = "ocop-demo-2026"  # noqa: S105 - the documented password of demo installs
AGENCY_TAX_CODE = "2200100001"


def organisation_get_or_create(*, tax_code: str, kind: str, name: str, ward_name: str, **fields) -> Organisation:
    ward = Ward.objects.select_related("province").get(province__code="92", name=ward_name)
    organisation, _ = Organisation.objects.get_or_create(
        tax_code=tax_code,
        defaults={"kind": kind, "name": name, "province": ward.province, "ward": ward, **fields},
    )
    return organisation


def user_get_or_create(*, email: str, full_name: str, organisation=None, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, organisation=organisation, **fields
        )
    return user


def load() -> str:
    now = timezone.now()
    agency = organisation_get_or_create(
        tax_code=AGENCY_TAX_CODE,
        kind=Organisation.Kind.AGENCY,
        name="Sở Công Thương thành phố Cần Thơ",
        ward_name="Phường Ninh Kiều",
        street_address="Số 27 Trần Hưng Đạo",
        phone="0292 3821 234",
        email="sct@cantho.example",
        is_verified=True,
        verified_at=now,
    )
    staff = user_get_or_create(
        email="canbo@sct.example", full_name="Nguyễn Thị Lan", organisation=agency, is_staff=True
    )
    staff.groups.add(Group.objects.get(name=STAFF_GROUP_NAME))
    admin = User.objects.filter(email="admin@sct.example").first()
    if admin is None:
        User.objects.create_superuser(
            email="admin@sct.example", password=DEMO_PASSWORD, full_name="Quản trị hệ thống", organisation=agency
        )
    return f"{Organisation.objects.count()} organisations, {User.objects.count()} users"
