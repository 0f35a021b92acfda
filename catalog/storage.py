import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="catalog.storage.PrivateFileStorage")
class PrivateFileStorage(FileSystemStorage):
    """Files with no public URL (application dossiers), under PRIVATE_MEDIA_ROOT read at each use."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view that checks permissions.")


private_storage = PrivateFileStorage()
