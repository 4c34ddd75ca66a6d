"""The blocking facade over real HTTP (the fake Notify API served by uvicorn on a loopback port)
with a real Redis cache: 50 threads through one client, and a forked worker."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import pytest
import redis
import uvicorn

from notify_async import NotifyAdminClient as AsyncClient
from notify_async import RetryPolicy
from notify_async.cache.redis import RedisCache
from notify_async.sync import NotifyAdminClient, request_context
from notify_async.testing import FakeNotifyAPI
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401

pytestmark = pytest.mark.redis

THREADS = 50
SERVICES = 10
MAX_CONNECTIONS = 8
LOOP_THREAD = "notify_async.sync loop"


class Served:
    """``app`` served by uvicorn in a daemon thread on a free loopback port; records the client
    port and trace id of every request."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.seen: list[tuple[int, str, str | None, str | None]] = []
        # IPPROTO_TCP named, or asyncio leaves Nagle on for accepted sockets (40 ms a request)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self._record, log_level="warning", lifespan="off",
                                access_log=False, interface="asgi3")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)  # waiting for a server thread to listen, not testing timing

    async def _record(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {key.decode(): value.decode() for key, value in scope["headers"]}
            self.seen.append((scope["client"][1], scope["path"], headers.get("x-b3-traceid"),
                              headers.get("x-notify-user-id")))
        await self.app(scope, receive, send)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def fake() -> FakeNotifyAPI:
    return FakeNotifyAPI()


@pytest.fixture
def pairs(fake: FakeNotifyAPI) -> list[tuple[str, str]]:
    """``(user id, service id)`` of ten users, each owning a service."""
    found = []
    for number in range(SERVICES):
        user = fake.add_user(f"User {number}", f"user.{number}@example.gov.uk")
        found.append((user["id"], fake.add_service(user["id"], f"Service {number}")["id"]))
    return found


@pytest.fixture
def served(fake: FakeNotifyAPI) -> Iterator[Served]:
    served = Served(fake)
    yield served
    served.stop()


def reads(notify: Any, user_id: str, service_id: str) -> list[Any]:
    """The calls each thread makes (cached and uncached reads), as a list of results."""
    return [
        notify.services.get_service(service_id),
        notify.users.get_user(user_id),
        notify.jobs.get_jobs(service_id),
        notify.services.get_service_statistics(service_id),
    ]


async def async_reads(notify: AsyncClient, user_id: str, service_id: str) -> list[Any]:
    return [
        await notify.services.get_service(service_id),
        await notify.users.get_user(user_id),
        await notify.jobs.get_jobs(service_id),
        await notify.services.get_service_statistics(service_id),
    ]


def expected_results(served: Served, fake: FakeNotifyAPI, pairs: list[tuple[str, str]]
                     ) -> dict[str, list[Any]]:
    """What the async client answers for each service, uncached."""

    async def run() -> dict[str, list[Any]]:
        async with AsyncClient(served.url, fake.client_id, fake.secret, cache=False,
                               retry=RetryPolicy.disabled()) as notify:
            return {service_id: await async_reads(notify, user_id, service_id)
                    for user_id, service_id in pairs}

    return asyncio.run(run())


def run_threads(count: int, target: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(number: int) -> None:
        try:
            target(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [], errors[:3]


def loop_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(LOOP_THREAD)]


def test_fifty_threads_share_one_client_and_get_the_async_clients_answers(
    served: Served, fake: FakeNotifyAPI, pairs: list[tuple[str, str]], redis_url: str
) -> None:
    expected = expected_results(served, fake, pairs)
    threads_before = loop_threads()
    notify = NotifyAdminClient(served.url, fake.client_id, fake.secret,
                               cache=RedisCache.from_url(redis_url),
                               max_connections=MAX_CONNECTIONS, retry=RetryPolicy.disabled())
    results: dict[int, list[Any]] = {}
    start = threading.Barrier(THREADS)

    def worker(number: int) -> None:
        user_id, service_id = pairs[number % SERVICES]
        start.wait()
        with request_context(user_id=user_id, trace_id=f"{number:032x}"):
            results[number] = reads(notify, user_id, service_id)

    with notify:
        run_threads(THREADS, worker)
        assert len(loop_threads()) == len(threads_before) + 1
        stats = notify.cache_stats

    for number in range(THREADS):
        assert results[number] == expected[pairs[number % SERVICES][1]], number
    sent = [(port, trace, user) for port, _, trace, user in served.seen if trace]
    users = {f"{n:032x}": pairs[n % SERVICES][0] for n in range(THREADS)}
    assert {user == users[trace] for _, trace, user in sent} == {True}  # no context crossed over
    assert {trace for _, trace, _ in sent} == set(users)
    assert len({port for port, _, _ in sent}) <= MAX_CONNECTIONS  # one shared pool
    # Two cached reads per thread, 20 keys: identical misses in flight share one request
    # (single-flight), later ones hit Redis; only a few reach the API.
    cached_paths = {f"/service/{s}" for _, s in pairs} | {f"/user/{u}" for u, _ in pairs}
    fetched = sum(1 for _, path, trace, _ in served.seen if trace and path in cached_paths)
    assert stats.hits + stats.misses == 2 * THREADS
    assert fetched == stats.misses - stats.shared == stats.populates
    assert fetched <= 2 * 2 * SERVICES
    with redis.Redis.from_url(redis_url) as plain:
        assert all(plain.exists(f"service-{service_id}") for _, service_id in pairs)


def test_writes_from_many_threads_are_never_read_back_stale(
    served: Served, fake: FakeNotifyAPI, pairs: list[tuple[str, str]], redis_url: str
) -> None:
    notify = NotifyAdminClient(served.url, fake.client_id, fake.secret,
                               cache=RedisCache.from_url(redis_url), retry=RetryPolicy.disabled())
    seen: dict[int, str] = {}

    def worker(number: int) -> None:
        user_id, service_id = pairs[number % SERVICES]
        notify.services.get_service(service_id)  # cache it
        if number < SERVICES:
            with request_context(user_id=user_id):
                notify.services.update_service(service_id, name=f"Renamed {number}")
            seen[number] = notify.services.get_service(service_id)["data"]["name"]

    with notify:
        run_threads(THREADS, worker)
        after = [notify.services.get_service(service_id)["data"]["name"] for _, service_id in pairs]
    assert seen == {number: f"Renamed {number}" for number in range(SERVICES)}
    assert after == [f"Renamed {number}" for number in range(SERVICES)]


def _child(notify: NotifyAdminClient, user_id: str, service_id: str, redis_url: str) -> dict[
        str, Any]:
    """What a forked worker does with the client it inherited, and what it saw."""
    with request_context(user_id=user_id, trace_id=f"{os.getpid():032x}"):
        service = notify.services.get_service(service_id)  # cached by the parent: from Redis
        jobs = notify.jobs.get_jobs(service_id)  # not cached: over HTTP
    with redis.Redis.from_url(redis_url) as plain:
        names = [client["name"] for client in plain.client_list()]
    return {"service": service["data"]["name"], "jobs": jobs["data"], "names": names,
            "threads": loop_threads(), "hits": notify.cache_stats.hits}


def test_a_forked_worker_builds_its_own_loop_and_connections(
    served: Served, fake: FakeNotifyAPI, pairs: list[tuple[str, str]], redis_url: str
) -> None:
    """As Celery's prefork pool or gunicorn with --preload: the client is made (and used) in
    the parent; the child must not touch the parent's loop, HTTP connections or Redis pool."""
    user_id, service_id = pairs[0]
    notify = NotifyAdminClient(
        served.url, fake.client_id, fake.secret, retry=RetryPolicy.disabled(),
        cache=lambda: RedisCache.from_url(redis_url, client_name=f"notify-{os.getpid()}"),
    )
    with request_context(trace_id="a" * 32):
        assert notify.services.get_service(service_id)["data"]["name"] == "Service 0"
    parent_ports = {port for port, _, trace, _ in served.seen if trace == "a" * 32}
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's exit hooks
        status = 1
        try:
            os.close(reading)
            os.write(writing, json.dumps(_child(notify, user_id, service_id, redis_url)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    deadline = time.monotonic() + 20
    while (finished := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            pytest.fail("the forked worker hung")
        time.sleep(0.01)  # polling a child process, not testing timing
    with os.fdopen(reading) as pipe:
        report = json.loads(pipe.read() or "{}")
    assert os.waitstatus_to_exitcode(finished[1]) == 0

    assert report["service"] == "Service 0"
    assert report["jobs"] == []
    assert report["hits"] == 1  # the parent's Redis entry, read over the child's connection
    assert report["threads"] == [f"{LOOP_THREAD} (pid {pid})"]  # its own, not the parent's
    assert f"notify-{pid}" in report["names"]  # its own Redis connection
    assert f"notify-{os.getpid()}" in report["names"]  # the parent's, untouched
    child_ports = {port for port, _, trace, _ in served.seen if trace == f"{pid:032x}"}
    assert child_ports
    assert child_ports.isdisjoint(parent_ports)  # its own HTTP connection

    with request_context(user_id=user_id, trace_id="b" * 32):  # the parent carries on
        notify.services.update_service(service_id, name="Renamed in the parent")
        assert notify.services.get_service(service_id)["data"]["name"] == "Renamed in the parent"
    assert {port for port, _, trace, _ in served.seen if trace == "b" * 32} <= parent_ports
    notify.close()


def test_a_child_refuses_objects_the_parent_used_that_may_hold_its_connections(
    served: Served, fake: FakeNotifyAPI, pairs: list[tuple[str, str]], redis_url: str
) -> None:
    _, service_id = pairs[0]
    notify = NotifyAdminClient(served.url, fake.client_id, fake.secret,
                               cache=RedisCache.from_url(redis_url))
    notify.services.get_service(service_id)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(reading)
            try:
                notify.services.get_service(service_id)
                message = "no error"
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
            os.write(writing, message.encode())
        finally:
            os._exit(0)
    os.close(writing)
    os.waitpid(pid, 0)
    with os.fdopen(reading) as pipe:
        message = pipe.read()
    assert message.startswith("ConfigurationError: this blocking client was used before")
    assert "cache=lambda: RedisCache.from_url(url)" in message
    assert notify.services.get_service(service_id)["data"]["name"] == "Service 0"
    notify.close()
