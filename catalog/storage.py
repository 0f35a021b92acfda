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
