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


def test_a_plain_string_that_is_not_a_uuid_is_kept_as_it_is() -> None:
    assert normalise("NotAUUID_1.2") == "NotAUUID_1.2"
    assert normalise("g" * 32) == "g" * 32  # a UUID's length but not hex


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Not-A-UUID", "Not%2DA%2DUUID"),
        ("*", "%2A"),
        ("[ab]*", "%5Bab%5D%2A"),
        ("?" * 3, "%3F%3F%3F"),
        ("a\\b", "a%5Cb"),
        (f"{LOWER}-templates", f"{LOWER}-templates".replace("-", "%2D")),
        ("é", "%C3%A9"),
        (-5, "%2D5"),
    ],
)
def test_any_other_character_is_percent_encoded(value: object, written: str) -> None:
    assert normalise(value) == written


def test_a_value_cannot_spell_another_templates_key() -> None:
    templates_of_a = format_key("service-{service_id}-templates", {"service_id": LOWER})
    service_named_so = format_key("service-{service_id}", {"service_id": f"{LOWER}-templates"})
    assert service_named_so != templates_of_a


def test_a_value_cannot_put_a_glob_character_in_a_pattern() -> None:
    pattern = format_key("service-{service_id}-template-*", {"service_id": "*"})
    assert not glob_to_regex(pattern).match(f"service-{LOWER}-template-x")


def test_dates_keep_their_dashes() -> None:
    key = "performance-stats-{start_date}-to-{end_date}"
    assert format_key(key, {"start_date": "2024-01-01", "end_date": dt.date(2024, 2, 1)}) == (
        "performance-stats-2024-01-01-to-2024-02-01"
    )


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
