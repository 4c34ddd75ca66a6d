"""Cache key forming (as the original's ``str.format`` with UUID normalisation) and Redis glob
patterns translated to regexes for the in-memory backend and in-flight detaching."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from notify_async.cache import format_key
from notify_async.cache._keys import glob_to_regex, literal_prefix, normalise
from tests.redis_server import RedisServer, redis_server_fixture  # noqa: F401

LOWER = "9f5b7c8e-0f2a-4b8e-9a59-3c1d2e4f5a6b"


@pytest.mark.parametrize(
    "value",
    [
        LOWER,
        LOWER.upper(),
        uuid.UUID(LOWER),
        LOWER.replace("-", ""),
        "{" + LOWER.upper() + "}",
        "urn:uuid:" + LOWER,
    ],
    ids=["lower", "upper", "uuid-object", "hex", "braces", "urn"],
)
def test_every_spelling_of_a_uuid_becomes_the_canonical_lower_case_form(value: object) -> None:
    assert format_key("service-{service_id}", {"service_id": value}) == f"service-{LOWER}"


def test_a_string_that_is_not_a_uuid_is_kept_as_it_is() -> None:
    assert normalise("Not-A-UUID") == "Not-A-UUID"
    assert normalise("g" * 32) == "g" * 32  # a UUID's length but not hex


def test_none_is_written_none() -> None:
    key = "service-{service_id}-template-{template_id}-version-{version}"
    assert format_key(key, {"service_id": "s", "template_id": "t", "version": None}) == (
        "service-s-template-t-version-None"
    )


def test_integers_and_booleans_are_written_as_str_formats_them() -> None:
    assert format_key("{a}-{b}", {"a": 3, "b": False}) == "3-False"


def test_a_date_is_written_year_month_day() -> None:
    assert normalise(dt.date(2024, 1, 31)) == "2024-01-31"


def test_a_datetime_is_written_as_str_format_writes_it_not_isoformat() -> None:
    moment = dt.datetime(2024, 1, 31, 12, 30)
    assert normalise(moment) == f"{moment}" == "2024-01-31 12:30:00"


def test_a_key_without_placeholders_is_returned_unchanged() -> None:
    assert format_key("letter-rates", {}) == "letter-rates"


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("service-*", ["service-", "service-1-template-2"], ["services", "user-service-1"]),
        ("service-?", ["service-1", "service-x"], ["service-", "service-12"]),
        ("[a-c]x", ["ax", "bx", "cx"], ["dx", "Ax", "x"]),
        ("[c-a]x", ["ax", "bx", "cx"], ["dx"]),
        ("[^a]x", ["bx", "]x", "^x"], ["ax", "x"]),
        ("[abc]", ["a", "b", "c"], ["ab", "d"]),
        (r"a\*b", ["a*b"], ["ab", "axb"]),
        (r"a\?", ["a?"], ["ab"]),
        (r"[\]]", ["]"], ["\\"]),
        ("[^]", ["x", "]"], ["", "xy"]),
        ("[]", [], ["", "]", "[]"]),
        ("[abc", ["a", "c"], ["[abc", "d"]),
        ("x\\", ["x\\"], ["x"]),
        ("a.b+(c)", ["a.b+(c)"], ["axb+(c)", "a.bb(c)"]),
        ("*", ["", "anything\nwith a newline"], []),
    ],
)
def test_glob_to_regex_follows_redis_glob_rules(
    pattern: str, matching: list[str], not_matching: list[str]
) -> None:
    regex = glob_to_regex(pattern)
    assert [key for key in matching if regex.match(key)] == matching
    assert [key for key in not_matching if regex.match(key)] == []


_KEYS = [
    "a", "b", "z", "A", "]", "^", "-", "\\", "[", "ab", "a]", "]a", "x\\", "x*", "xy", "a-z",
    "[abc", "a\nb", "service-1", "service-1-template-2",
]
_PATTERNS = [
    "*", "?", "[z-a]", "[^]a]", "[\\]]", "[]a]", "[abc", "a\\*b", "x\\", "[a-]", "[a-]]",
    "[^a]", "[a-c]", "[^a-c]", "[\\^]", "[-a]", "[[]", "a[]", "[^]", "[]", "**a", "x[\\\\]",
    "service-1-*", "a?b",
]


def test_glob_to_regex_matches_exactly_the_keys_a_real_redis_matches(
    redis_server: RedisServer,
) -> None:
    with redis_server.client() as client:
        client.flushall()
        client.mset(dict.fromkeys(_KEYS, 1))
        for pattern in _PATTERNS:
            expected = sorted(key.decode() for key in client.keys(pattern))
            ours = sorted(key for key in _KEYS if glob_to_regex(pattern).match(key))
            assert ours == expected, pattern
        client.flushall()


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [("service-1-template-*", "service-1-template-"), ("a?b", "a"), ("[ab]", ""),
     (r"x\*", "x"), ("plain", "plain")],
)
def test_literal_prefix_stops_at_the_first_special_character(pattern: str, prefix: str) -> None:
    assert literal_prefix(pattern) == prefix
