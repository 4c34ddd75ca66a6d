"""The facade: lazy HTTP client bound to the running loop, ownership of clients and caches,
from_env, configuration checks, reprs and the lazy shared sub-clients."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import httpx
import pytest
import respx

from notify_async import ClientConfig, NotifyAdminClient, RetryPolicy
from notify_async._sharded import ShardedTransport, _spread
from notify_async.cache import MemoryCache, NullCache
from notify_async.cache.redis import RedisCache
from notify_async.errors import ConfigurationError
from tests.conftest import make_client
from tests.harness import ATTRIBUTES, BASE_URL, CLIENT_ID, DOCUMENT_KEY, SECRET
from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401

SERVICE = "0f4b8b5e-51c5-4a38-9b57-5f0c1d4e2a10"
ENV = {
    "NOTIFY_API_URL": BASE_URL,
    "NOTIFY_ADMIN_CLIENT_ID": CLIENT_ID,
    "NOTIFY_ADMIN_CLIENT_SECRET": SECRET,
}


def mock_api() -> respx.MockRouter:
    router = respx.mock(base_url=BASE_URL, assert_all_called=False)
    router.route().respond(200, json={"data": {"id": SERVICE}})
    return router


def test_no_http_client_exists_until_the_first_request() -> None:
    notify = NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET)  # no event loop running here
    assert notify._session.current_client() is None


async def test_the_first_request_creates_the_client_and_later_ones_share_it() -> None:
    async with make_client() as notify:
        with mock_api():
            await notify.status.get_status()
            first = notify._session.current_client()
            await notify.services.get_service(SERVICE)
            assert isinstance(first, httpx.AsyncClient)
            assert notify._session.current_client() is first


async def test_aclose_closes_the_client_the_sdk_made() -> None:
    notify = make_client()
    with mock_api():
        await notify.status.get_status()
    client = notify._session.current_client()
    assert client is not None
    await notify.aclose()
    assert client.is_closed


async def test_a_callers_http_client_is_used_and_never_closed() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "ok"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
        async with make_client(http_client=http) as notify:
            assert await notify.status.get_status() == {"status": "ok"}
            assert notify._session.current_client() is http
        assert not http.is_closed
    assert [str(r.url) for r in seen] == [f"{BASE_URL}/_status"]


def test_a_new_event_loop_gets_a_new_http_client() -> None:
    notify = make_client(cache=False)
    clients: list[Any] = []

    async def call() -> Any:
        result = await notify.services.get_service(SERVICE)
        clients.append(notify._session.current_client())
        return result

    with mock_api() as router:
        assert asyncio.run(call()) == asyncio.run(call()) == {"data": {"id": SERVICE}}
        assert router.calls.call_count == 2
    assert clients[0] is not clients[1]
    asyncio.run(notify.aclose())
    assert clients[1].is_closed


def test_from_env_reads_the_credentials_and_optional_settings() -> None:
    env = {**ENV, "NOTIFY_ADMIN_BASE_URL": "https://admin.test",
           "DOCUMENT_DOWNLOAD_API_URL": "https://dd.test", "DOCUMENT_DOWNLOAD_API_KEY": "k"}
    notify = NotifyAdminClient.from_env(env)
    config = notify.config
    assert (config.base_url, config.client_id, config.secret) == (BASE_URL, CLIENT_ID, SECRET)
    assert config.admin_base_url == "https://admin.test"
    assert (config.document_download_url, config.document_download_api_key) == (
        "https://dd.test", "k"
    )
    assert isinstance(notify.cache.backend, MemoryCache)


def test_from_env_names_every_missing_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        NotifyAdminClient.from_env({"NOTIFY_ADMIN_CLIENT_ID": CLIENT_ID})
    message = str(caught.value)
    assert "NOTIFY_API_URL" in message
    assert "NOTIFY_ADMIN_CLIENT_SECRET" in message
    assert "NOTIFY_ADMIN_CLIENT_ID" not in message


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert NotifyAdminClient.from_env().config.client_id == CLIENT_ID


def test_from_env_options_override_the_environment_and_fill_gaps() -> None:
    env = {k: v for k, v in ENV.items() if k != "NOTIFY_API_URL"}
    notify = NotifyAdminClient.from_env(
        env, base_url="https://other.test", client_id="someone", timeout=3.0, cache=False
    )
    assert notify.config.base_url == "https://other.test"
    assert notify.config.client_id == "someone"
    assert notify.config.timeout == 3.0
    assert isinstance(notify.cache.backend, NullCache)


async def test_cache_false_sends_every_read_to_the_api() -> None:
    async with make_client(cache=False) as notify:
        with mock_api() as router:
            await notify.services.get_service(SERVICE)
            await notify.services.get_service(SERVICE)
            assert router.calls.call_count == 2
    assert notify.cache_stats.hits == 0


async def test_the_default_cache_is_an_owned_memory_cache() -> None:
    notify = NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET)
    backend = notify.cache.backend
    assert isinstance(backend, MemoryCache)
    with mock_api() as router:
        await notify.services.get_service(SERVICE)
        await notify.services.get_service(SERVICE)
        assert router.calls.call_count == 1
    assert len(backend) == 1
    await notify.aclose()


async def test_aclose_closes_the_cache_even_when_closing_http_fails(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    backend = RedisCache.from_url(redis_url)
    notify = NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, cache=backend)
    await backend.set("service-1", b"{}", 60)
    assert backend._loops.current() is not None  # a pool was made for this loop

    async def broken_aclose() -> None:
        raise OSError("socket already gone")

    monkeypatch.setattr(notify._session, "aclose", broken_aclose)
    with pytest.raises(OSError, match="socket already gone"):
        await notify.aclose()
    assert backend._loops.current() is None  # the loop's pool was closed and let go


async def test_a_callers_cache_is_not_cleared_by_aclose() -> None:
    backend = MemoryCache()
    await backend.set("service-1", b"{}", 60)
    await NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, cache=backend).aclose()
    assert len(backend) == 1


def test_reprs_hide_the_secret_and_the_document_download_key() -> None:
    notify = make_client()
    for shown in (repr(notify), repr(notify.config), str(notify.config), repr(notify._signer)):
        assert SECRET not in shown
        assert DOCUMENT_KEY not in shown
    assert CLIENT_ID in repr(notify)


@pytest.mark.parametrize(
    "settings",
    [
        {"base_url": ""}, {"base_url": "ftp://api.test"}, {"client_id": ""}, {"secret": ""},
        {"timeout": 0}, {"connect_timeout": -1}, {"max_connections": 0}, {"max_in_flight": 0},
        {"max_keepalive_connections": 0}, {"admin_base_url": "admin.test"},
        {"document_download_url": "dd.test"}, {"token_reuse_seconds": 30},
        {"base_url": "https://[::1"}, {"base_url": "https://"},
    ],
    ids=lambda settings: next(iter(settings)),
)
def test_invalid_settings_are_refused_with_a_configuration_error(
    settings: dict[str, Any],
) -> None:
    values = {"base_url": BASE_URL, "client_id": CLIENT_ID, "secret": SECRET, **settings}
    with pytest.raises(ConfigurationError, match=next(iter(settings))):
        ClientConfig(**values)
    with pytest.raises(ConfigurationError):
        NotifyAdminClient(**values)


@pytest.mark.parametrize("field", ["max_attempts", "backoff_base", "backoff_max", "budget"])
def test_retry_policy_refuses_non_positive_values(field: str) -> None:
    with pytest.raises(ConfigurationError, match=field):
        RetryPolicy(**{field: 0})


def test_an_unknown_option_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, max_connection=5)


def test_a_setting_of_the_wrong_type_is_named_not_called_unknown() -> None:
    with pytest.raises(ConfigurationError, match="timeout") as caught:
        NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, timeout="5")
    assert "unknown option" not in str(caught.value)


def test_from_env_refuses_an_unknown_option_with_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        NotifyAdminClient.from_env(ENV, max_connection=5)


def test_config_and_individual_settings_are_not_mixed() -> None:
    config = ClientConfig(BASE_URL, CLIENT_ID, SECRET)
    assert NotifyAdminClient(config=config).config is config
    with pytest.raises(ConfigurationError, match="either config"):
        NotifyAdminClient(BASE_URL, config=config)


def test_options_reach_the_config() -> None:
    notify = NotifyAdminClient(
        BASE_URL, CLIENT_ID, SECRET, timeout=2.5, max_in_flight=4, retry=RetryPolicy.disabled()
    )
    assert (notify.config.timeout, notify.config.max_in_flight) == (2.5, 4)
    assert notify.config.retry.max_attempts == 1


@pytest.mark.parametrize("attribute", sorted(ATTRIBUTES.values()))
def test_every_sub_client_is_built_lazily_once_and_shares_the_facades_cache(
    attribute: str,
) -> None:
    notify = make_client()
    assert attribute not in vars(notify)
    first = getattr(notify, attribute)
    assert getattr(notify, attribute) is first
    assert first._cache is notify.cache
    assert first._transport in (notify._transport, notify._dd_transport)
    assert first._config is notify.config
    assert repr(first) == f"<{type(first).__name__}>"


def test_connections_are_spread_evenly_over_small_pools() -> None:
    assert _spread(64, 32) == [2] * 32
    assert _spread(5, 3) == [2, 2, 1]
    assert _spread(3, 5) == [1, 1, 1, 0, 0]


async def test_one_http_client_spreads_connections_over_small_pools_sharing_ssl() -> None:
    on_httpcore = make_client(max_connections=5, connections_per_pool=2, transport="httpcore")
    async with on_httpcore as notify:
        with mock_api():
            await notify.status.get_status()
        sharded = notify._session.current_client()._transport  # type: ignore[union-attr]
        assert isinstance(sharded, ShardedTransport)
        pools = [transport._pool for transport in sharded._pools]
        assert [pool._max_connections for pool in pools] == [2, 2, 1]
        assert len({id(pool._ssl_context) for pool in pools}) == 1


async def test_each_request_goes_to_the_least_busy_pool() -> None:
    release = anyio.Event()
    arrived = 0

    async def server(request: httpx.Request) -> httpx.Response:
        nonlocal arrived
        arrived += 1
        await release.wait()
        return httpx.Response(200, json={})

    on_httpcore = make_client(max_connections=6, connections_per_pool=2, transport="httpcore")
    async with on_httpcore as notify:
        with respx.mock(base_url=BASE_URL) as router:
            router.route().mock(side_effect=server)
            async with anyio.create_task_group() as tasks:
                for _ in range(5):
                    tasks.start_soon(notify.status.get_status)
                await anyio.wait_all_tasks_blocked()
                assert arrived == 5
                sharded = notify._session.current_client()._transport  # type: ignore[union-attr]
                assert sorted(sharded._busy) == [1, 2, 2]
                release.set()
            assert sharded._busy == [0, 0, 0]


class _HeldBodyPool(httpx.AsyncBaseTransport):
    """A pool whose responses keep their connection until the test lets the body through."""

    def __init__(self) -> None:
        self.requests = 0
        self.release = anyio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        release = self.release

        class Body(httpx.AsyncByteStream):
            async def __aiter__(self) -> Any:
                await release.wait()
                yield b"{}"

        return httpx.Response(200, stream=Body())


async def test_a_pool_still_receiving_a_body_counts_as_busy() -> None:
    # httpx reads the body after the transport returns; the connection is in use until then.
    sharded = ShardedTransport(
        max_connections=4, max_keepalive_connections=4, connections_per_pool=2
    )
    pools = [_HeldBodyPool(), _HeldBodyPool()]
    sharded._pools = pools  # type: ignore[assignment]
    first = await sharded.handle_async_request(httpx.Request("GET", "https://api.test/a"))
    second = await sharded.handle_async_request(httpx.Request("GET", "https://api.test/b"))
    assert [pool.requests for pool in pools] == [1, 1]
    assert sharded._busy == [1, 1]
    for pool in pools:
        pool.release.set()
    await first.aread()
    await second.aread()
    await first.aclose()  # closing twice releases once
    assert sharded._busy == [0, 0]
