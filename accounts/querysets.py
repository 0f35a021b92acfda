from django.db import models


class WardQuerySet(models.QuerySet):
    def in_province(self, province):
        return self.filter(province=province).order_by("name")


class OrganisationQuerySet(models.QuerySet):
    def producers(self):
        return self.filter(kind="producer")

    def buyers(self):
        return self.filter(kind="buyer")

    def verified(self):
        return self.filter(is_verified=True)

    def with_address(self):
        return self.select_related("province", "ward")
