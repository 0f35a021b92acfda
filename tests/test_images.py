"""The image pipeline, fed only images and bytes generated here; no database."""

import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from core import images
from core.images import MAX_BYTES, MAX_SIDE, THUMBNAIL_SIZES, image_process, validate_image_upload


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are compared in their English source text."""
    with translation.override("en"):
        yield


SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "Comment", "Raw profile type exif"}


def encode(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def two_colour_image(size=(600, 400)):
    """Left half red, right half blue, so a rotation is visible in the pixels."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def png_chunk(chunk_type, payload):
    return struct.pack(">I", len(payload)) + chunk_type + payload + struct.pack(">I", zlib.crc32(chunk_type + payload))


def png_declaring(width, height):
    """A PNG of a few hundred bytes whose header claims width x height 1-bit pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + png_chunk(b"IEND", b"")
    )


def webp_declaring(width, height):
    """A WebP extended header claiming a width x height canvas, with no image data behind it."""
    payload = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0"
    payload += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def rejected_code(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as excinfo:
        image_process(upload=upload(data, name=name))
    return excinfo.value.code


def all_output_bytes(processed):
    return [processed.original.read(), *(thumbnail.read() for thumbnail in processed.thumbnails.values())]


def opened(content_file):
    content_file.seek(0)
    image = Image.open(io.BytesIO(content_file.read()))
    image.load()
    return image


def assert_no_metadata(image):
    assert not image.getexif()
    assert not METADATA_KEYS & set(image.info)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixels are decoded."""

    def refuse(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_jpeg_is_turned_upright_and_loses_exif_gps_xmp_comment_and_icc():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (10.0, 2.0, 3.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(
        two_colour_image((600, 400)),
        "JPEG",
        exif=exif.tobytes(),
        icc_profile=icc,
        comment=b"shot at the farm",
        xmp=b"<x:xmpmeta><rdf:Description tiff:Orientation='6'/></x:xmpmeta>",
    )
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    processed = image_process(upload=upload(data))

    assert (processed.width, processed.height, processed.format) == (400, 600, "JPEG")
    original = opened(processed.original)
    assert original.format == "JPEG"
    assert original.size == (400, 600)
    # Orientation 6 means "rotate 90 degrees clockwise to view": the stored left (red) half ends up on top.
    top, bottom = original.getpixel((200, 100)), original.getpixel((200, 500))
    assert top[0] > 150 > top[2]
    assert bottom[2] > 150 > bottom[0]
    for content_file in (processed.original, *processed.thumbnails.values()):
        assert_no_metadata(opened(content_file))
    for output in all_output_bytes(processed):
        assert b"PhoneCo" not in output
        assert b"farm" not in output
        assert b"xmpmeta" not in output


def test_png_with_alpha_stays_a_transparent_png():
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    image.paste((10, 120, 40, 255), (100, 50, 200, 150))

    processed = image_process(upload=upload(encode(image, "PNG"), name="logo.png"))

    assert processed.format == "PNG"
    assert processed.original.name.endswith(".png")
    original = opened(processed.original)
    assert original.mode == "RGBA"
    assert original.getpixel((5, 5))[3] == 0
    assert original.getpixel((150, 100)) == (10, 120, 40, 255)
    small = opened(processed.thumbnails["small"])
    assert small.mode == "RGBA"
    assert small.getpixel((2, 2))[3] == 0


def test_palette_png_with_transparent_colour_keeps_its_transparency():
    image = Image.new("P", (64, 64), 0)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.paste(1, (16, 16, 48, 48))

    processed = image_process(upload=upload(encode(image, "PNG", transparency=0), name="logo.png"))

    original = opened(processed.original)
    assert original.mode == "RGBA"
    assert original.getpixel((0, 0))[3] == 0
    assert original.getpixel((32, 32)) == (200, 0, 0, 255)


def test_opaque_png_drops_its_useless_alpha_channel():
    processed = image_process(upload=upload(encode(two_colour_image().convert("RGBA"), "PNG"), name="a.png"))

    assert opened(processed.original).mode == "RGB"


def test_webp_is_accepted_and_stays_webp():
    data = encode(two_colour_image(), "WEBP", quality=90)

    processed = image_process(upload=upload(data, name="photo.webp"))

    assert processed.format == "WEBP"
    assert processed.original.name.endswith(".webp")
    original = opened(processed.original)
    assert (original.format, original.size) == ("WEBP", (600, 400))
    assert_no_metadata(original)


def test_thumbnails_are_webp_with_the_longest_side_capped_and_smaller_than_the_original():
    photo = Image.effect_noise((1200, 900), 40).convert("RGB")

    processed = image_process(upload=upload(encode(photo, "JPEG", quality=95)))

    assert set(processed.thumbnails) == set(THUMBNAIL_SIZES)
    original_size = len(processed.original.read())
    for key, side in THUMBNAIL_SIZES.items():
        thumbnail = processed.thumbnails[key]
        image = opened(thumbnail)
        assert image.format == "WEBP"
        assert max(image.size) == side
        assert image.size == (side, side * 3 // 4)
        assert len(thumbnail.read()) < original_size


def test_small_image_is_never_upscaled():
    processed = image_process(upload=upload(encode(two_colour_image((200, 100)), "PNG"), name="tiny.png"))

    assert (processed.width, processed.height) == (200, 100)
    assert opened(processed.thumbnails["large"]).size == (200, 100)


def test_original_is_capped_at_max_side():
    processed = image_process(upload=upload(encode(two_colour_image((3000, 300)), "JPEG")))

    assert (processed.width, processed.height) == (MAX_SIDE, 240)
    assert opened(processed.original).size == (MAX_SIDE, 240)


def test_generated_names_are_uuid_based_in_the_folder_and_never_the_upload_name():
    data = encode(two_colour_image(), "JPEG")

    first = image_process(upload=upload(data, name="my farm photo.jpg"), folder="products/photos/")
    second = image_process(upload=upload(data, name="my farm photo.jpg"), folder="products/photos/")

    names = [first.original.name, *(t.name for t in first.thumbnails.values())]
    names += [second.original.name, *(t.name for t in second.thumbnails.values())]
    assert len(set(names)) == 6
    for name in names:
        assert re.fullmatch(r"products/photos/[0-9a-f]{32}(_small|_large)?\.(jpg|webp)", name), name
        assert "farm" not in name
    assert image_process(upload=upload(data)).original.name.count("/") == 0


def test_cmyk_jpeg_is_converted_to_rgb():
    data = encode(Image.new("CMYK", (80, 60), (0, 255, 255, 0)), "JPEG", quality=95)

    processed = image_process(upload=upload(data))

    original = opened(processed.original)
    assert original.mode == "RGB"
    red, green, blue = original.getpixel((40, 30))
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_grey_png_is_scaled_not_clipped_to_white():
    data = encode(Image.new("I;16", (40, 40), 32768), "PNG")

    original = opened(image_process(upload=upload(data, name="grey.png")).original)

    assert 120 <= original.getpixel((20, 20))[0] <= 136


def test_uploaded_file_and_plain_file_object_are_both_rewound():
    data = encode(two_colour_image(), "PNG")
    django_upload, plain_file = upload(data, name="a.png"), io.BytesIO(data)

    image_process(upload=django_upload)
    validate_image_upload(plain_file)

    assert django_upload.tell() == 0
    assert plain_file.tell() == 0
    assert django_upload.read() == data


def test_validator_accepts_a_good_image_and_rejects_a_bad_one():
    validate_image_upload(upload(encode(two_colour_image(), "JPEG")))

    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload(HTML))
    assert excinfo.value.code == "not_an_image"
    assert str(excinfo.value.messages[0]) == "This file is not a JPEG, PNG or WebP image."


def test_empty_file_is_rejected():
    assert rejected_code(b"") == "empty"


@pytest.mark.parametrize("with_size", [True, False], ids=["uploaded-file", "plain-file"])
def test_file_over_10_mb_is_rejected_before_decoding(monkeypatch, with_size):
    def refuse(*args, **kwargs):
        raise AssertionError("Pillow was asked to open an oversized file")

    monkeypatch.setattr(images.Image, "open", refuse)
    data = encode(two_colour_image(), "PNG")
    data += b"\0" * (MAX_BYTES + 1 - len(data))
    file = upload(data) if with_size else io.BytesIO(data)

    with pytest.raises(ValidationError) as excinfo:
        image_process(upload=file)

    assert excinfo.value.code == "too_large"
    assert str(excinfo.value.messages[0]) == "The image is larger than 10 MB."


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (10_000, 10_000), (30_000, 30_000)],
    ids=["over-our-40MP", "pillow-warning", "pillow-error"],
)
def test_decompression_bomb_png_is_rejected_without_decoding(no_decoding, recwarn, width, height):
    data = png_declaring(width, height)
    assert len(data) < 1000

    with pytest.raises(ValidationError) as excinfo:
        image_process(upload=upload(data, name="bomb.png"))

    assert excinfo.value.code == "too_many_pixels"
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
    assert str(excinfo.value.messages[0]) == "The image has more than 40 megapixels; please reduce its size."


