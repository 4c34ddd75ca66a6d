"""``python -m notify_async.testing serve``: the fake served by uvicorn on a loopback port,
reached by the SDK over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import anyio
import pytest

from notify_async import NotifyAdminClient, RetryPolicy
from notify_async.errors import NotFoundError, PermissionDeniedError

CLIENT_ID = "served-admin"
SECRET = "served-secret-that-is-long-enough-for-hs256"
UNKNOWN = "1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_listening(port: int, process: subprocess.Popen[str]) -> None:
    """Poll until the port accepts connections (the server is ready), at most 20 s."""
    with anyio.fail_after(20):
        while True:
            assert process.poll() is None, process.communicate()
            try:
                stream = await anyio.connect_tcp("127.0.0.1", port)
            except OSError:
                await anyio.sleep(0.05)
                continue
            await stream.aclose()
            return


@pytest.fixture
def served() -> Iterator[tuple[int, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "notify_async.testing", "serve", "--port", str(port),
         "--client-id", CLIENT_ID, "--secret", SECRET, "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield port, process
    finally:
        process.terminate()
        process.communicate(timeout=10)


async def test_serve_answers_the_sdk_over_loopback(
    served: tuple[int, subprocess.Popen[str]],
) -> None:
    port, process = served
    await wait_until_listening(port, process)
    url = f"http://127.0.0.1:{port}"
    async with NotifyAdminClient(url, CLIENT_ID, SECRET, retry=RetryPolicy.disabled()) as notify:
        user = await notify.users.register_user(
            "Served User", "served@example.gov.uk", None, "a-long-passphrase", "email_auth"
        )
        assert (await notify.users.get_user(user["id"]))["name"] == "Served User"
        with pytest.raises(NotFoundError):
            await notify.api_keys.get_api_keys(UNKNOWN)
    wrong = NotifyAdminClient(url, CLIENT_ID, "not-the-served-secret-but-long-enough-for-it",
                              retry=RetryPolicy.disabled())
    async with wrong:
        with pytest.raises(PermissionDeniedError):
            await wrong.users.get_user(user["id"])
    assert process.stdout is not None
    assert process.stdout.readline().strip() == (
        f"fake Notify API on {url} (client id {CLIENT_ID!r})"
    )
