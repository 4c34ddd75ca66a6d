"""A real ``redis-server`` for the cache tests (never a mock of Redis).

Test modules import the fixtures they use (the names below end in ``_fixture`` so the import
does not shadow the fixture argument)::

    from tests.redis_server import redis_server_fixture, redis_url_fixture  # noqa: F401

Tests skip, saying why, only when the ``redis-server`` binary is missing (CI installs it).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
import redis

from notify_async.cache.redis import RedisCache

REDIS_SERVER = shutil.which("redis-server") or shutil.which("/usr/bin/redis-server")
START_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` subprocess on a loopback port, without persistence.

    :meth:`stop` and :meth:`start` may be called again to simulate an outage and a restart on
    the same port. ``extra`` are more ``redis-server`` arguments (cluster mode, replication).
    """

    def __init__(self, port: int | None = None, *, extra: Sequence[str] = ()) -> None:
        if REDIS_SERVER is None:
            pytest.skip("redis-server binary not found (install Debian's redis-server)")
        self.extra = list(extra)
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="notify-redis-")

    @property
    def directory(self) -> str:
        """The server's working directory (its cluster config file, a Sentinel's config)."""
        return self._dir.name

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(
            [
                REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self._dir.name,
                "--enable-debug-command", "local", *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on {self.port}") from None
                    time.sleep(0.02)  # waiting for a subprocess to listen, not testing timing
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then wait)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=START_TIMEOUT)
        self._process = None

    def kill(self) -> None:
        """Kill the server at once (SIGKILL: no shutdown save, as a crash)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=START_TIMEOUT)
        self._process = None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open and nothing answers."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server run again (SIGCONT)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        """A plain synchronous client, as another application (the original admin app) uses."""
        return redis.Redis(port=self.port)

    def close(self) -> None:
        """Stop the server and remove its working directory."""
        self.stop()
        self._dir.cleanup()


@pytest.fixture(scope="session", name="redis_server")
def redis_server_fixture() -> Iterator[RedisServer]:
    """One redis-server for the whole session."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture(name="redis_url")
def redis_url_fixture(redis_server: RedisServer) -> str:
    """The session server's URL, emptied (FLUSHALL) before each test."""
    with redis_server.client() as client:
        client.flushall()
    return redis_server.url


@pytest.fixture(name="redis_cache")
async def redis_cache_fixture(redis_url: str) -> AsyncIterator[RedisCache]:
    """A :class:`RedisCache` owning a pool to the (emptied) session server."""
    cache = RedisCache.from_url(redis_url)
    yield cache
    await cache.aclose()
