"""The transport's retries (with injected sleep, jitter and clock: nothing sleeps for real), the
in-flight cap, and the same transport under trio."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx
import trio

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async.errors import HTTP503Error, HTTPError, RateLimitError, TransportError
from tests.conftest import make_client
from tests.harness import BASE_URL
from tests.transport_matrix import each_transport  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("each_transport")

SERVICE = "0f4b8b5e-51c5-4a38-9b57-5f0c1d4e2a10"
OK = httpx.Response(200, json={"ok": True})


class FakeTime:
    """A clock that only moves when the transport sleeps (or a fake server says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.delays: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        self.now += delay


def retrying_client(fake: FakeTime, jitter: float = 0.0, **policy: Any) -> NotifyAdminClient:
    """A facade whose transport retries per ``policy`` on ``fake`` time with a fixed jitter."""
    settings = {"max_attempts": 4, "backoff_base": 1.0, "backoff_max": 8.0, "budget": 60.0}
    notify = make_client(retry=RetryPolicy(**{**settings, **policy}))
    transport = notify._transport
    transport.sleep, transport.clock, transport.jitter = fake.sleep, fake.clock, lambda: jitter
    return notify


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def answers(api: respx.MockRouter, *outcomes: Any) -> respx.Route:
    """Answer successive requests with ``outcomes`` (responses or exceptions to raise)."""
    return api.route().mock(side_effect=list(outcomes))


async def send(notify: NotifyAdminClient, method: str = "GET") -> Any:
    body = {"name": "x"} if method in ("POST", "PUT") else None
    return await notify._transport.request(method, "/x", body=body)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(429),
        httpx.Response(502), httpx.Response(503), httpx.Response(504),
    ],
    ids=["connect-error", "read-timeout", "429", "502", "503", "504"],
)
async def test_a_get_is_retried_after_a_transient_failure(
    fake: FakeTime, api: respx.MockRouter, failure: Any
) -> None:
    route = answers(api, failure, OK)
    assert await send(retrying_client(fake)) == {"ok": True}
    assert route.call_count == 2
    assert fake.delays == [0.5]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_are_retried_like_a_get(
    fake: FakeTime, api: respx.MockRouter, method: str
) -> None:
    route = answers(api, httpx.Response(503), OK)
    await send(retrying_client(fake), method)
    assert route.call_count == 2


@pytest.mark.parametrize("status", [400, 404, 500])
async def test_other_statuses_are_not_retried(
    fake: FakeTime, api: respx.MockRouter, status: int
) -> None:
    route = answers(api, httpx.Response(status), OK)
    with pytest.raises(HTTPError) as caught:
        await send(retrying_client(fake))
    assert caught.value.status_code == status
    assert route.call_count == 1
    assert fake.delays == []


