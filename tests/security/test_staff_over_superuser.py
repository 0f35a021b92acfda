"""Staff who may change organisations and users cannot lock out, rename or take over a staff or superuser account,
nor set any member's password (which would skip acting on behalf and its audit trail)."""

import re

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from tests.accounts.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_form_data(client, url) -> dict:
    """The organisation's change form as the page gives it (hidden fields, the members' inline)."""
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value for name, value in form.initial.items() if value is not None and not isinstance(value, FieldFile)
    }
    data.update({"province": form.instance.province_id, "ward": form.instance.ward_id or ""})
    for name in re.findall(r'name="(members-[A-Z_]+)" value="(\d+)"', page.text):
        data[name[0]] = name[1]
    inline = page.context["inline_admin_formsets"][0].formset
    for index, member_form in enumerate(inline.forms):
        member = member_form.instance
        data.update(
            {
                f"members-{index}-id": member.pk,
                f"members-{index}-organisation": form.instance.pk,
                f"members-{index}-full_name": member.full_name,
                f"members-{index}-phone": member.phone,
                f"members-{index}-is_active": "on" if member.is_active else "",
            }
        )
    return {key: ("" if value is None else value) for key, value in data.items() if value != ""}


@pytest.fixture
def agency_with_the_superuser():
    agency = OrganisationFactory(kind="agency", is_verified=True, name="Sở Công Thương")
    superuser = UserFactory(organisation=agency, is_staff=True, is_superuser=True, full_name="Quản trị viên")
    member = UserFactory(organisation=agency, full_name="Cán bộ văn thư")
    return agency, superuser, member


def test_staff_cannot_deactivate_or_rename_the_superuser_through_the_members_inline(
    client, staff, agency_with_the_superuser
):
    agency, superuser, member = agency_with_the_superuser
    client.force_login(staff)
    url = reverse("admin:accounts_organisation_change", args=[agency.pk])
    data = change_form_data(client, url)
    rows = {data[f"members-{i}-id"]: i for i in range(int(data["members-TOTAL_FORMS"]))}
    row = rows[superuser.pk]
    data.pop(f"members-{row}-is_active", None)  # unticked
    data[f"members-{row}-full_name"] = "Bị đổi tên"
    other = rows[member.pk]
    data[f"members-{other}-full_name"] = "Cán bộ văn thư mới"  # an ordinary member stays staff's to edit
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    superuser.refresh_from_db()
    member.refresh_from_db()
    assert (superuser.is_active, superuser.full_name) == (True, "Quản trị viên")
    assert member.full_name == "Cán bộ văn thư mới"


def test_a_superuser_still_manages_staff_accounts_in_the_inline(client, agency_with_the_superuser):
    agency, superuser, _member = agency_with_the_superuser
    other_admin = UserFactory(organisation=agency, is_staff=True, full_name="Cán bộ cũ")
    client.force_login(superuser)
    url = reverse("admin:accounts_organisation_change", args=[agency.pk])
    data = change_form_data(client, url)
    rows = {data[f"members-{i}-id"]: i for i in range(int(data["members-TOTAL_FORMS"]))}
    data.pop(f"members-{rows[other_admin.pk]}-is_active", None)
    assert client.post(url, data).status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.is_active is False


# Staff refused the password form of a producer member and of staff accounts: tests/security/test_permission_matrix.py.
def test_staff_cannot_set_the_superusers_password(client, staff):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "mat-khau-moi-2026", "password2": "mat-khau-moi-2026"})
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert not superuser.check_password("mat-khau-moi-2026")


def test_a_superuser_may_set_a_password(client, producer):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[producer.pk])
    assert client.get(url).status_code == 200
