import pytest
from django.urls import reverse

from accounts.models import ActionRecord, Organisation
from accounts.roles import ACTING_SESSION_KEY

pytestmark = pytest.mark.django_db


def organisation_form_data(organisation, **overrides):
    data = {
        "name": organisation.name,
        "tax_code": organisation.tax_code,
        "province": organisation.province_id,
        "ward": organisation.ward_id,
        "street_address": organisation.street_address,
        "phone": organisation.phone,
        "email": "",
        "website": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_is_sent_to_login(client):
    for name in ["accounts:dashboard", "accounts:organisation-edit", "accounts:password-change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_member_edits_own_organisation_and_the_change_is_recorded(client, producer, producer_org):
    client.force_login(producer)
    response = client.post(
        reverse("accounts:organisation-edit"),
        organisation_form_data(producer_org, description="Trà mãng cầu Ngã Năm", website="https://tra.example.vn"),
    )
    assert response.status_code == 302
    producer_org.refresh_from_db()
    assert producer_org.description == "Trà mãng cầu Ngã Năm"
    record = ActionRecord.objects.get(verb="organisation_update")
    assert (record.actor, record.organisation, record.on_behalf) == (producer, producer_org, False)
    assert "description" in record.summary


def test_edit_with_ward_of_another_province_changes_nothing(client, producer, producer_org):
    client.force_login(producer)
    response = client.post(
        reverse("accounts:organisation-edit"), organisation_form_data(producer_org, ward="00004", name="Tên mới")
    )
    assert response.status_code == 200
    assert "ward" in response.context["form"].errors
    producer_org.refresh_from_db()
    assert producer_org.name != "Tên mới"
    assert not ActionRecord.objects.exists()


def test_member_always_edits_their_own_organisation_only(client, producer, other_producer_org):
    """The edit page has no id in its URL: another organisation cannot even be addressed."""
    client.force_login(producer)
    response = client.get(reverse("accounts:organisation-edit"))
    assert response.context["form"].instance.pk == producer.organisation_id
    assert response.context["form"].instance.pk != other_producer_org.pk


def test_user_without_organisation_cannot_open_the_workspace(client, plain_staff):
    plain_staff.is_staff = False
    plain_staff.save()
    client.force_login(plain_staff)
    assert client.get(reverse("accounts:organisation-edit")).status_code == 403


class TestActingOnBehalf:
    def test_staff_act_for_a_household_and_every_change_names_the_real_person(self, client, staff, producer_org):
        client.force_login(staff)
        response = client.post(reverse("accounts:acting-start", args=[producer_org.pk]))
        assert response.status_code == 302
        assert client.session[ACTING_SESSION_KEY] == producer_org.pk

        page = client.get(reverse("accounts:dashboard"))
        assert page.context["organisation"] == producer_org
        assert producer_org.name in page.text

        client.post(
            reverse("accounts:organisation-edit"),
            organisation_form_data(producer_org, description="Nhập hộ bởi cán bộ"),
        )
        producer_org.refresh_from_db()
        assert producer_org.description == "Nhập hộ bởi cán bộ"
        record = ActionRecord.objects.get(verb="organisation_update")
        assert record.actor == staff
        assert record.on_behalf is True
        assert record.organisation == producer_org
        assert ActionRecord.objects.filter(verb="acting_start", actor=staff, organisation=producer_org).exists()

    def test_stop_acting(self, client, staff, producer_org):
        client.force_login(staff)
        client.post(reverse("accounts:acting-start", args=[producer_org.pk]))
        client.post(reverse("accounts:acting-stop"))
        assert ACTING_SESSION_KEY not in client.session
        page = client.get(reverse("accounts:dashboard"))
        assert page.context["organisation"] == staff.organisation

    def test_acting_needs_post(self, client, staff, producer_org):
        client.force_login(staff)
        assert client.get(reverse("accounts:acting-start", args=[producer_org.pk])).status_code == 405
        assert ACTING_SESSION_KEY not in client.session

    @pytest.mark.parametrize("who", ["producer", "buyer", "plain_staff"])
    def test_others_cannot_act_on_behalf(self, client, request, who, other_producer_org):
        user = request.getfixturevalue(who)
        client.force_login(user)
        response = client.post(reverse("accounts:acting-start", args=[other_producer_org.pk]))
        assert response.status_code == 403
        assert ACTING_SESSION_KEY not in client.session
        assert client.get(reverse("accounts:staff-organisations")).status_code == 403

    def test_anonymous_cannot_act(self, client, producer_org):
        response = client.post(reverse("accounts:acting-start", args=[producer_org.pk]))
        assert response.status_code == 403

    def test_a_session_key_alone_gives_nothing_to_non_staff(self, client, producer, other_producer_org):
        client.force_login(producer)
        session = client.session
        session[ACTING_SESSION_KEY] = other_producer_org.pk
        session.save()
        page = client.get(reverse("accounts:dashboard"))
        assert page.context["organisation"] == producer.organisation

    def test_staff_organisation_list_searches_and_paginates(self, client, staff, producer_org, buyer_org):
        client.force_login(staff)
        response = client.get(reverse("accounts:staff-organisations"), {"q": producer_org.name})
        assert list(response.context["page_obj"]) == [producer_org]
        response = client.get(reverse("accounts:staff-organisations"), {"kind": Organisation.Kind.BUYER})
        assert list(response.context["page_obj"]) == [buyer_org]

    def test_staff_organisation_list_query_count_does_not_grow(self, client, staff, django_assert_max_num_queries):
        from tests.accounts.factories import OrganisationFactory

        OrganisationFactory.create_batch(30)
        client.force_login(staff)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("accounts:staff-organisations"))
        assert len(response.context["page_obj"]) == 25


def test_logo_is_reencoded_under_a_generated_name(client, producer, producer_org):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 90)).save(buffer, format="PNG")
    client.force_login(producer)
    response = client.post(
        reverse("accounts:organisation-edit"),
        {**organisation_form_data(producer_org), "logo": SimpleUploadedFile("my logo.png", buffer.getvalue())},
    )
    assert response.status_code == 302
    producer_org.refresh_from_db()
    assert producer_org.logo.name.startswith("logos/")
    assert "my logo" not in producer_org.logo.name
    with Image.open(producer_org.logo.open("rb")) as stored:
        assert stored.size == (300, 200)