async def test_backoff_doubles_per_attempt_up_to_its_maximum(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    answers(api, *[httpx.Response(503)] * 5, OK)
    notify = retrying_client(fake, max_attempts=6, backoff_base=1.0, backoff_max=4.0)
    await send(notify)
    assert fake.delays == [0.5, 1.0, 2.0, 2.0, 2.0]


async def test_jitter_scales_each_delay_between_half_and_all_of_it(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    answers(api, httpx.Response(503), httpx.Response(503), OK)
    await send(retrying_client(fake, jitter=0.5))
    assert fake.delays == [0.75, 1.5]


async def test_retry_after_in_seconds_is_honoured(fake: FakeTime, api: respx.MockRouter) -> None:
    answers(api, httpx.Response(429, headers={"Retry-After": "7"}), OK)
    await send(retrying_client(fake))
    assert fake.delays == [7.0]


@pytest.fixture
def non_utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time 5 hours off UTC, so a date read as local time would be visibly wrong."""
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("non_utc_local_time")
@pytest.mark.parametrize("usegmt", [True, False], ids=["GMT", "-0000"])
async def test_retry_after_as_an_http_date_is_honoured(
    fake: FakeTime, api: respx.MockRouter, usegmt: bool
) -> None:
    when = email.utils.formatdate(time.time() + 100, usegmt=usegmt)
    answers(api, httpx.Response(503, headers={"Retry-After": when}), OK)
    await send(retrying_client(fake, budget=1000.0))
    assert fake.delays == [pytest.approx(100, abs=2)]


async def test_an_unreadable_retry_after_falls_back_to_the_backoff(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    answers(api, httpx.Response(503, headers={"Retry-After": "soon"}), OK)
    assert await send(retrying_client(fake)) == {"ok": True}
    assert fake.delays == [0.5]


async def test_a_retry_after_beyond_the_budget_is_not_waited_for(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    route = answers(api, httpx.Response(503, headers={"Retry-After": "120"}), OK)
    with pytest.raises(HTTP503Error):
        await send(retrying_client(fake, budget=60.0))
    assert route.call_count == 1
    assert fake.delays == []


async def test_attempts_stop_at_max_attempts_with_the_last_error(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    route = answers(api, *[httpx.Response(429, json={"message": "slow down"})] * 5)
    with pytest.raises(RateLimitError) as caught:
        await send(retrying_client(fake, max_attempts=3))
    assert route.call_count == 3
    assert len(fake.delays) == 2
    assert caught.value.message == "slow down"


async def test_attempts_stop_when_the_time_budget_would_be_exceeded(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    def slow_server(request: httpx.Request) -> httpx.Response:
        fake.now += 30  # each attempt takes 30 s of the 60 s budget
        return httpx.Response(503)

    route = api.route().mock(side_effect=slow_server)
    with pytest.raises(HTTP503Error):
        await send(retrying_client(fake, max_attempts=10, budget=60.0))
    assert route.call_count == 2
    assert fake.delays == [0.5]


async def test_no_response_after_every_attempt_raises_transport_error_503(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    route = answers(api, *[httpx.ConnectError("refused")] * 4)
    with pytest.raises(TransportError) as caught:
        await send(retrying_client(fake, max_attempts=4))
    error = caught.value
    assert isinstance(error, HTTP503Error)
    assert error.status_code == 503
    assert str(error) == "503 - no response (ConnectError) after 4 attempt(s) (GET /x)"
    assert route.call_count == 4


async def test_a_post_is_retried_when_the_connection_was_never_made(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    route = answers(api, httpx.ConnectError("refused"), OK)
    assert await send(retrying_client(fake), "POST") == {"ok": True}
    assert route.call_count == 2


async def test_a_post_is_not_retried_after_a_read_timeout(
    fake: FakeTime, api: respx.MockRouter
) -> None:
    route = answers(api, httpx.ReadTimeout("slow"), OK)
    with pytest.raises(TransportError, match="ReadTimeout"):
        await send(retrying_client(fake), "POST")
    assert route.call_count == 1


async def test_a_post_is_not_retried_after_a_503(fake: FakeTime, api: respx.MockRouter) -> None:
    route = answers(api, httpx.Response(503), OK)
    with pytest.raises(HTTP503Error):
        await send(retrying_client(fake), "POST")
    assert route.call_count == 1


async def test_each_attempt_logs_one_debug_line(
    fake: FakeTime, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="notify_async")
    answers(api, httpx.ConnectError("refused"), httpx.Response(503), OK)
    await send(retrying_client(fake))
    lines = [r.getMessage() for r in caplog.records if r.name == "notify_async"]
    assert [line.split(" in ")[0] for line in lines] == [
        "GET /x -> ConnectError", "GET /x -> 503", "GET /x -> 200"
    ]
    assert [line.rsplit("(", 1)[1] for line in lines] == [
        "attempt 1)", "attempt 2)", "attempt 3)"
    ]


# --- In-flight cap and trio ---------------------------------------------------------------------


async def check_in_flight_cap(cap: int = 3, total: int = 10) -> None:
    """Send ``total`` concurrent requests through a facade with ``max_in_flight=cap`` and check,
    each time every task is blocked, that exactly min(cap, not yet answered) reach the server."""
    in_flight = 0
    release_send, release_receive = anyio.create_memory_object_stream[None](total)

    async def server(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight
        in_flight += 1
        await release_receive.receive()
        in_flight -= 1
        return httpx.Response(200, json={"ok": True})

    answered: list[Any] = []
    async with (
        release_send,
        release_receive,
        httpx.AsyncClient(transport=httpx.MockTransport(server)) as http,
    ):
        notify = make_client(http_client=http, max_in_flight=cap)

        async def one() -> None:
            answered.append(await send(notify))

        async with anyio.create_task_group() as tasks:
            for _ in range(total):
                tasks.start_soon(one)
            for released in range(total):
                await anyio.wait_all_tasks_blocked()
                assert in_flight == min(cap, total - released)
                await release_send.send(None)
    assert answered == [{"ok": True}] * total


async def test_no_more_than_max_in_flight_requests_reach_the_server() -> None:
    await check_in_flight_cap()


def test_the_in_flight_cap_holds_under_trio() -> None:
    trio.run(check_in_flight_cap)


def test_a_facade_with_its_own_http_client_and_memory_cache_works_under_trio() -> None:
    async def main() -> list[Any]:
        async with make_client() as notify:
            first = await notify.services.get_service(SERVICE)
            second = await notify.services.get_service(SERVICE)
            return [first, second, notify.cache_stats.hits]

    with respx.mock(base_url=BASE_URL) as router:
        route = router.get(f"/service/{SERVICE}").respond(200, json={"data": {"id": SERVICE}})
        first, second, hits = trio.run(main)
        assert route.call_count == 1
    assert first == second == {"data": {"id": SERVICE}}
    assert hits == 1
