"""Uploaded product photos and organisation logos: validate by content, re-encode from pixels, make WebP thumbnails.

Choices, so callers know what they get back:

- The file's bytes decide the type, never its name or the client's content type. Only JPEG, PNG and WebP are
  opened by Pillow (``formats=``), so no other image parser ever sees uploaded bytes; GIF, BMP, TIFF, HEIC/AVIF,
  PSD and JPEG 2000 are recognised by their magic bytes only to give a precise message.
- Nothing of the upload is stored except decoded pixels: every output is a fresh image encoded from them, so EXIF
  (GPS included), XMP, comments, text chunks and anything a polyglot hid after or inside the image are gone.
- Colour: an embedded ICC profile is applied (the pixels are converted to sRGB) and then dropped, so outputs carry
  no profile and show the same colours in every browser.
- Trailing data: a PNG with bytes after its IEND chunk, or a WebP with bytes after its RIFF container, is rejected
  ("trailing_data"); both ends are exact and cheap to find. A JPEG with trailing data is accepted, because phones
  append legitimate data after the end of the image (MPO second frames, motion-photo videos); re-encoding drops it.
- Polyglots: an image that also holds HTML, a script or a ZIP/JAR archive anywhere (a comment, a text chunk, after
  the end) is rejected ("hidden_content", see core/uploads.py), so the uploader learns the file is unsafe.
- Stored original: JPEG stays JPEG (quality 85, progressive), PNG stays PNG (optimised), WebP stays WebP
  (quality 85); longest side at most ``MAX_SIDE``, never upscaled. An alpha channel is kept for PNG and WebP unless
  every pixel is opaque. Animated PNG/WebP keep their first frame only.
- Thumbnails: WebP, quality 80, longest side ``THUMBNAIL_SIZES[key]`` (never upscaled), made from the clean original.
"""

import contextlib
import io
import math
import re
import struct
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.uploads import hidden_content_find

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400
THUMBNAIL_SIZES = {"small": 320, "large": 800}
# For an <input type="file" accept="..."> hint; the server never trusts it.
ACCEPT = "image/jpeg,image/png,image/webp"

Upload = File | IO[bytes]

_PILLOW_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow reports a camera JPEG carrying a second (multi-picture) frame as MPO; it is a JPEG for our purposes.
_ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
_THUMBNAIL_OPTIONS: dict[str, object] = {"quality": 80}
# Decode JPEGs (DCT-scaled) at no less than twice the final size, so the LANCZOS resize sets the quality, as
# Pillow's own thumbnail() does.
_DRAFT_GAP = 2

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_START = re.compile(rb"\s*(<\?xml|<svg|<!doctype\s+svg)", re.IGNORECASE)
_OTHER_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"8BPS", b"\x00\x00\x00\x0cjP  \r\n\x87\n")
_ISO_MEDIA_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
# What Pillow raises on a damaged or truncated file while verifying or decoding.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_SRGB = ImageCms.createProfile("sRGB")

_MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The image is larger than %(max_mb)s MB."),
    "too_many_pixels": _("The image has more than %(max_megapixels)s megapixels; please reduce its size."),
    "not_an_image": _("This file is not a JPEG, PNG or WebP image."),
    "svg_not_allowed": _("SVG files are not accepted; upload a JPEG, PNG or WebP image."),
    "unsupported_format": _("This image format is not accepted; upload a JPEG, PNG or WebP image."),
    "corrupt": _("The image is damaged or incomplete; please save it again and upload it."),
    "trailing_data": _("The image file contains hidden extra data; please save it again and upload it."),
    "hidden_content": _(
        "The file also contains web page code or an archive, which is not accepted; please save the image again "
        "and upload it."
    ),
}


@dataclass(frozen=True)
class ProcessedImage:
    original: ContentFile
    thumbnails: dict[str, ContentFile]
    width: int
    height: int
    format: str


def validate_image_upload(upload: Upload) -> None:
    """Raise ValidationError unless the upload is an intact JPEG, PNG or WebP within the byte and pixel limits."""
    image, _format = _image_decode(upload=upload)
    image.close()


