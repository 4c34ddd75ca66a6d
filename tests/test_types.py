"""Every method says what it returns, and an answer of the wrong JSON kind is refused.

The types themselves are checked against the real API's answers in
``test_types_real_samples.py`` and with mypy in ``test_types_mypy.py``.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

import notify_async.clients as clients
from notify_async import InvalidResponse, NotifyAdminClient
from notify_async.cache import MemoryCache
from notify_async.clients._shape import check_shape, expected_kinds, kinds_of
from notify_async.types import JSONObject, JSONValue, ServiceResponse, User
from tests.conftest import make_client
from tests.harness import CATALOGUE, sample_value

SERVICE_ID = sample_value("service_id")
NONE = type(None)


def _public_methods() -> Iterator[Any]:
    for client in CATALOGUE["clients"]:
        cls = getattr(clients, client["class"])
        for entry in client["methods"]:
            if not entry["name"].startswith("_"):
                name = entry["name"]
                yield pytest.param(getattr(cls, name), id=f"{cls.__name__}.{name}")


METHODS = list(_public_methods())


def _mentions_any(annotation: object, seen: set[int] | None = None) -> bool:
    seen = set() if seen is None else seen
    if annotation is Any:
        return True
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    alias = getattr(annotation, "__value__", None)
    if alias is not None:
        return _mentions_any(alias, seen)
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):  # TypedDict
        return any(_mentions_any(t, seen) for t in typing.get_type_hints(annotation).values())
    return any(_mentions_any(arg, seen) for arg in typing.get_args(annotation))


@pytest.mark.parametrize("method", METHODS)
def test_every_method_declares_a_return_type_without_any(method: Any) -> None:
    declared = typing.get_type_hints(method)["return"]
    assert not _mentions_any(declared), declared


def test_the_catalogue_is_typed_almost_everywhere_with_fixed_shapes() -> None:
    free_form = (JSONValue, JSONObject, list[JSONObject])
    fixed = [m for m in METHODS if typing.get_type_hints(m.values[0])["return"] not in free_form]
    assert len(METHODS) == 227
    assert len(fixed) / len(METHODS) >= 0.9


# --- what check_shape and the unwrapping helpers accept ----------------------------------------


@pytest.mark.parametrize(
    ("annotation", "kinds"),
    [
        (ServiceResponse, {dict}),
        (list[User], {list}),
        (str | None, {str, NONE}),
        (None, {NONE}),
        (int, {int}),
        (float, {float, int}),
        (bool, {bool}),
        (tuple[bool, JSONValue], {tuple}),
        (typing.Literal["a", 1], {str, int}),
        (JSONObject, {dict}),
        (JSONValue, None),  # any JSON value
        (object, None),
        (Any, None),
    ],
)
def test_kinds_of_reads_the_top_level_json_kind(
    annotation: object, kinds: set[type] | None
) -> None:
    assert kinds_of(annotation) == (None if kinds is None else frozenset(kinds))


async def _service_answer() -> ServiceResponse:
    raise NotImplementedError


async def _count() -> int:
    raise NotImplementedError


async def _nothing() -> None:
    raise NotImplementedError


async def _free_form() -> JSONValue:
    raise NotImplementedError


def test_check_shape_passes_a_value_of_the_declared_kind_unchanged() -> None:
    answer = {"data": {"id": "x"}}
    assert check_shape(_service_answer, answer) is answer
    assert check_shape(_count, 3) == 3
    assert check_shape(_nothing, None) is None
    assert check_shape(_free_form, [1, "two"]) == [1, "two"]


@pytest.mark.parametrize(
    ("fn", "value", "message"),
    [
        (_service_answer, [{"id": "x"}], "expected a JSON object from the API, got a JSON list"),
        (_count, True, "expected an integer from the API, got true or false"),
        (_nothing, {"data": {}}, "expected null from the API, got a JSON object"),
    ],
)
def test_check_shape_refuses_a_value_of_another_kind(fn: Any, value: Any, message: str) -> None:
    with pytest.raises(InvalidResponse) as refused:
        check_shape(fn, value)
    assert refused.value.status_code == 200
    assert f"{fn.__qualname__}: {message}" in str(refused.value)


def test_the_expected_kinds_are_read_once_and_remembered() -> None:
    assert expected_kinds(_count) == frozenset({int})
    _count.__annotations__["return"] = "str"
    try:
        assert expected_kinds(_count) == frozenset({int})
    finally:
        _count.__annotations__["return"] = "int"


# --- endpoint methods refuse wrong answers ------------------------------------------------------


def _answering(body: Any) -> respx.MockRouter:
    router = respx.mock(assert_all_called=False)
    router.route().mock(return_value=httpx.Response(200, json=body))
    return router


async def test_a_list_for_a_service_is_refused_and_not_cached() -> None:
    cache = MemoryCache()
    notify: NotifyAdminClient = make_client(cache)
    with _answering([{"id": SERVICE_ID}]) as router:
        with pytest.raises(InvalidResponse, match=r"get_service: expected a JSON object"):
            await notify.services.get_service(SERVICE_ID)
        with pytest.raises(InvalidResponse):
            await notify.services.get_service(SERVICE_ID)
        assert len(router.calls) == 2
    assert await cache.get(f"service-{SERVICE_ID}") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"user": {}}, "expected a JSON object with 'data' from the API, got a JSON object"),
        ([{"id": "x"}], "expected a JSON object with 'data' from the API, got a JSON list"),
        ({"data": [{}]}, "expected a JSON object in 'data' from the API, got a JSON list"),
    ],
)
async def test_unwrapping_refuses_an_answer_without_the_key_or_of_another_kind(
    body: Any, message: str
) -> None:
    notify = make_client()
    with _answering(body), pytest.raises(InvalidResponse) as refused:
        await notify.users.get_user_by_email("someone@example.gov.uk")
    assert f"UserApiClient.get_user_by_email: {message}" in str(refused.value)


async def test_a_list_endpoint_refuses_an_object() -> None:
    notify = make_client()
    with _answering({"data": []}), pytest.raises(InvalidResponse, match="a JSON list"):
        await notify.letter_rates.get_letter_rates()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"last_date_used": "2024-04-01"}, "2024-04-01"),
        ({"last_date_used": None}, None),
        ({}, None),
    ],
)
async def test_an_optional_value_may_be_null_or_missing(body: Any, expected: str | None) -> None:
    notify = make_client()
    with _answering(body):
        stats = notify.template_statistics
        assert await stats.get_last_used_date_for_template(SERVICE_ID, "t") == expected


async def test_an_optional_value_of_another_kind_is_refused() -> None:
    notify = make_client()
    with _answering({"notifications_sent_count": "12"}), pytest.raises(
        InvalidResponse, match="an integer or null in 'notifications_sent_count'"
    ):
        await notify.notifications.get_notifications_count_for_service(SERVICE_ID, "sms", 7)
