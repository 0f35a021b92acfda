"""Polyglot checks shared by every upload: a file that is also a web page, a script or an archive is refused.

An image or a PDF can carry a second file that another program reads: HTML or PHP in a comment, a text chunk or
after the end of the image, or a ZIP/JAR archive appended to it (the old "GIFAR" trick). Re-encoding images drops
such payloads, but dossier documents and signed MoUs are kept byte for byte, so the check runs on every upload and
the uploader is told, rather than the file being quietly cleaned.

The markers are long enough that compressed pixel data does not produce them by chance: each needs at least six
exact bytes (about one false alarm in 10^5 uploads of 10 MB); the archive test needs a consistent ZIP directory.
"""

import re

# Markup a browser or a PHP interpreter would act on, matched in the lower-cased bytes (lowering 10 MB and one
# search cost about 0.1 s): a tag name must end (space, "/", ">" or the end of the file) to count.
_MARKUP = re.compile(rb"<(?:script|html|body|iframe|object|embed|!doctype html)(?:[\s/>]|\Z)|<\?php\s|javascript:")
_ZIP_END = b"PK\x05\x06"
_ZIP_CENTRAL_HEADER = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP_END_SIZE = 22
_ZIP_MAX_COMMENT = 0xFFFF


def hidden_content_find(data: bytes) -> str | None:
    """Return "markup" or "archive" when the bytes also hold a web page, a script or a ZIP archive; else None."""
    if _MARKUP.search(data.lower()):
        return "markup"
    if _has_zip_directory(data):
        return "archive"
    return None


def _has_zip_directory(data: bytes) -> bool:
    """True when a ZIP end-of-directory record in the last 64 KB points at a real central directory.

    ZIP readers (and Java for a JAR) look for this record from the end of the file, wherever the archive starts.
    """
    search_from = max(0, len(data) - _ZIP_END_SIZE - _ZIP_MAX_COMMENT)
    position = data.rfind(_ZIP_END, search_from)
    while position != -1:
        record = data[position : position + _ZIP_END_SIZE]
        if len(record) == _ZIP_END_SIZE:
            if data[max(0, position - _ZIP64_LOCATOR_SIZE) : position].startswith(_ZIP64_LOCATOR):
                return True
            entries = int.from_bytes(record[10:12], "little")
            directory_size = int.from_bytes(record[12:16], "little")
            # The central directory sits just before this record, wherever the archive itself starts.
            directory_start = position - directory_size
            if entries and directory_start >= 0 and data[directory_start : directory_start + 4] == _ZIP_CENTRAL_HEADER:
                return True
        position = data.rfind(_ZIP_END, search_from, position)
    return False
