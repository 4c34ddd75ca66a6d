"""The admin JWT check of the fake API, as the real API's ``requires_admin_auth`` does it.

HS256 only, ``iss`` equal to the configured client id, a signature made with the configured
secret and an ``iat`` within 30 seconds of the fake's clock. A missing or non-Bearer
``Authorization`` header is a 401; every problem with the token itself is a 403. Both carry
``{"token": [<message>]}`` like the real API (see the ``error_403_*`` samples).
"""

from __future__ import annotations

import jwt

from notify_async.testing._http import FakeError

#: Seconds the ``iat`` may differ from the server's clock, either way.
IAT_TOLERANCE = 30

CLOCK_MESSAGE = "Error: Your system clock must be accurate to within 30 seconds"
NOT_FOUND_MESSAGE = "Invalid token: API key not found"


def _refuse(status: int, message: str) -> FakeError:
    return FakeError(status, {"token": [message]})


def check_admin_token(authorization: str | None, *, client_id: str, secret: str,
                      now: float) -> None:
    """Return when ``authorization`` carries a valid admin token; raise :class:`FakeError`
    (401 or 403 with a ``token`` message) otherwise."""
    if not authorization:
        raise _refuse(401, "Unauthorized: authentication token must be provided")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse(401, "Unauthorized: authentication bearer scheme must be used")
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _refuse(403, "Invalid token: signature, api token is not valid") from None
    if header.get("alg") != "HS256":
        raise _refuse(403, "Invalid token: algorithm used is not HS256")
    issuer = claims.get("iss")
    if not issuer:
        raise _refuse(403, "Invalid token: iss field not provided")
    if issuer != client_id:
        raise _refuse(403, NOT_FOUND_MESSAGE)
    try:
        jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"verify_iat": False, "verify_exp": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError:
        raise _refuse(403, NOT_FOUND_MESSAGE) from None
    except jwt.PyJWTError:
        raise _refuse(403, "Invalid token: signature, api token is not valid") from None
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise _refuse(403, "Invalid token: iat field not provided")
    if abs(now - issued) > IAT_TOLERANCE:
        raise _refuse(403, CLOCK_MESSAGE)
