"""``examples/flask_app.py``: a Flask app on the blocking client, its request threads sharing
one client, each request's trace id and signed-in user reaching the Notify API."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from flask import Flask

from notify_async import RetryPolicy
from notify_async.sync import NotifyAdminClient
from tests.fake_support import World, make_world

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_REAL = ("NOTIFY_API_URL", "NOTIFY_ADMIN_CLIENT_ID", "NOTIFY_ADMIN_CLIENT_SECRET", "REDIS_URL")


@pytest.fixture(scope="module")
def example(monkeypatch_module: pytest.MonkeyPatch) -> ModuleType:
    for name in _REAL:
        monkeypatch_module.delenv(name, raising=False)
    monkeypatch_module.syspath_prepend(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location("flask_app_example", EXAMPLES / "flask_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    module.notify.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def app(example: ModuleType, world: World) -> Iterator[Flask]:
    fake = world.fake
    with NotifyAdminClient(
        fake.base_url, fake.client_id, fake.secret, retry=RetryPolicy.disabled(),
        http_client=lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=fake)),
    ) as notify:
        yield example.create_app(notify)


def test_the_example_runs_its_demo() -> None:
    env = {name: value for name, value in os.environ.items() if name not in _REAL}
    result = subprocess.run([sys.executable, str(EXAMPLES / "flask_app.py")],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "talking to the embedded fake Notify API"
    assert "POST /services/.../notifications, not signed in -> 401" in lines
    assert "POST /services/.../notifications -> 201" in lines
    assert "GET /services/.../notifications/... -> 200 created" in lines
    assert any(re.fullmatch(r"GET /services/\.\.\. -> 200 'Flask service \w+'", line)
               for line in lines)
    assert lines[-1] == (
        "the fake API saw trace id 0af7651916cd43dd8448eb211c80319c and the acting user: True"
    )


def test_a_request_carries_its_trace_id_and_signed_in_user_to_the_api(
    app: Flask, world: World
) -> None:
    http = app.test_client()
    http.post("/login", json={"user_id": world.user_id})
    sent = http.post(
        f"/services/{world.service_id}/notifications",
        headers={"X-B3-TraceId": "trace-from-the-edge", "X-B3-SpanId": "edge-span"},
        json={"template_id": world.template_id, "recipient": world.user["email_address"],
              "personalisation": {"name": "Ada"}},
    )
    assert sent.status_code == 201
    request = world.fake.find_requests("POST")[-1]
    assert request.header("X-B3-TraceId") == "trace-from-the-edge"
    assert request.header("X-B3-ParentSpanId") == "edge-span"
    assert request.header("X-Notify-User-Id") == world.user_id
    assert request.body["created_by"] == world.user_id
    assert world.fake.notifications_for(world.service_id)[0]["id"] == sent.json["id"]


def test_api_errors_become_http_answers(app: Flask, world: World) -> None:
    http = app.test_client()
    missing = http.get(f"/services/{world.service_id}/notifications/"
                       "1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d")
    assert missing.status_code == 404
    refused = http.post(f"/services/{world.service_id}/notifications",
                        json={"template_id": world.template_id, "recipient": "x@example.gov.uk"})
    assert refused.status_code == 401  # not signed in: no acting user, nothing sent
    assert world.fake.find_requests("POST") == []


def test_request_threads_share_one_client_and_keep_their_own_context(
    app: Flask, world: World
) -> None:
    answers: dict[int, int] = {}

    def request(number: int) -> None:
        http = app.test_client()
        shown = http.get(f"/services/{world.service_id}",
                         headers={"X-B3-TraceId": f"{number:032x}"})
        answers[number] = shown.status_code

    threads = [threading.Thread(target=request, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == dict.fromkeys(range(20), 200)
    # One client for every request thread: one fetch, shared or cached for the other 19.
    fetched = world.fake.find_requests("GET", f"/service/{world.service_id}")
    assert len(fetched) == 1
    assert fetched[0].header("X-B3-TraceId") in {f"{n:032x}" for n in range(20)}
