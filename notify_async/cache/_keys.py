"""How cache keys are formed, and Redis glob patterns. Backends only store bytes.

Key templates use the original admin app's names (``service-{service_id}``,
``user-{user_id}``, ...). A value that parses as a UUID is written in canonical lower-case form,
so ``SERVICE-ID`` and ``service-id`` share one entry, as in the original.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from functools import lru_cache

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=4096)
def _normalise_text(value: str) -> str:
    if len(value) in (32, 36, 38, 45):  # the lengths uuid.UUID() accepts
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    return value


def normalise(value: object) -> str:
    """The text a value takes inside a key (UUID strings canonical and lower-case)."""
    if isinstance(value, str):
        return _normalise_text(value)  # memoised: the same ids come back on every hit
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def placeholders(template: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of a key template, in order."""
    return tuple(_PLACEHOLDER.findall(template))


def format_key(template: str, arguments: Mapping[str, object]) -> str:
    """Fill a key template from a method's arguments (looked up by parameter name)."""
    return _PLACEHOLDER.sub(lambda m: normalise(arguments[m.group(1)]), template)


def compile_key(template: str) -> Callable[[Mapping[str, object]], str]:
    """A function doing what :func:`format_key` does for ``template``, parsed once (the
    decorators build a key on every cache hit)."""
    parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ..., literal
    literals, names = parts[0::2], parts[1::2]
    if not names:
        return lambda arguments: template
    if len(names) == 1:
        head, name, tail = literals[0], names[0], literals[1]
        return lambda arguments: head + normalise(arguments[name]) + tail
    pairs = list(zip(names, literals[1:], strict=True))

    def build(arguments: Mapping[str, object]) -> str:
        out = [literals[0]]
        for name, literal in pairs:
            out += (normalise(arguments[name]), literal)
        return "".join(out)

    return build


@lru_cache(maxsize=512)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Redis glob (``*``, ``?``, ``[abc]``, ``[^a]``, ``[a-z]``, ``\\x``) to a regex."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif ch == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("^", "]") else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                negate = body.startswith("^")
                body = body[1:] if negate else body
                escaped = "".join("\\" + c if c in "\\]^[" else c for c in body)
                out.append(f"[{'^' if negate else ''}{escaped}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def literal_prefix(pattern: str) -> str:
    """The part of a glob before its first special character (``service-`` of ``service-*``)."""
    match = re.search(r"[*?\[\\]", pattern)
    return pattern if match is None else pattern[: match.start()]
