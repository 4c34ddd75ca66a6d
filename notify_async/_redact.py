"""Keeping PII and secrets out of messages and logs.

Used by :mod:`notify_async.errors` and the transport's log lines: e-mail addresses and phone
numbers in free text are masked, path parameters that are not plain ids are replaced by their
placeholder name, and in a logged URL only query values that are plainly not sensitive are shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote_plus

# The lookbehind starts a match only at the start of a run of address characters, so a long run
# without an "@" is scanned once, not once per position (which took quadratic time). The "@" may
# be percent-encoded ("%40"), as in a path or a cache key built from an address.
_EMAIL = re.compile(
    r"(?<![^\s@'\"<>(),;:&=?/])[^\s@'\"<>(),;:&=?/]+(?:@|%40)[^\s@'\"<>(),;:&=?/]+"
)
# A phone number: optional +, then 7+ digits possibly separated by spaces, dots or dashes. The
# bound on its length (E.164 numbers have at most 15 digits) keeps the scan linear.
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{5,30}\d(?![\w-])")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHORT_INT = re.compile(r"^\d{1,6}$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def redact_text(text: str) -> str:
    """Mask e-mail addresses (also with the "@" percent-encoded) and phone numbers in
    ``text``."""
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
# Query values shown as they are: small integers, booleans, plain lower-case words (statuses,
# channels, types) and ISO dates / times. Anything else may be a secret or PII.
_SAFE_QUERY_VALUE = re.compile(
    r"^(?:\d{1,6}|[Tt]rue|[Ff]alse|[a-z]+(?:[-_][a-z]+)*"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?)$"
)
_QUERY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-\[\]]*$")
# Names whose values are hidden even when they look plain (``password=letmein``).
_SECRET_NAME_PARTS = ("password", "passwd", "secret", "token", "apikey", "api_key", "signature",
                      "credential", "cookie", "session")
_SECRET_NAMES = frozenset({"auth", "authorization", "code", "jwt", "key", "otp", "pass", "pin",
                           "pwd", "sig"})
REDACTED = "<redacted>"


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or any(part in lowered for part in _SECRET_NAME_PARTS)


def _shown_value(value: str) -> str:
    decoded = unquote_plus(value)
    safe = not decoded or _UUID.match(decoded) or _SAFE_QUERY_VALUE.match(decoded)
    return decoded if safe else REDACTED


def _shown_query_part(part: str) -> str:
    name, sep, value = part.partition("=")
    if not sep:  # a bare part ("?verbose"): shown only when it is a plain word
        return _shown_value(name)
    if not _QUERY_NAME.match(unquote_plus(name)):
        name = REDACTED
    return f"{name}={REDACTED if value and _secret_name(name) else _shown_value(value)}"


def redact_url(url: str) -> str:
    """A URL fit for a log line.

    Path segments that are neither UUIDs, small integers nor plain lower-case words (tokens,
    names, encoded e-mail addresses) become ``<redacted>``. In the query the names stay and a
    value is shown only when it is plainly not sensitive (a UUID, a small integer, ``True`` /
    ``False``, a plain lower-case word such as ``email`` or ``delivered``, an ISO date or time)
    and its name is not a secret's (``password``, ``token``, ...); any other value becomes
    ``<redacted>``. User info and a fragment, if any, are redacted too.
    """
    url, hash_, _ = url.partition("#")
    base, sep, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    host, slash, path = rest.partition("/")
    if "@" in host:
        host = REDACTED + "@" + host.rpartition("@")[2]
    segments = [
        s if not s or _UUID.match(s) or _SAFE_SEGMENT.match(s) else REDACTED
        for s in path.split("/")
    ]
    shown = f"{scheme}://{host}{slash}{'/'.join(segments)}"
    if sep:
        shown += sep + "&".join(_shown_query_part(p) if p else p for p in query.split("&"))
    return shown + (hash_ + REDACTED if hash_ else "")
