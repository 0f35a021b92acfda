import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

# The STORAGES entry of the private bucket, which ocop_portal/storages.py adds when S3_PRIVATE_BUCKET is set.
PRIVATE_STORAGE_ALIAS = "private"
_NO_URL = "Private files have no public URL; serve them through a view that checks permissions."


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files under PRIVATE_MEDIA_ROOT, read at each use (tests point it at a fresh folder)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(_NO_URL)


@deconstructible(path="catalog.storage.PrivateFileStorage")
class PrivateFileStorage(Storage):
    """Files with no public URL (application dossiers, province lists, signed MoUs).

    They live in the private bucket when STORAGES has a "private" entry (S3_PRIVATE_BUCKET, see
    ocop_portal/storages.py), else under PRIVATE_MEDIA_ROOT; the choice is made at each use, so settings
    overridden in tests apply. Either way url() refuses: the files only go out through private_file_response(),
    behind a view that checks permissions.
    """

    def __init__(self):
        self._file_system = PrivateFileSystemStorage()

    @property
    def backend(self) -> Storage:
        if PRIVATE_STORAGE_ALIAS in settings.STORAGES:
            return storages[PRIVATE_STORAGE_ALIAS]
        return self._file_system

    def url(self, name):
        raise ValueError(_NO_URL)

    # Everything else is the backend's.
    def open(self, name, mode="rb"):
        return self.backend.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend.save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.backend.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def path(self, name):
        return self.backend.path(name)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def size(self, name):
        return self.backend.size(name)

    def get_accessed_time(self, name):
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name):
        return self.backend.get_created_time(name)

    def get_modified_time(self, name):
        return self.backend.get_modified_time(name)

    def _open(self, name, mode="rb"):
        return self.backend._open(name, mode)

    def _save(self, name, content):
        return self.backend._save(name, content)


private_storage = PrivateFileStorage()


# The only types a private file can have: what catalog.documents accepts, recognised from the content at upload.
DOWNLOAD_EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


def private_file_response(field_file, *, filename: str, content_type: str | None = None):
    """Stream a private file as a download that no cache keeps; a missing file is a 404.

    The type is the one validated at upload (or else read from the stored, generated name), never the name the
    uploader chose, and the download's name gets the matching extension: "scan.pdf" holding a PNG saves as
    "scan.png". Anything else goes out as application/octet-stream.
    """
    import mimetypes

    from django.http import FileResponse, Http404
    from django.utils.cache import patch_cache_control

    try:
        stream = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or mimetypes.guess_type(field_file.name)[0]
    extensions = DOWNLOAD_EXTENSIONS.get(content_type)
    if extensions is None:
        content_type = "application/octet-stream"
    elif not filename.lower().endswith(extensions):
        filename = f"{os.path.splitext(filename)[0] or 'document'}{extensions[0]}"
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
