"""Text that came from student code, made safe to write anywhere.

Side of the wall: grader. Exception messages, printed output, file names from a zip and
nbgrader's logs may hold lone surrogates, invalid bytes or control characters; any of them
could break a UTF-8 write (and so a batch) or garble a CSV. :func:`clean` replaces what
cannot be encoded, drops control characters (keeping newlines and tabs where allowed)
and caps the length.
"""
from __future__ import annotations

import unicodedata


def clean(text, limit: int | None = None, *, newlines: bool = True) -> str:
    """``text`` as valid, printable UTF-8 text (``?`` for what was not), at most ``limit`` characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text).encode("utf-8", "replace").decode("utf-8")   # lone surrogates -> "?"
    kept = []
    for char in text:
        if char in "\n\r\t":
            kept.append(char if newlines else " ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and char != "\ufffd":
            kept.append("?")
        else:
            kept.append(char)
    text = "".join(kept)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    return text