def image_process(*, upload: Upload, folder: str = "") -> ProcessedImage:
    """Validate an upload and return its clean re-encoded original and WebP thumbnails; raise ValidationError."""
    image, output_format = _image_decode(upload=upload)
    with image:
        clean = _image_clean(image=image, keep_alpha=output_format != "JPEG")

    stem = uuid.uuid4().hex
    original = ContentFile(
        _image_encode(image=clean, image_format=output_format, options=_SAVE_OPTIONS[output_format]),
        name=_generated_name(folder=folder, stem=stem, extension=_EXTENSIONS[output_format]),
    )
    thumbnails = {}
    for key, side in THUMBNAIL_SIZES.items():
        thumbnail = clean.copy()
        thumbnail.thumbnail((side, side), Image.Resampling.LANCZOS)
        thumbnails[key] = ContentFile(
            _image_encode(image=thumbnail, image_format="WEBP", options=_THUMBNAIL_OPTIONS),
            name=_generated_name(folder=folder, stem=f"{stem}_{key}", extension="webp"),
        )
    return ProcessedImage(
        original=original, thumbnails=thumbnails, width=clean.width, height=clean.height, format=output_format
    )


def _invalid(code: str) -> ValidationError:
    params = {"max_mb": MAX_BYTES // (1024 * 1024), "max_megapixels": MAX_PIXELS // 1_000_000}
    return ValidationError(_MESSAGES[code], code=code, params=params)


def _upload_read(*, upload: Upload) -> bytes:
    """Return the upload's bytes, refusing empty and oversized files before reading them; leave it rewound."""
    size = getattr(upload, "size", None)
    if size is None and upload.seekable():
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise _invalid("empty")
    if size is not None and size > MAX_BYTES:
        raise _invalid("too_large")
    try:
        if upload.seekable():
            upload.seek(0)
        # One byte over the limit tells a stream that under-reported its size apart from one at the limit.
        data = upload.read(MAX_BYTES + 1)
    finally:
        if upload.seekable():
            upload.seek(0)
    if not data:
        raise _invalid("empty")
    if len(data) > MAX_BYTES:
        raise _invalid("too_large")
    return data


def _sniff(*, data: bytes) -> str | None:
    """Name the kind the first bytes announce: an accepted format, "svg", "other_image", or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if _SVG_START.match(data[:1024].removeprefix(b"\xef\xbb\xbf")):
        return "svg"
    is_bmp = data.startswith(b"BM") and data[6:10] == b"\0\0\0\0"
    is_iso_image = data[4:8] == b"ftyp" and data[8:12] in _ISO_MEDIA_BRANDS
    if data.startswith(_OTHER_IMAGE_MAGIC) or is_bmp or is_iso_image:
        return "other_image"
    return None


def _webp_declared_size(*, data: bytes) -> tuple[int, int] | None:
    """Read a WebP canvas size from its first chunk header, without decoding."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _png_end(*, data: bytes) -> int | None:
    """Return the offset just past the IEND chunk, or None when the chunk structure breaks off before it."""
    position = len(_PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length
        if chunk_type == b"IEND":
            return position if position <= len(data) else None
    return None


def _check_container_end(*, data: bytes, image_format: str) -> None:
    """Reject bytes after the end of a PNG or WebP; a JPEG's trailing bytes are left for re-encoding to drop."""
    if image_format == "PNG":
        end = _png_end(data=data)
    elif image_format == "WEBP":
        riff_size = int.from_bytes(data[4:8], "little")
        # RIFF pads an odd-sized payload with one byte.
        end = 8 + riff_size + (riff_size & 1) if len(data) >= 8 + riff_size else None
    else:
        return
    if end is None:
        raise _invalid("corrupt")
    if len(data) > end:
        raise _invalid("trailing_data")


def _sniffed_kind(*, data: bytes) -> str | None:
    """What the first bytes say the file is; raise ValidationError for kinds refused before any parsing."""
    kind = _sniff(data=data)
    if kind == "svg":
        raise _invalid("svg_not_allowed")
    if kind == "other_image":
        raise _invalid("unsupported_format")
    if kind == "WEBP":
        # libwebp allocates the whole canvas when Pillow merely opens the file, so check the size before that.
        declared = _webp_declared_size(data=data)
        if declared and declared[0] * declared[1] > MAX_PIXELS:
            raise _invalid("too_many_pixels")
    return kind


def _image_probe(*, data: bytes, kind: str | None) -> tuple[str, int, int]:
    """The format and size from the header, after Pillow's verify(); raise ValidationError.

    Image.open parses the header only: the pixels are neither decoded nor allocated yet. Runs under the
    caller's warnings filter that makes Pillow's decompression-bomb warning an error.
    """
    try:
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as probe:
            source_format = probe.format or ""
            width, height = probe.size
            if source_format not in _ACCEPTED_FORMATS:
                raise _invalid("not_an_image")
            if width * height > MAX_PIXELS:
                raise _invalid("too_many_pixels")
            probe.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _invalid("too_many_pixels") from error
    except UnidentifiedImageError as error:
        raise _invalid("corrupt" if kind else "not_an_image") from error
    except _DECODE_ERRORS as error:
        raise _invalid("corrupt") from error
    return source_format, width, height


def _image_decode(*, upload: Upload) -> tuple[Image.Image, str]:
    """Return the upload decoded (JPEGs may already be DCT-scaled down) and its output format; raise ValidationError."""
    data = _upload_read(upload=upload)
    kind = _sniffed_kind(data=data)

    # Pillow's own bomb guard warns above ~89 MP and only errors above ~179 MP; make the warning an error here too.
    # (catch_warnings is process-wide; gunicorn runs one thread per worker.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        source_format, width, height = _image_probe(data=data, kind=kind)
        output_format = _ACCEPTED_FORMATS[source_format]
        _check_container_end(data=data, image_format=output_format)
        if hidden_content_find(data):
            raise _invalid("hidden_content")

        # verify() leaves the image unusable, so decode from a second open.
        image = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS)
        try:
            if max(width, height) > MAX_SIDE:
                scale = _DRAFT_GAP * MAX_SIDE / max(width, height)
                image.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
            image.load()
        except _DECODE_ERRORS as error:
            image.close()
            raise _invalid("corrupt") from error
    return image, output_format


def _image_clean(*, image: Image.Image, keep_alpha: bool) -> Image.Image:
    """Return a new upright sRGB RGB/RGBA image of at most MAX_SIDE that holds the pixels and nothing else."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (*_DECODE_ERRORS, KeyError, TypeError):
        # A camera's malformed EXIF block should not cost the producer the photo: keep it as stored.
        upright = image.copy()
    converted = _to_srgb(image=upright, keep_alpha=keep_alpha)
    converted.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Pasting into a new image leaves behind info (EXIF, XMP, ICC, comments, text chunks), which several
    # Pillow encoders would otherwise write back out.
    clean = Image.new(converted.mode, converted.size)
    clean.paste(converted)
    if clean.mode == "RGBA" and clean.getchannel("A").getextrema()[0] == 255:
        clean = clean.convert("RGB")
    return clean


def _to_srgb(*, image: Image.Image, keep_alpha: bool) -> Image.Image:
    """Return the image as RGB, or RGBA when it has transparency and keep_alpha, in sRGB colours."""
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    target_mode = "RGBA" if has_alpha and keep_alpha else "RGB"
    icc_profile = image.info.get("icc_profile")
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit greyscale PNG: scale to 8 bits, because Pillow's convert() would clip it to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode not in ("RGB", "RGBA", "CMYK", "L") or "transparency" in image.info:
        # Palette and grey+alpha images first, and a tRNS colour key before littlecms would drop it.
        image = image.convert(target_mode)
    # A broken profile, or one that does not match the pixels, is ignored: the pixels are then taken as sRGB.
    if icc_profile:
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError, TypeError):
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                _SRGB,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
    return image if image.mode == target_mode else image.convert(target_mode)


def _image_encode(*, image: Image.Image, image_format: str, options: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _generated_name(*, folder: str, stem: str, extension: str) -> str:
    prefix = folder.strip("/")
    return f"{prefix}/{stem}.{extension}" if prefix else f"{stem}.{extension}"
