import pytest
from django.urls import reverse

from accounts.models import ActionRecord, LegacyWard, Organisation, Province, User, Ward

pytestmark = pytest.mark.django_db

MODELS = [User, Organisation, Province, Ward, LegacyWard, ActionRecord]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelists_open(admin_client, model, producer):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Cần Thơ"}).status_code == 200


def test_admin_change_form_for_an_organisation_opens(admin_client, producer_org, producer):
    url = reverse("admin:accounts_organisation_change", args=[producer_org.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert producer.email in response.text


def test_staff_verify_an_organisation_and_its_members_are_told(
    client, staff, producer, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = producer.organisation
    organisation.is_verified = False
    organisation.verified_at = None
    organisation.save()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_organisation_changelist"),
            {"action": "verify_selected", "_selected_action": [organisation.pk]},
        )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_verified
    assert organisation.verified_by == staff
    assert [message.to for message in mailoutbox] == [[producer.email]]


def test_staff_without_the_permission_cannot_verify(client, plain_staff, producer_org):
    producer_org.is_verified = False
    producer_org.verified_at = None
    producer_org.save()
    client.force_login(plain_staff)
    response = client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "verify_selected", "_selected_action": [producer_org.pk]},
    )
    assert response.status_code == 403
    producer_org.refresh_from_db()
    assert not producer_org.is_verified


def test_staff_group_holds_the_staff_permissions(staff):
    assert staff.has_perm("accounts.verify_organisation")
    assert staff.has_perm("accounts.act_on_behalf")
    assert not staff.has_perm("accounts.delete_organisation")
