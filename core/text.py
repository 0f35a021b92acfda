"""Text that must stay on one line: email subjects and headers, names shown in a list."""

import re

# Line breaks, tabs and the other C0/C1 control characters, and the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(text: str) -> str:
    """The text with each run of control characters (a line break among them) turned into one space."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())
