"""How cache keys are formed, and Redis glob patterns. Backends only store bytes.

Key templates use the original admin app's names (``service-{service_id}``,
``user-{user_id}``, ...). A value that parses as a UUID is written in canonical lower-case form,
so ``SERVICE-ID`` and ``service-id`` share one entry, as in the original.

Values never change what a key or pattern means. UUIDs, integers and dates (every value the real
API's ids and dates take) are written as the original writes them; in any other value, each
character outside ``[A-Za-z0-9_.]`` is percent-encoded. So ``get_service("*")``
cannot reach every service's keys through a pattern, and ``get_service(f"{A}-templates")``
cannot read service A's template list (every ``-`` of that value is encoded).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from functools import lru_cache

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


#: Text that can stand in a key as it is: it holds no ``-`` (the separator of the templates'
#: literal parts) and no glob character.
_PLAIN = re.compile(r"[A-Za-z0-9_.]*\Z")
#: Dashed values whose fixed shape cannot spell a template's literal part (``-templates``,
#: ``-to-``, ...): dates and naive date-times as ``str()`` writes them; UUIDs are recognised
#: separately.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d{6})?)?\Z")


@lru_cache(maxsize=4096)
def _normalise_text(value: str) -> str:
    if len(value) in (32, 36, 38, 45):  # the lengths uuid.UUID() accepts
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    if _PLAIN.match(value) or _DATE.match(value):
        return value
    return "".join(ch if _PLAIN.match(ch) else _percent(ch) for ch in value)


def _percent(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode())


def normalise(value: object) -> str:
    """The text a value takes inside a key: UUID strings canonical and lower-case, integers and
    dates as the original's ``str.format`` writes them, and anything else with every character
    outside ``[A-Za-z0-9_.]`` percent-encoded (so no value can spell another key or a glob)."""
    if isinstance(value, str):
        return _normalise_text(value)  # memoised: the same ids come back on every hit
    # Everything else as the original's str.format shows it, made safe the same way: a date as
    # 2024-01-31, a datetime as 2024-01-31 12:00:00 (not isoformat's "T"), an int as digits.
    return _normalise_text(str(value))


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
    """Compile a Redis glob to a regex matching exactly the keys Redis's own matcher does.

    ``*`` any run, ``?`` one character, ``\\x`` a literal ``x``, and ``[...]`` classes as Redis
    reads them: ``^`` negates, ``a-z`` ranges (either way round), ``\\`` escapes inside, a ``]``
    right after ``[`` or ``[^`` closes an empty class, and an unclosed ``[`` runs to the end.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            regex, i = _bracket(pattern, i + 1)
            out.append(regex)
            continue
        else:
            if ch == "\\" and i + 1 < n:
                i += 1
            out.append(re.escape(pattern[i]))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """The regex of the class whose body starts at ``i`` (after ``[``), and the index after it."""
    n = len(pattern)
    negate = pattern[i : i + 1] == "^"
    i += negate
    items: list[str] = []
    while i < n and pattern[i] != "]":
        if pattern[i] == "\\" and i + 1 < n:
            i += 1
            items.append(re.escape(pattern[i]))
        elif i + 2 < n and pattern[i + 1] == "-":
            low, high = sorted((pattern[i], pattern[i + 2]))
            items.append(f"{re.escape(low)}-{re.escape(high)}")
            i += 2
        else:
            items.append(re.escape(pattern[i]))
        i += 1
    if not items:  # "[]" matches nothing, "[^]" any one character
        return ("." if negate else "(?!)"), i + 1
    return f"[{'^' if negate else ''}{''.join(items)}]", i + 1


def literal_prefix(pattern: str) -> str:
    """The part of a glob before its first special character (``service-`` of ``service-*``)."""
    match = re.search(r"[*?\[\\]", pattern)
    return pattern if match is None else pattern[: match.start()]
