"""The blocking facade against the in-process fake Notify API: results, errors, the request
context, lifecycle, timeouts and Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import httpx
import pytest

from notify_async import NotifyAdminClient as AsyncClient
from notify_async import RetryPolicy
from notify_async.cache import MemoryCache
from notify_async.clients.notifications import NotificationApiClient
from notify_async.errors import ConfigurationError, MissingActingUserError, NotFoundError
from notify_async.sync import (
    CallTimeoutError,
    ClientClosedError,
    NotifyAdminClient,
    RunningEventLoopError,
    call_timeout,
    request_context,
)
from notify_async.testing import FakeNotifyAPI
from tests.fake_support import World, make_world

UNKNOWN = "1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d"
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


class SlowRoute:
    """ASGI wrapper of the fake: requests to ``path`` wait up to ``seconds`` before being
    answered. ``entered`` is set when one arrives; ``cancelled`` when the SDK gave up on one
    (the request's task was cancelled inside the client's loop)."""

    def __init__(self, app: ASGIApp, path: str, seconds: float = 10.0) -> None:
        self.app, self.path, self.seconds = app, path, seconds
        self.entered = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            self.entered.set()
            try:
                await asyncio.sleep(self.seconds)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        await self.app(scope, receive, send)


def blocking_client_of(app: Any, fake: FakeNotifyAPI, **options: Any) -> NotifyAdminClient:
    """A blocking client of ``app`` (the fake, maybe wrapped) in-process: no sockets."""
    options.setdefault("retry", RetryPolicy.disabled())
    return NotifyAdminClient(
        fake.base_url, fake.client_id, fake.secret,
        http_client=lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app)),
        **options,
    )


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def slow(world: World) -> SlowRoute:
    return SlowRoute(world.fake, f"/service/{world.service_id}/statistics")


@pytest.fixture
def notify(world: World, slow: SlowRoute) -> Iterator[NotifyAdminClient]:
    with blocking_client_of(slow, world.fake) as client:
        yield client


def test_methods_block_and_return_what_the_async_client_returns(
    world: World, notify: NotifyAdminClient
) -> None:
    expected = asyncio.run(world.notify.services.get_service(world.service_id))
    assert notify.services.get_service(world.service_id) == expected
    assert notify.users.get_user(world.user_id)["id"] == world.user_id


def test_errors_are_the_async_clients_own(notify: NotifyAdminClient) -> None:
    with pytest.raises(NotFoundError) as raised:
        notify.services.get_service(UNKNOWN)
    assert raised.value.status_code == 404
    with pytest.raises(MissingActingUserError):
        notify.invites.cancel_invited_user(UNKNOWN, UNKNOWN)


def test_request_context_set_in_the_calling_thread_reaches_the_request(
    world: World, notify: NotifyAdminClient
) -> None:
    with request_context(user_id=world.user_id, trace_id="0af7651916cd43dd8448eb211c80319c",
                         span_id="b7ad6b7169203331"):
        notify.services.update_service(world.service_id, name="Renamed service")
    sent = world.fake.find_requests("POST", f"/service/{world.service_id}")[-1]
    assert sent.header("X-Notify-User-Id") == world.user_id
    assert sent.header("X-B3-TraceId") == "0af7651916cd43dd8448eb211c80319c"
    assert sent.header("X-B3-ParentSpanId") == "b7ad6b7169203331"
    assert sent.body["created_by"] == world.user_id
    notify.services.get_service(world.service_id)  # outside the block: no acting user
    assert world.fake.requests[-1].header("X-Notify-User-Id") is None


def test_threads_calling_at_once_each_keep_their_own_context(
    world: World, notify: NotifyAdminClient
) -> None:
    seen: dict[str, str] = {}

    def call(number: int) -> None:
        trace = f"{number:032x}"
        with request_context(user_id=f"user-{number}", trace_id=trace):
            notify.jobs.get_jobs(world.service_id)
        seen[trace] = f"user-{number}"

    threads = [threading.Thread(target=call, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = {r.header("X-B3-TraceId"): r.header("X-Notify-User-Id")
            for r in world.fake.find_requests("GET")}
    assert sent == seen


def test_a_setup_method_applies_to_the_async_sub_client(
    world: World, notify: NotifyAdminClient
) -> None:
    rendered: list[str] = []

    def renderer(**fields: Any) -> str:
        rendered.append(fields["service_name"])
        return "next steps"

    notify.organisations.use_next_steps_renderer(renderer)
    with request_context(user_id=world.user_id), pytest.raises(Exception):  # noqa: B017
        notify.organisations.notify_org_member_about_next_steps_of_go_live_request(
            world.service_id, "Analytical Engines", "member@example.gov.uk", True, False,
        )  # the fake has no such route: what matters is that the renderer ran
    assert rendered == ["Analytical Engines"]


def test_one_loop_thread_serves_every_calling_thread(
    world: World, notify: NotifyAdminClient
) -> None:
    def loop_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("notify_async.sync loop")]

    before = len(loop_threads())
    callers = [threading.Thread(target=notify.services.get_service, args=(world.service_id,))
               for _ in range(10)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()
    assert len(loop_threads()) == before + 1
    assert all(thread.daemon for thread in loop_threads())
    stats = notify.cache_stats  # one cache for all: fetched once, then shared or hit
    assert (stats.hits, stats.misses - stats.shared, stats.populates) == (10 - stats.misses, 1, 1)


needs_iterators = pytest.mark.skipif(
    not hasattr(NotificationApiClient, "iter_notifications_for_service"),
    reason="the async client has no iter_ methods yet",
)


@needs_iterators
def test_an_iterator_method_yields_every_item_page_by_page() -> None:
    world = make_world(page_size=2)
    sent = [world.fake.add_notification(world.service_id, world.template_id,
                                        world.user["email_address"], {"name": str(n)})["id"]
            for n in range(5)]
    with blocking_client_of(world.fake, world.fake) as notify, request_context(trace_id="c" * 32):
        found = [n["id"] for n in notify.notifications.iter_notifications_for_service(
            world.service_id)]
    assert sorted(found) == sorted(sent)
    pages = world.fake.find_requests("GET", f"/service/{world.service_id}/notifications")
    assert len(pages) == 3  # 2 + 2 + 1, fetched as the loop went on
    assert {page.header("X-B3-TraceId") for page in pages} == {"c" * 32}


@needs_iterators
def test_leaving_an_iteration_early_closes_it_and_leaves_the_client_usable() -> None:
    world = make_world(page_size=2)
    for n in range(5):
        world.fake.add_notification(world.service_id, world.template_id,
                                    world.user["email_address"], {"name": str(n)})
    with blocking_client_of(world.fake, world.fake) as notify:
        for _ in notify.notifications.iter_notifications_for_service(world.service_id):
            break
        assert len(world.fake.find_requests("GET")) == 1  # no page fetched beyond the first
        assert notify.services.get_service(world.service_id)["data"]["id"] == world.service_id


# --- lifecycle ------------------------------------------------------------------------------------


def test_a_call_after_close_raises_client_closed(world: World) -> None:
    notify = blocking_client_of(world.fake, world.fake)
    with notify:
        notify.services.get_service(world.service_id)
    assert notify.closed
    with pytest.raises(ClientClosedError, match="closed"):
        notify.services.get_service(world.service_id)
    notify.close()  # idempotent


def test_close_cancels_a_call_in_flight_in_another_thread(
    world: World, slow: SlowRoute, notify: NotifyAdminClient
) -> None:
    raised: list[BaseException] = []

    def call() -> None:
        try:
            notify.services.get_service_statistics(world.service_id)
        except BaseException as exc:
            raised.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert slow.entered.wait(5)
    started = time.monotonic()
    notify.close()
    caller.join(5)
    assert time.monotonic() - started < 2
    assert [type(exc) for exc in raised] == [ClientClosedError]
    assert slow.cancelled.is_set()


def test_close_closes_what_the_factories_made(world: World) -> None:
    made: list[httpx.AsyncClient] = []

    def http_client() -> httpx.AsyncClient:
        made.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=world.fake)))
        return made[-1]

    with NotifyAdminClient(world.fake.base_url, world.fake.client_id, world.fake.secret,
                           http_client=http_client, cache=MemoryCache) as notify:
        notify.services.get_service(world.service_id)
        assert not made[0].is_closed
    assert made[0].is_closed


def test_close_leaves_an_http_client_passed_in_open(world: World) -> None:
    yours = httpx.AsyncClient(transport=httpx.ASGITransport(app=world.fake))
    with NotifyAdminClient(world.fake.base_url, world.fake.client_id, world.fake.secret,
                           http_client=yours) as notify:
        notify.services.get_service(world.service_id)
    assert not yours.is_closed  # as the async client: what you pass in stays yours


def test_a_client_never_used_closes_without_starting_a_thread(world: World) -> None:
    notify = blocking_client_of(world.fake, world.fake)
    notify.close()
    assert "closed" in repr(notify)


def test_bad_configuration_is_refused_at_construction() -> None:
    with pytest.raises(ConfigurationError):
        NotifyAdminClient("not a url", "id", "secret")
    with pytest.raises(ConfigurationError):
        NotifyAdminClient("http://api.test", "id", "s" * 32, call_timeout=0)
    with pytest.raises(ConfigurationError):
        NotifyAdminClient.from_env({})


def test_from_env_reads_the_same_variables(world: World) -> None:
    env = {"NOTIFY_API_URL": "http://api.test", "NOTIFY_ADMIN_CLIENT_ID": "admin",
           "NOTIFY_ADMIN_CLIENT_SECRET": "s" * 32}
    with NotifyAdminClient.from_env(env, call_timeout=5) as notify:
        assert notify.config == AsyncClient.from_env(env).config


# --- timeouts, Ctrl-C, event loops ----------------------------------------------------------------


def test_a_call_timeout_cancels_the_call_and_leaves_the_client_usable(
    world: World, slow: SlowRoute
) -> None:
    with blocking_client_of(slow, world.fake, call_timeout=0.2) as notify:
        started = time.monotonic()
        with pytest.raises(CallTimeoutError, match="get_service_statistics"):
            notify.services.get_service_statistics(world.service_id)
        assert time.monotonic() - started < 2
        assert slow.cancelled.wait(2)
        assert notify.services.get_service(world.service_id)["data"]["id"] == world.service_id


def test_call_timeout_block_overrides_the_clients(
    world: World, slow: SlowRoute, notify: NotifyAdminClient
) -> None:
    with call_timeout(0.1), pytest.raises(CallTimeoutError) as raised:
        notify.services.get_service_statistics(world.service_id)
    assert isinstance(raised.value, TimeoutError)
    assert slow.cancelled.wait(2)


def test_ctrl_c_while_a_call_is_in_flight_cancels_it_and_leaves_the_client_usable(
    world: World, slow: SlowRoute, notify: NotifyAdminClient
) -> None:
    assert threading.current_thread() is threading.main_thread()
    main = threading.main_thread().ident
    assert main is not None

    def press_ctrl_c() -> None:
        if slow.entered.wait(5):
            signal.pthread_kill(main, signal.SIGINT)  # what the terminal does on Ctrl-C

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        notify.services.get_service_statistics(world.service_id)
    presser.join()
    assert time.monotonic() - started < 3
    assert slow.cancelled.wait(2)
    assert notify.services.get_service(world.service_id)["data"]["id"] == world.service_id


def test_calling_from_a_running_event_loop_raises_instead_of_blocking_it(
    world: World, notify: NotifyAdminClient
) -> None:
    async def handler() -> None:
        notify.services.get_service(world.service_id)

    with pytest.raises(RunningEventLoopError, match="await"):
        asyncio.run(handler())

    async def offloaded() -> Any:  # the way out the error names
        return await asyncio.to_thread(notify.services.get_service, world.service_id)

    assert asyncio.run(offloaded())["data"]["id"] == world.service_id


def test_calling_from_the_clients_own_loop_thread_raises(
    world: World, notify: NotifyAdminClient
) -> None:
    def renderer(**_: Any) -> str:
        notify.services.get_service(world.service_id)  # runs in the loop thread
        return "never"

    notify.organisations.use_next_steps_renderer(renderer)
    with request_context(user_id=world.user_id), pytest.raises(RunningEventLoopError):
        notify.organisations.notify_org_member_about_next_steps_of_go_live_request(
            world.service_id, "Analytical Engines", "member@example.gov.uk", True, False)


# --- interpreter exit -----------------------------------------------------------------------------

_EXIT_SCRIPT = """
import atexit, threading, time, httpx
from notify_async.sync import NotifyAdminClient
from notify_async.testing import FakeNotifyAPI
from tests.test_sync_client import SlowRoute

