import pytest
from django.urls import reverse

from accounts.models import ActionRecord, Organisation, User

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "full_name": "Lâm Thị Ngọc Trân",
        "email": "ngoctran@example.vn",
        "phone": "0299 3851 678",
        "password1": "tra-mang-cau-nga-nam",
        "password2": "tra-mang-cau-nga-nam",
        "organisation_name": "Hộ kinh doanh Ngọc Trân",
        "tax_code": "2200123456",
        "province": "92",
        "ward": "31120",  # Phường Cái Khế, Thành phố Cần Thơ
        "street_address": "12 Nguyễn Trãi",
    }
    data.update(overrides)
    return data


def post_signup(client, kind="producer", **overrides):
    return client.post(reverse("accounts:signup-kind", args=[kind]), signup_data(**overrides))


def test_signup_page_renders_every_field(client):
    response = client.get(reverse("accounts:signup-kind", args=["producer"]))
    assert response.status_code == 200
    for name in ["full_name", "email", "password1", "organisation_name", "tax_code", "province", "ward"]:
        assert f'name="{name}"' in response.text


def test_producer_signup_creates_unverified_organisation_and_member(
    client, mailoutbox, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signup(client)

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
    user = User.objects.get(email="ngoctran@example.vn")
    organisation = user.organisation
    assert organisation.kind == Organisation.Kind.PRODUCER
    assert organisation.is_verified is False
    assert organisation.tax_code == "2200123456"
    assert organisation.province_id == "92"
    assert organisation.ward.name == "Phường Cái Khế"
    assert user.check_password("tra-mang-cau-nga-nam")
    assert ActionRecord.objects.filter(organisation=organisation, verb="signup", actor=user).exists()
    # Signed in straight away.
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    # The new member and the staff who verify are both told.
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted(["ngoctran@example.vn", staff.email])


def test_buyer_signup_creates_buyer_organisation(client):
    post_signup(client, kind="buyer", email="mua-hang@coop.example", organisation_name="Saigon Co.op")
    organisation = Organisation.objects.get(name="Saigon Co.op")
    assert organisation.kind == Organisation.Kind.BUYER
    assert organisation.members.get().email == "mua-hang@coop.example"


def test_unknown_signup_kind_is_404(client):
    assert client.get(reverse("accounts:signup-kind", args=["agency"])).status_code == 404
    assert client.post(reverse("accounts:signup-kind", args=["agency"]), signup_data()).status_code == 404
    assert not Organisation.objects.exists()


def test_signup_with_taken_email_is_refused_whatever_its_case(client, producer):
    response = post_signup(client, email=producer.email.upper())

    assert response.status_code == 200
    assert response.context["form"].has_error("email", "email_taken")
    assert not Organisation.objects.filter(name="Hộ kinh doanh Ngọc Trân").exists()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "tax_code", ["123", "12345678901", "0123456789-01", "0123456789001", "abcdefghij", "0123456789/001"]
)
def test_signup_with_malformed_tax_code_is_refused(client, tax_code):
    response = post_signup(client, tax_code=tax_code)

    assert response.status_code == 200
    assert response.context["form"].has_error("tax_code", "invalid_tax_code")
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [("0123456789-001", "0123456789-001"), ("0123 456 789", "0123456789")])
def test_signup_accepts_branch_tax_codes_and_drops_spaces(client, typed, stored):
    post_signup(client, tax_code=typed)
    assert Organisation.objects.get().tax_code == stored


def test_signup_with_registered_tax_code_is_refused(client, producer_org):
    response = post_signup(client, tax_code=producer_org.tax_code)
    assert response.context["form"].has_error("tax_code", "tax_code_taken")
    assert Organisation.objects.count() == 1


def test_signup_with_ward_outside_the_chosen_province_is_refused(client):
    # 00004 is Phường Ba Đình in Thành phố Hà Nội, not in Cần Thơ (92).
    response = post_signup(client, ward="00004")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("ward", "ward_outside_province")
    assert "Thành phố Cần Thơ" in form.errors["ward"][0]
    # The message stands beside the field.
    assert 'id="id_ward_error"' in response.text
    assert not Organisation.objects.exists()


def test_signup_with_unknown_ward_is_refused(client):
    response = post_signup(client, ward="99999")
    assert "ward" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_ward_choices_follow_the_posted_province(client):
    response = post_signup(client, ward="")
    ward_field = response.context["form"].fields["ward"]
    assert ward_field.queryset.count() == 103  # Thành phố Cần Thơ's wards and communes
    assert set(ward_field.queryset.values_list("province_id", flat=True)) == {"92"}


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngan-qua", "password_too_short"),
        ("password1234", "password_too_common"),
        ("8374619203746", "password_entirely_numeric"),
    ],
)
def test_signup_with_weak_password_is_refused(client, password, code):
    response = post_signup(client, password1=password, password2=password)

    assert response.status_code == 200
    assert response.context["form"].has_error("password1", code)
    assert not User.objects.exists()


def test_signup_with_different_passwords_is_refused(client):
    response = post_signup(client, password2="something-else-entirely")
    assert response.context["form"].has_error("password2", "password_mismatch")
    assert not User.objects.exists()


def test_signup_keeps_what_was_typed_after_an_error(client):
    response = post_signup(client, tax_code="12")
    assert 'value="Hộ kinh doanh Ngọc Trân"' in response.text
    assert 'value="ngoctran@example.vn"' in response.text