def test_decompression_bomb_webp_is_rejected_before_pillow_opens_it(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Pillow would let libwebp allocate the canvas")

    monkeypatch.setattr(images.Image, "open", refuse)

    assert rejected_code(webp_declaring(9000, 9000), name="bomb.webp") == "too_many_pixels"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
        b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
    ids=["xml-declaration", "bare-svg"],
)
def test_svg_is_rejected_with_its_own_message(data):
    assert rejected_code(data, name="logo.svg") == "svg_not_allowed"


@pytest.mark.parametrize(
    "data", [HTML, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", b"just some text"], ids=["html", "pdf", "text"]
)
def test_file_that_is_not_an_image_is_rejected_whatever_its_name(data):
    assert rejected_code(data, name="photo.jpg") == "not_an_image"


def test_png_with_html_after_its_end_is_rejected_even_named_jpg():
    assert rejected_code(encode(two_colour_image(), "PNG") + HTML, name="photo.jpg") == "trailing_data"


def test_png_with_html_in_a_text_chunk_is_rejected_as_hidden_content():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", HTML.decode())
    data = encode(two_colour_image(), "PNG", pnginfo=text)
    assert SCRIPT in data

    assert rejected_code(data, name="photo.jpg") == "hidden_content"


@pytest.mark.parametrize(
    "data",
    [
        encode(two_colour_image(), "JPEG", comment=HTML),
        encode(two_colour_image(), "JPEG") + HTML,
    ],
    ids=["in-a-comment", "appended"],
)
def test_jpeg_with_html_inside_is_rejected_as_hidden_content(data):
    assert rejected_code(data) == "hidden_content"


def test_jpeg_with_a_second_frame_appended_as_phones_do_is_accepted_and_loses_it():
    data = encode(two_colour_image(), "JPEG") + encode(two_colour_image((300, 200)), "JPEG")

    processed = image_process(upload=upload(data))

    assert (processed.width, processed.height) == (600, 400)
    assert processed.original.read().count(b"\xff\xd8\xff") == 1


@pytest.mark.parametrize(
    ("image_format", "mode"), [("GIF", "P"), ("BMP", "RGB"), ("TIFF", "RGB")], ids=["gif", "bmp", "tiff"]
)
def test_other_image_formats_are_rejected_as_unsupported(image_format, mode):
    data = encode(Image.new(mode, (20, 20)), image_format)

    with pytest.raises(ValidationError) as excinfo:
        image_process(upload=upload(data, name="photo.jpg"))

    assert excinfo.value.code == "unsupported_format"
    assert "JPEG, PNG or WebP" in str(excinfo.value.messages[0])


def test_truncated_jpeg_is_rejected_as_corrupt():
    data = encode(Image.effect_noise((400, 300), 50).convert("RGB"), "JPEG")

    assert rejected_code(data[: len(data) // 2]) == "corrupt"


def test_truncated_png_is_rejected_as_corrupt():
    data = encode(Image.effect_noise((200, 200), 50), "PNG")

    assert rejected_code(data[: len(data) // 2], name="a.png") == "corrupt"


def test_png_with_a_damaged_chunk_is_rejected_as_corrupt():
    data = bytearray(encode(Image.effect_noise((200, 200), 50), "PNG"))
    data[len(data) // 2] ^= 0xFF

    assert rejected_code(bytes(data), name="a.png") == "corrupt"


def test_png_header_without_an_image_is_rejected_as_corrupt():
    assert rejected_code(b"\x89PNG\r\n\x1a\n" + b"\0" * 30, name="a.png") == "corrupt"
