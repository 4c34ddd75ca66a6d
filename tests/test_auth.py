"""Admin JWTs: HS256 with ``iss`` and ``iat``, reused for a few seconds, never shown."""

from __future__ import annotations

import time

import jwt
import pytest
import respx

from notify_async import ClientConfig, NotifyAdminClient
from notify_async.auth import TokenSigner
from notify_async.errors import ConfigurationError
from tests.harness import BASE_URL, CLIENT_ID, SECRET


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def decode(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_iat": False}
    )
    return claims


def signer(clock: Clock, reuse: float = 5.0) -> TokenSigner:
    return TokenSigner(CLIENT_ID, SECRET, reuse_seconds=reuse, clock=clock)


def test_the_token_is_hs256_with_the_client_id_as_issuer_and_now_as_integer_iat() -> None:
    token = signer(Clock(1_700_000_000.75)).token()
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert decode(token) == {"iss": CLIENT_ID, "iat": 1_700_000_000}


def test_the_token_verifies_only_with_the_secret() -> None:
    token = signer(Clock(time.time())).token()
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == CLIENT_ID
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-a-sufficient-length!!", algorithms=["HS256"])


def test_the_token_is_reused_within_the_window() -> None:
    clock = Clock(1_700_000_000.0)
    tokens = signer(clock)
    first = tokens.token()
    clock.now += 4.9
    assert tokens.token() == first


def test_a_new_token_is_minted_once_the_window_has_passed() -> None:
    clock = Clock(1_700_000_000.0)
    tokens = signer(clock)
    first = tokens.token()
    clock.now += 5.0
    second = tokens.token()
    assert second != first
    assert decode(second)["iat"] == 1_700_000_005


def test_the_window_is_measured_from_the_integer_iat_the_server_sees() -> None:
    clock = Clock(1_700_000_000.9)  # iat 1_700_000_000
    tokens = signer(clock)
    first = tokens.token()
    clock.now = 1_700_000_005.0  # 4.1 s after minting, but 5 s after iat
    assert tokens.token() != first


def test_a_clock_that_went_backwards_mints_a_new_token() -> None:
    clock = Clock(1_700_000_010.0)
    tokens = signer(clock)
    first = tokens.token()
    clock.now -= 3
    assert decode(tokens.token())["iat"] == 1_700_000_007
    assert tokens.token() != first


def test_repr_shows_neither_the_secret_nor_a_token() -> None:
    tokens = signer(Clock(time.time()))
    token = tokens.token()
    shown = repr(tokens)
    assert CLIENT_ID in shown
    assert SECRET not in shown
    assert token not in shown


@pytest.mark.parametrize("reuse", [30, 30.5, 120])
def test_config_refuses_a_reuse_window_at_or_beyond_the_servers_30_seconds(reuse: float) -> None:
    with pytest.raises(ConfigurationError, match="30-second"):
        ClientConfig(BASE_URL, CLIENT_ID, SECRET, token_reuse_seconds=reuse)


@pytest.mark.parametrize("reuse", [0, -1])
def test_config_refuses_a_non_positive_reuse_window(reuse: float) -> None:
    with pytest.raises(ConfigurationError, match="token_reuse_seconds"):
        ClientConfig(BASE_URL, CLIENT_ID, SECRET, token_reuse_seconds=reuse)


async def test_the_facade_signs_requests_with_its_credentials_and_reuses_the_token() -> None:
    async with NotifyAdminClient(BASE_URL, CLIENT_ID, SECRET, cache=False) as notify:
        with respx.mock(base_url=BASE_URL) as router:
            router.get("/_status").respond(200, json={"status": "ok"})
            before = int(time.time())
            await notify.status.get_status()
            await notify.status.get_status()
            first, second = (call.request.headers["Authorization"] for call in router.calls)
    assert first == second
    claims = jwt.decode(first.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
    assert claims["iss"] == CLIENT_ID
    assert before <= claims["iat"] <= int(time.time())