def test_svg_logo_is_refused(client, producer, producer_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(producer)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(
        reverse("accounts:organisation-edit"),
        {**organisation_form_data(producer_org), "logo": SimpleUploadedFile("logo.svg", svg)},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("logo", "svg_not_allowed")
    producer_org.refresh_from_db()
    assert not producer_org.logo


def test_acting_start_returns_to_a_local_page_only(client, staff, producer_org):
    client.force_login(staff)
    response = client.post(reverse("accounts:acting-start", args=[producer_org.pk]), {"next": "/events/"})
    assert response.url == "/events/"
    response = client.post(reverse("accounts:acting-start", args=[producer_org.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("accounts:dashboard")


def test_staff_organisation_list_shows_a_refused_search_beside_its_field_and_lists_everyone(
    client, staff, producer_org, buyer_org
):
    client.force_login(staff)
    response = client.get(reverse("accounts:staff-organisations"), {"q": "a\x00b", "kind": "pirate"})
    assert response.status_code == 200
    form = response.context["filter"].form
    # In Vietnamese: Django's own catalogue leaves this message in English (core/django_messages.py).
    assert form.errors["q"] == ["Không được chứa ký tự rỗng (NUL)."]
    assert "kind" in form.errors
    assert {producer_org, buyer_org} <= set(response.context["page_obj"])
    assert 'id="id_q_error"' in response.text and 'id="id_kind_error"' in response.text
