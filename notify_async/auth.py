"""Admin authentication: HS256 JWTs with ``iss`` (the client id) and ``iat`` (now).

A token is reused for a few seconds (``token_reuse_seconds``, well inside the server's 30-second
``iat`` tolerance) instead of being signed for every request. The clock is injectable so tests
can move time without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt

from notify_async import _constants as C


class TokenSigner:
    """Mints and reuses admin JWTs. Its ``repr`` never shows the secret or a token."""

    __slots__ = ("_client_id", "_clock", "_issued_at", "_reuse", "_secret", "_token")

    def __init__(
        self,
        client_id: str,
        secret: str,
        *,
        reuse_seconds: float = C.DEFAULT_TOKEN_REUSE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client_id = client_id
        self._secret = secret
        self._reuse = reuse_seconds
        self._clock = clock
        self._token: str | None = None
        self._issued_at = 0.0

    def token(self) -> str:
        """A valid token: the cached one while it is younger than the reuse window, else new."""
        now = self._clock()
        if self._token is None or not (0 <= now - self._issued_at < self._reuse):
            issued = int(now)
            self._token = jwt.encode(
                {"iss": self._client_id, "iat": issued},
                self._secret,
                algorithm="HS256",
                headers={"typ": "JWT"},
            )
            # Measure the window from the integer iat the server sees, not from `now`.
            self._issued_at = float(issued)
        return self._token

    def __repr__(self) -> str:
        return f"TokenSigner(client_id={self._client_id!r})"
