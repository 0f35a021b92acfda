import factory
from django.utils import timezone

from accounts.models import Organisation, User, Ward

PASSWORD = "correct-horse-battery-staple"


def _ward():
    return Ward.objects.select_related("province").get(province_id="92", name="Phường Vĩnh Châu")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.PRODUCER
    name = factory.Sequence(lambda n: f"Hợp tác xã Thử nghiệm {n}")
    tax_code = factory.Sequence(lambda n: f"{1800000000 + n:010d}")
    ward = factory.LazyFunction(_ward)
    province = factory.LazyAttribute(lambda o: o.ward.province)
    street_address = "Ấp Biển Dưới"
    phone = "0299 3861 234"
    is_verified = False
    verified_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_verified else None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = factory.Sequence(lambda n: f"Trần Văn {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
