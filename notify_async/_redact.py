"""Keeping PII and secrets out of messages and logs.

Used by :mod:`notify_async.errors` and the transport's log line: e-mail addresses and phone
numbers in free text are masked, and path parameters that are not plain ids are replaced by their
placeholder name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote_plus

# The lookbehind starts a match only at the start of a run of address characters, so a long run
# without an "@" is scanned once, not once per position (which took quadratic time).
_EMAIL = re.compile(r"(?<![^\s@'\"<>(),;:&=?/])[^\s@'\"<>(),;:&=?/]+@[^\s@'\"<>(),;:&=?/]+")
# A phone number: optional +, then 7+ digits possibly separated by spaces, dots or dashes. The
# bound on its length (E.164 numbers have at most 15 digits) keeps the scan linear.
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{5,30}\d(?![\w-])")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHORT_INT = re.compile(r"^\d{1,6}$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def redact_text(text: str) -> str:
    """Mask e-mail addresses and phone numbers in ``text``."""
    text = _EMAIL.sub("<email>", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    # Dates (2024-01-31) and times have separators every few digits but few digits overall;
    # a run needs at least 9 digits to count as a phone number here.
    return "<phone>" if digits >= 9 else match.group(0)


def redact_value(value: object) -> object:
    """Recursively redact strings inside a JSON-like value (for error messages)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def display_path(template: str, params: Mapping[str, object]) -> str:
    """The path for logs and errors: ids that are UUIDs or small integers are shown, any other
    value (tokens, names, e-mail addresses) stays as its ``{placeholder}``."""

    def show(match: re.Match[str]) -> str:
        value = str(params.get(match.group(1), match.group(0)))
        return value if _UUID.match(value) or _SHORT_INT.match(value) else match.group(0)

    return _PLACEHOLDER.sub(show, template)


_SAFE_SEGMENT = re.compile(r"^(?:[a-z]+(?:[-_.][a-z]+)*|\d{1,6})$")


def redact_url(url: str) -> str:
    """A URL fit for a log line: path segments that are neither UUIDs, small integers nor plain
    lower-case words (tokens, names, encoded e-mail addresses) become ``<redacted>``, and PII in
    the query string is masked."""
    base, sep, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    host, slash, path = rest.partition("/")
    segments = [
        s if not s or _UUID.match(s) or _SAFE_SEGMENT.match(s) else "<redacted>"
        for s in path.split("/")
    ]
    shown = f"{scheme}://{host}{slash}{'/'.join(segments)}"
    return shown + (sep + redact_text(unquote_plus(query)) if sep else "")
