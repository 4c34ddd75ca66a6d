"""E-mail addresses and phone numbers from a server's error body, a document refusal or a cache
key stay out of everything an error tracker or log handler reads from an exception: ``args``,
``str()``, ``repr()``, the formatted traceback, and the same again after pickling or copying.
The documented raw attributes (``message``, ``keys``) keep the original values."""

from __future__ import annotations

import copy
import pickle
import traceback

import pytest
import respx

from notify_async.cache.redis import RedisCache
from notify_async.config import RetryPolicy
from notify_async.errors import (
    APIError,
    BadRequestError,
    CacheInvalidationError,
    ConfigurationError,
    DocumentDownloadError,
    InvalidArgumentError,
    MissingActingUserError,
    NotifyError,
    PermissionDeniedError,
)
from tests.conftest import make_client
from tests.harness import BASE_URL
from tests.redis_server import free_port

EMAIL = "ada.lovelace@example.org"
PHONE = "+44 7700 900123"
PII = (EMAIL, "ada.lovelace", "example.org", PHONE, "7700")
SERVICE_ID = "6ce466d0-fd6a-11e5-82f5-e0accb9d11a6"


def everything_shown(error: BaseException) -> str:
    """What a log handler or error tracker may read from an exception."""
    return "\n".join([
        str(error), repr(error), repr(error.args), *map(str, error.args),
        *traceback.format_exception(error),  # with the chained causes
    ])


def assert_no_pii(error: BaseException) -> None:
    for clone in (error, pickle.loads(pickle.dumps(error)), copy.copy(error)):
        shown = everything_shown(clone)
        for secret in PII:
            assert secret not in shown, (secret, shown)


async def raised_by_the_api(body: object, status: int = 400) -> APIError:
    notify = make_client()
    with respx.mock(assert_all_called=False) as router:
        router.route().respond(status, json=body)
        with pytest.raises(APIError) as caught:
            await notify.services.get_service(SERVICE_ID)
    return caught.value


async def test_api_error_args_hold_the_redacted_server_message() -> None:
    error = await raised_by_the_api({"message": f"User {EMAIL} ({PHONE}) already exists"})
    assert isinstance(error, BadRequestError)
    assert error.args == (400, "User <email> (<phone>) already exists")
    assert_no_pii(error)


async def test_api_error_args_keep_the_shape_of_field_errors_redacted() -> None:
    error = await raised_by_the_api({"message": {"email_address": [f"{EMAIL} is taken"],
                                                 "mobile_number": [f"{PHONE} is invalid"]}})
    assert error.args == (400, {"email_address": ["<email> is taken"],
                                "mobile_number": ["<phone> is invalid"]})
    assert_no_pii(error)


async def test_api_error_message_attribute_stays_the_servers_raw_value() -> None:
    error = await raised_by_the_api({"errors": [{"message": f"{EMAIL} is taken"}]})
    assert error.message == [{"message": f"{EMAIL} is taken"}]
    clone = pickle.loads(pickle.dumps(error))
    assert clone.message == error.message
    assert clone.args == error.args == (400, [{"message": "<email> is taken"}])
    assert_no_pii(error)


def test_api_error_made_by_hand_holds_redacted_args() -> None:
    error = APIError(f"{EMAIL} refused", status_code=403, method="GET", path="/x")
    assert error.args == (403, "<email> refused")
    assert error.message == f"{EMAIL} refused"
    assert_no_pii(error)


def test_document_download_error_args_and_repr_are_redacted() -> None:
    error = DocumentDownloadError(f"{EMAIL} sent a file that is not a PDF; call {PHONE}", 400)
    assert error.args == ("<email> sent a file that is not a PDF; call <phone>",)
    assert error.message == f"{EMAIL} sent a file that is not a PDF; call {PHONE}"
    assert_no_pii(error)


async def test_document_download_error_from_a_real_refusal_hides_pii() -> None:
    notify = make_client()
    with respx.mock(assert_all_called=False) as router:
        router.route().respond(400, json={"error": f"Virus found in file from {EMAIL}"})
        with pytest.raises(DocumentDownloadError) as caught:
            await notify.document_download.file_check_and_antivirus_scan(
                SERVICE_ID, "letter.pdf", b"%PDF-1.4"
            )
    assert caught.value.message == f"Virus found in file from {EMAIL}"
    assert_no_pii(caught.value)


async def test_cache_invalidation_error_hides_e_mail_addresses_in_cache_keys() -> None:
    # Nothing listens on the port: the invalidation before the write fails for real.
    backend = RedisCache.from_url(f"redis://127.0.0.1:{free_port()}")
    notify = make_client(cache=backend)
    try:
        with respx.mock(assert_all_called=False) as router:
            router.route().respond(204)
            with pytest.raises(CacheInvalidationError) as caught:
                await notify.users.archive_user(EMAIL)
    finally:
        await backend.aclose()
    error = caught.value
    assert error.request_sent is False
    # The raw keys (the id is percent-encoded in them), for a caller that retries them.
    assert error.keys == ("user-ada.lovelace%40example.org",)
    assert "<email>" in str(error)
    assert_no_pii(error)


@pytest.mark.parametrize("cls", [InvalidArgumentError, ConfigurationError,
                                 MissingActingUserError, NotifyError])
def test_client_side_errors_redact_their_message(cls: type[NotifyError]) -> None:
    # e.g. check_one_of repeats the caller's refused value back.
    error = cls(f"permission must be one of a, b; got {EMAIL!r} ({PHONE})")
    assert error.args == ("permission must be one of a, b; got '<email>' (<phone>)",)
    assert_no_pii(error)


@pytest.mark.parametrize(
    ("token_error", "hint"),
    [
        ("Error: Your system clock must be accurate to within 30 seconds", "clock accurate"),
        ("Invalid token: API key not found", "NOTIFY_ADMIN_CLIENT_SECRET"),
        ("Invalid token: signature, api token not found", "client id"),
    ],
)
async def test_the_apis_403_token_errors_say_what_to_check(token_error: str, hint: str) -> None:
    body = {"result": "error", "message": {"token": [token_error]}}
    notify = make_client(retry=RetryPolicy.disabled())
    with respx.mock(base_url=BASE_URL) as router:
        router.route().respond(403, json=body)
        with pytest.raises(PermissionDeniedError) as caught:
            await notify.services.get_service("2b1ac3e6-0d3c-4d8e-9a2c-1f0e9d8c7b6a")
    assert caught.value.hint is not None
    assert hint in caught.value.hint
    assert hint in str(caught.value)
    assert pickle.loads(pickle.dumps(caught.value)).hint == caught.value.hint


async def test_other_403s_have_no_hint() -> None:
    notify = make_client(retry=RetryPolicy.disabled())
    with respx.mock(base_url=BASE_URL) as router:
        router.route().respond(403, json={"result": "error", "message": "Forbidden"})
        with pytest.raises(PermissionDeniedError) as caught:
            await notify.services.get_service("2b1ac3e6-0d3c-4d8e-9a2c-1f0e9d8c7b6a")
    assert caught.value.hint is None
    assert "Hint" not in str(caught.value)