outcome, finished = [], threading.Event()

def report():  # registered first, so it runs after the client's own exit hook
    loops = [t for t in threading.enumerate() if t.name.startswith("notify_async.sync loop")]
    print("loop threads alive at exit:", sum(t.is_alive() for t in loops))
    finished.wait(5)
    print("the call in flight raised", *outcome)
atexit.register(report)

fake = FakeNotifyAPI()
user = fake.add_user("Exit Test", "exit.test@example.gov.uk")
service = fake.add_service(user["id"], "Exit service")
slow = SlowRoute(fake, f"/service/{service['id']}/statistics", seconds=60)
transport = httpx.ASGITransport(app=slow)
notify = NotifyAdminClient(fake.base_url, fake.client_id, fake.secret,
                           http_client=lambda: httpx.AsyncClient(transport=transport))
print(notify.services.get_service(service["id"])["data"]["name"], flush=True)
def call_in_flight():
    try:
        notify.services.get_service_statistics(service["id"])
    except Exception as exc:
        outcome.append(type(exc).__name__)
    finished.set()
threading.Thread(target=call_in_flight, daemon=True).start()
slow.entered.wait(5)
print("leaving without close, a call in flight", flush=True)
"""


def test_interpreter_exit_closes_a_forgotten_client_without_hanging() -> None:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(_EXIT_SCRIPT)],
                            capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Exit service", "leaving without close, a call in flight",
        "loop threads alive at exit: 0", "the call in flight raised ClientClosedError",
    ]
    assert result.stderr == ""
    assert elapsed < 10
