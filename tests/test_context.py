"""request_context: nesting and restoration, inheritance into tasks, refused values, and the
acting-user requirement of created_by methods."""

from __future__ import annotations

import asyncio
import uuid

import anyio
import anyio.lowlevel
import pytest
import respx

from notify_async import MissingActingUserError, NotifyAdminClient, current_user_id
from notify_async.context import (
    PARENT_SPAN_ID_HEADER,
    TRACE_ID_HEADER,
    context_headers,
    request_context,
    require_user_id,
)
from notify_async.errors import InvalidArgumentError
from tests.harness import BASE_URL

SERVICE = "0f4b8b5e-51c5-4a38-9b57-5f0c1d4e2a10"


def test_there_is_no_acting_user_outside_a_context() -> None:
    assert current_user_id() is None
    assert context_headers() == {}


def test_nested_contexts_override_and_restore_in_turn() -> None:
    with request_context(user_id="outer"):
        assert current_user_id() == "outer"
        with request_context(user_id="inner"):
            assert current_user_id() == "inner"
        assert current_user_id() == "outer"
    assert current_user_id() is None


def test_values_left_as_none_keep_the_enclosing_ones() -> None:
    with request_context(user_id="u1", trace_id="t" * 32, span_id="s" * 16):
        with request_context(span_id="c" * 16):
            headers = context_headers()
            assert current_user_id() == "u1"
            assert headers[TRACE_ID_HEADER] == "t" * 32
            assert headers[PARENT_SPAN_ID_HEADER] == "c" * 16
        assert context_headers()[PARENT_SPAN_ID_HEADER] == "s" * 16


def test_the_context_is_restored_when_the_block_raises() -> None:
    with pytest.raises(KeyError), request_context(user_id="u1", trace_id="t" * 32):
        raise KeyError("boom")
    assert current_user_id() is None
    assert context_headers() == {}


def test_a_uuid_user_id_is_kept_as_its_string() -> None:
    with request_context(user_id=uuid.UUID(SERVICE)):
        assert current_user_id() == SERVICE


@pytest.mark.parametrize(
    "values",
    [{"user_id": ""}, {"trace_id": "a\nb"}, {"span_id": "x\r"}, {"user_id": "u\r\nX-Evil: 1"}],
    ids=["empty-user", "newline-trace", "cr-span", "header-injection"],
)
def test_empty_or_multi_line_values_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(InvalidArgumentError, match="non-empty single line"), request_context(
        **values
    ):
        pass  # pragma: no cover - never entered


def test_a_refused_value_leaves_the_context_untouched() -> None:
    with request_context(user_id="outer"):
        with pytest.raises(InvalidArgumentError), request_context(user_id="new", trace_id=""):
            pass  # pragma: no cover - never entered
        assert current_user_id() == "outer"
    assert current_user_id() is None
    with pytest.raises(InvalidArgumentError), request_context(user_id="new", span_id="\n"):
        pass  # pragma: no cover - never entered
    assert current_user_id() is None


async def test_asyncio_tasks_inherit_the_context_and_do_not_leak_back() -> None:
    async def child() -> str | None:
        seen = current_user_id()
        with request_context(user_id="child"):
            await asyncio.sleep(0)
        return seen

    with request_context(user_id="parent"):
        task = asyncio.create_task(child())
    assert await task == "parent"
    assert current_user_id() is None


async def test_task_group_tasks_see_their_own_context_concurrently() -> None:
    seen: dict[str, str | None] = {}

    async def worker(name: str) -> None:
        with request_context(user_id=name):
            await anyio.lowlevel.checkpoint()  # let the other worker run in its own context
            seen[name] = current_user_id()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(worker, "a")
        tasks.start_soon(worker, "b")
    assert seen == {"a": "a", "b": "b"}


def test_require_user_id_names_the_method_when_no_user_is_set() -> None:
    with pytest.raises(MissingActingUserError, match=r"Thing\.do_it.*request_context"):
        require_user_id("Thing.do_it")
    with request_context(user_id="u1"):
        assert require_user_id("Thing.do_it") == "u1"


async def test_a_created_by_method_without_an_acting_user_raises_before_any_request(
    notify: NotifyAdminClient,
) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.route().respond(201, json={"data": "key"})
        with pytest.raises(MissingActingUserError, match=r"ApiKeyApiClient\.create_api_key"):
            await notify.api_keys.create_api_key(SERVICE, "key name", "normal")
        assert not route.called
        with request_context(user_id="u1"):
            assert await notify.api_keys.create_api_key(SERVICE, "key name", "normal") == "key"
        assert route.call_count == 1


def test_a_w3c_form_trace_id_also_goes_out_as_traceparent() -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    with request_context(trace_id=trace_id, span_id="00f067aa0ba902b7"):
        headers = context_headers()
    assert headers["traceparent"] == f"00-{trace_id}-{headers['X-B3-SpanId']}-01"
    assert headers["X-B3-TraceId"] == trace_id
    for other in ("trace-123", trace_id.upper(), "0" * 32):
        with request_context(trace_id=other):
            assert "traceparent" not in context_headers()
