"""Behaviour of ``notify.jobs`` beyond the catalogue checks: the status sets, the manual
``has_jobs`` cache entry that ``create_job`` writes, and what needs an acting user."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import respx

from notify_async import request_context
from notify_async.cache import MemoryCache
from notify_async.clients.jobs import JobApiClient, join_statuses
from notify_async.errors import BadRequestError, MissingActingUserError
from tests.conftest import make_client
from tests.harness import CATALOGUE, USER_ID, sample_uuid

SERVICE_ID = sample_uuid("service_id")
JOB_ID = sample_uuid("job_id")


def _mock(status: int = 200, body: Any = None) -> respx.MockRouter:
    router = respx.mock(assert_all_called=False)
    router.route().mock(return_value=httpx.Response(status, json={"data": []} if body is None
                                                    else body))
    return router


def _catalogue_constants() -> dict[str, Any]:
    client = next(c for c in CATALOGUE["clients"] if c["class"] == "JobApiClient")
    constants: dict[str, Any] = client["class_constants"]
    return constants


# --- status sets ----------------------------------------------------------------------------


def test_job_statuses_are_the_catalogue_ones() -> None:
    constants = _catalogue_constants()
    assert set(constants["JOB_STATUSES"]) == JobApiClient.JOB_STATUSES
    for name in ("SCHEDULED_JOB_STATUS", "CANCELLED_JOB_STATUS", "FINISHED_JOB_STATUS",
                 "FINISHED_ALL_NOTIFICATIONS_CREATED_JOB_STATUS"):
        assert getattr(JobApiClient, name) == constants[name]


def test_derived_status_sets() -> None:
    every = JobApiClient.JOB_STATUSES
    assert every - JobApiClient.NON_CANCELLED_JOB_STATUSES == {"cancelled"}
    assert every - JobApiClient.NON_SCHEDULED_JOB_STATUSES == {"scheduled", "cancelled"}
    assert {"finished", "finished all notifications created"} == JobApiClient.FINISHED_JOB_STATUSES


def test_join_statuses_is_sorted_and_deduplicated() -> None:
    assert join_statuses({"pending", "finished", "cancelled"}) == "cancelled,finished,pending"
    assert join_statuses(["b", "a", "b"]) == "a,b"
    assert join_statuses("in progress") == "in progress"


async def test_immediate_jobs_send_the_same_statuses_every_time() -> None:
    notify = make_client()
    with _mock() as router:
        await notify.jobs.get_immediate_jobs(SERVICE_ID)
        await notify.jobs.get_page_of_jobs(SERVICE_ID, page=1)
        sent = [dict(call.request.url.params)["statuses"] for call in router.calls]
    assert sent[0] == sent[1] == ",".join(sorted(JobApiClient.NON_SCHEDULED_JOB_STATUSES))


# --- create_job and the has_jobs entry ------------------------------------------------------


async def test_create_job_marks_the_service_as_having_jobs() -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    with _mock(body={"data": {"id": JOB_ID}}) as router, request_context(user_id=USER_ID):
        await notify.jobs.create_job(JOB_ID, SERVICE_ID)
        assert await cache.get(f"has_jobs-{SERVICE_ID}") == b"true"
        assert await notify.jobs.has_jobs(SERVICE_ID) is True
        assert [call.request.method for call in router.calls] == ["POST"]  # has_jobs: cached


async def test_create_job_writes_the_key_with_the_id_as_given() -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    upper = SERVICE_ID.upper()
    with _mock(body={"data": {}}), request_context(user_id=USER_ID):
        await notify.jobs.create_job(JOB_ID, upper)
    assert await cache.get(f"has_jobs-{upper}") == b"true"  # raw, as the original wrote it
    assert await cache.get(f"has_jobs-{SERVICE_ID}") is None


async def test_create_job_refused_leaves_the_cache_alone() -> None:
    cache = MemoryCache()
    notify = make_client(cache)
    await cache.set(f"has_jobs-{SERVICE_ID}", b"false", 600)
    with (
        _mock(400, {"message": {"id": ["bad"]}}),
        request_context(user_id=USER_ID),
        pytest.raises(BadRequestError),
    ):
        await notify.jobs.create_job(JOB_ID, SERVICE_ID)
    assert await cache.get(f"has_jobs-{SERVICE_ID}") == b"false"


class _BrokenWrites(MemoryCache):
    async def set(self, key: str, value: bytes, ttl: int) -> None:
        raise ConnectionError("redis went away")


async def test_create_job_only_logs_a_cache_failure(caplog: pytest.LogCaptureFixture) -> None:
    notify = make_client(_BrokenWrites())
    with (
        caplog.at_level(logging.WARNING, logger="notify_async"),
        _mock(body={"data": {"id": JOB_ID}}),
        request_context(user_id=USER_ID),
    ):
        assert await notify.jobs.create_job(JOB_ID, SERVICE_ID) == {"data": {"id": JOB_ID}}
    assert any("has_jobs-" in record.getMessage() for record in caplog.records)


async def test_create_job_is_not_overwritten_by_an_older_has_jobs_read() -> None:
    """A has_jobs read that began before the job was created must not store its ``false``."""
    cache = MemoryCache()
    notify = make_client(cache)
    read_sent, release_read = asyncio.Event(), asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            read_sent.set()
            await release_read.wait()
            return httpx.Response(200, json={"data": []})  # the answer from before the job
        return httpx.Response(201, json={"data": {"id": JOB_ID}})

    with respx.mock(assert_all_called=False) as router, request_context(user_id=USER_ID):
        router.route().mock(side_effect=answer)
        read = asyncio.create_task(notify.jobs.has_jobs(SERVICE_ID))
        await read_sent.wait()
        await notify.jobs.create_job(JOB_ID, SERVICE_ID)
        release_read.set()
        assert await read is False
    assert await cache.get(f"has_jobs-{SERVICE_ID}") == b"true"


async def test_create_job_body() -> None:
    notify = make_client()
    with _mock(body={"data": {}}) as router, request_context(user_id=USER_ID):
        await notify.jobs.create_job(JOB_ID, SERVICE_ID, "", None)
        body = json.loads(router.calls[0].request.content)
    assert list(body) == ["created_by", "id"]  # falsy schedule / contact list not sent
    assert body == {"created_by": USER_ID, "id": JOB_ID}


async def test_create_job_needs_an_acting_user() -> None:
    notify = make_client()
    with _mock() as router:
        with pytest.raises(MissingActingUserError):
            await notify.jobs.create_job(JOB_ID, SERVICE_ID)
        assert not router.calls


async def test_cancel_job_makes_has_jobs_ask_the_api_again() -> None:
    notify = make_client()
    with _mock(body={"data": [{"id": JOB_ID}]}) as router:
        assert await notify.jobs.has_jobs(SERVICE_ID) is True
        await notify.jobs.cancel_job(SERVICE_ID, JOB_ID)
        await notify.jobs.has_jobs(SERVICE_ID)
        assert [call.request.method for call in router.calls] == ["GET", "POST", "GET"]
