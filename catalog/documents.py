"""Dossier documents: PDF, JPEG or PNG, recognised by their content, never by their name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.images import image_process
from core.uploads import hidden_content_find

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ACCEPT = "application/pdf,image/jpeg,image/png"
# PDF features that run code or open other files when the document is opened.
_ACTIVE_PDF_MARKERS = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/OpenAction", b"/AA")


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def document_check(*, upload) -> tuple[str, str]:
    """Validate a dossier document; return its content type and file extension, or raise ValidationError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 10 MB."), code="too_large")
    data = _read(upload)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 10 MB."), code="too_large")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is incomplete or damaged."), code="corrupt")
        if any(marker in data for marker in _ACTIVE_PDF_MARKERS) or hidden_content_find(data):
            raise ValidationError(
                _("PDF files with scripts, actions or attachments are not accepted; print it to a plain PDF."),
                code="active_pdf",
            )
        return "application/pdf", "pdf"
    try:
        processed = image_process(upload=upload)
    except ValidationError as error:
        if error.code in ("not_an_image", "unsupported_format", "svg_not_allowed"):
            raise ValidationError(
                _("Upload the document as a PDF, JPEG or PNG file."), code="unsupported_document"
            ) from None
        raise
    finally:
        upload.seek(0)
    if processed.format not in ("JPEG", "PNG"):
        raise ValidationError(_("Upload the document as a PDF, JPEG or PNG file."), code="unsupported_document")
    return ("image/jpeg", "jpg") if processed.format == "JPEG" else ("image/png", "png")


def validate_document_upload(upload) -> None:
    document_check(upload=upload)
