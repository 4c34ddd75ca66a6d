"""Every example runs as it is (against the embedded fake) and prints what it should."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from notify_async.testing import FakeNotifyAPI
from tests.fake_support import World, make_world
from tests.redis_server import free_port

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: Variables that would point the examples at a real API or Redis.
_REAL = ("NOTIFY_API_URL", "NOTIFY_ADMIN_CLIENT_ID", "NOTIFY_ADMIN_CLIENT_SECRET", "REDIS_URL")


def fake_only_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in _REAL}


def run_example(name: str, *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True, text=True, timeout=60, env=fake_only_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", result.stderr
    return result.stdout.splitlines()


def test_quickstart() -> None:
    lines = run_example("quickstart.py")
    assert lines[0] == "talking to the embedded fake Notify API"
    assert re.fullmatch(r"registered user [0-9a-f-]{36} \(Quickstart User\)", lines[1])
    assert re.fullmatch(r"created service [0-9a-f-]{36} \('Quickstart service \w+'\)", lines[2])
    assert lines[3].startswith("created e-mail template ")
    assert lines[4] == "created API key 'quickstart key' (its secret is not printed)"
    assert re.fullmatch(
        r"sent notification [0-9a-f-]{36}: status created, template 'Welcome'", lines[5]
    )
    assert re.fullmatch(r"read service 'Quickstart service \w+' 3 times", lines[6])
    assert lines[7] == "cache: 2 hits, 1 misses, 1 stored"
    assert not any("@" in line for line in lines)  # no e-mail address is printed


def test_quickstart_needs_only_the_testing_extra() -> None:
    """README's first command installs ``.[testing]`` only: block every other extra's module."""
    blocked = ("fastapi", "pydantic", "redis", "pytest", "respx", "nbclient", "nbformat",
               "ipykernel", "trio", "uvicorn")
    script = (
        "import runpy, sys\n"
        f"sys.modules.update(dict.fromkeys({blocked!r}))\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        f"runpy.run_path({str(EXAMPLES / 'quickstart.py')!r}, run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=fake_only_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "cache: 2 hits, 1 misses, 1 stored"


def test_worker_sends_the_batch_retrying_the_refused_sends() -> None:
    lines = run_example("worker.py", "12", "4")
    assert lines[0] == "talking to the embedded fake Notify API"
    assert "sending 12 e-mails, at most 4 at a time" in lines
    progress = [line for line in lines if line.startswith("[")]
    assert progress[0] == "[" + "#" * 2 + "." * 28 + "] 1/12"
    assert progress[-1] == "[" + "#" * 30 + "] 12/12"
    assert len(progress) == 12
    assert lines[-1] == "sent 12/12 notifications (0 failed, 3 retries)"


def test_fastapi_example_demo() -> None:
    lines = run_example("fastapi_app.py")
    assert lines[0] == "talking to the embedded fake Notify API"
    assert "POST /services/.../notifications -> 201" in lines
    assert "GET /services/.../notifications/... -> 200 created" in lines
    assert any(re.fullmatch(r"GET /services/\.\.\. -> 200 'FastAPI service \w+'", line)
               for line in lines)
    assert ("POST /services/.../notifications with only an X-Notify-User-Id header, "
            "not signed in -> 401") in lines
    assert lines[-1] == (
        "the fake API saw trace id 0af7651916cd43dd8448eb211c80319c and the acting user: True"
    )


@pytest.fixture
def fastapi_example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location("fastapi_app_example",
                                                  EXAMPLES / "fastapi_app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_fastapi_routes_pass_trace_headers_and_signed_in_user_to_the_api(
    fastapi_example: ModuleType,
) -> None:
    world: World = make_world()
    app = fastapi_example.create_app(lambda: (world.notify, world.fake))
    token = app.state.sessions.sign_in(world.user_id)
    headers = {"X-B3-TraceId": "trace-from-the-edge", "X-B3-SpanId": "edge-span",
               "Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as http:
        sent = await http.post(
            f"/services/{world.service_id}/notifications", headers=headers,
            json={"template_id": world.template_id, "recipient": world.user["email_address"],
                  "personalisation": {"name": "Ada"}},
        )
        shown = await http.get(f"/services/{world.service_id}", headers=headers)
        missing = await http.get(f"/services/{world.service_id}/notifications/"
                                 "1e3d196d-bc69-4c0f-b4b4-72fb6fd3de2d")
    assert sent.status_code == 201
    assert shown.json() == {"id": world.service_id, "name": "Analytical Engines",
                            "restricted": True}
    assert missing.status_code == 404
    send_request, read_request, _ = world.fake.requests
    for seen in (send_request, read_request):
        assert seen.header("X-B3-TraceId") == "trace-from-the-edge"
        assert seen.header("X-B3-ParentSpanId") == "edge-span"
        assert seen.header("X-Notify-User-Id") == world.user_id
    assert send_request.body["created_by"] == world.user_id
    assert world.fake.notifications_for(world.service_id)[0]["id"] == sent.json()["id"]


@pytest.mark.parametrize("auth", [None, "Bearer not-a-session-token"])
async def test_fastapi_example_takes_no_acting_user_from_a_client_header(
    fastapi_example: ModuleType, auth: str | None,
) -> None:
    world: World = make_world()
    app = fastapi_example.create_app(lambda: (world.notify, world.fake))
    app.state.sessions.sign_in(world.user_id)  # someone else is signed in
    headers = {"X-Notify-User-Id": world.user_id, **({"Authorization": auth} if auth else {})}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as http:
        sent = await http.post(
            f"/services/{world.service_id}/notifications", headers=headers,
            json={"template_id": world.template_id, "recipient": world.user["email_address"]},
        )
        shown = await http.get(f"/services/{world.service_id}", headers=headers)
    assert sent.status_code == 401
    assert "Authorization: Bearer <session token>" in sent.json()["error"]
    assert sent.headers["WWW-Authenticate"] == "Bearer"
    assert shown.status_code == 200
    assert world.fake.notifications_for(world.service_id) == []
    assert all(seen.header("X-Notify-User-Id") is None for seen in world.fake.requests)


def test_fastapi_app_closes_its_client_on_shutdown(fastapi_example: ModuleType) -> None:
    import anyio

    fake = FakeNotifyAPI()
    closed: list[bool] = []
    client = fake.client()
    original = client.aclose

    async def aclose() -> None:
        closed.append(True)
        await original()

    client.aclose = aclose  # type: ignore[method-assign]
    app = fastapi_example.create_app(lambda: (client, fake))

    async def cycle() -> None:
        async with app.router.lifespan_context(app):
            assert app.state.notify is client
            assert closed == []

    anyio.run(cycle)
    assert closed == [True]


def test_notebook_runs_top_to_bottom(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _REAL:
        monkeypatch.delenv(name, raising=False)
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.outputs if output.output_type == "stream"
    )
    assert "talking to the embedded fake Notify API" in printed
    assert "sent 7 e-mails" in printed
    assert re.search(r"service\s+channel\s+requested\s+delivered\s+failed", printed)
    assert re.search(r"Notebook Alpha service \w+\s+email\s+4\s+3\s+1\n", printed)
    assert re.search(r"Notebook Beta service \w+\s+email\s+3\s+2\s+1\n", printed)
    assert re.search(r"Notebook Beta service \w+\s+sms\s+0\s+0\s+0\n", printed)
    assert "cache: 2 hits, 2 misses" in printed  # the second read of each service
    charts = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if "image/png" in output.get("data", {})]
    assert len(charts) == 1
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert errors == []


def test_worker_help_describes_its_arguments() -> None:
    lines = run_example("worker.py", "--help")
    assert lines[0] == "usage: python examples/worker.py [-h] [count] [concurrency]"
    assert any(line.strip().startswith("concurrency") for line in lines)


def test_worker_refuses_a_count_below_one() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLES / "worker.py"), "0"],
                            capture_output=True, text=True, timeout=60, env=fake_only_env())
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr


def test_fastapi_example_help_shows_the_port_option() -> None:
    assert any("--port" in line for line in run_example("fastapi_app.py", "serve", "--help"))


def test_fastapi_example_serves_demo_data_that_curl_can_use() -> None:
    """``serve --port N`` seeds a demo service, prints it with a session token, and answers the
    printed requests; a write without the token is a 401 that says what to send."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "fastapi_app.py"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=fake_only_env(),
    )
    try:
        printed = read_until(process, "a POST without the Authorization header")
        token = re.search(r"TOKEN=(\S+)", printed).group(1)  # type: ignore[union-attr]
        service = re.search(rf"curl (http://127\.0\.0\.1:{port}/services/\S+)\n",
                            printed).group(1)  # type: ignore[union-attr]
        body = json.loads(re.search(r"-d '(\{.*\})'", printed).group(1))  # type: ignore[union-attr]
        with httpx.Client(timeout=10) as http:
            shown = http.get(service)
            refused = http.post(f"{service}/notifications", json=body)
            sent = http.post(f"{service}/notifications", json=body,
                             headers={"Authorization": f"Bearer {token}"})
            read = http.get(f"{service}/notifications/{sent.json()['id']}",
                            headers={"Authorization": f"Bearer {token}"})
    finally:
        process.terminate()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()
    assert shown.status_code == 200
    assert shown.json()["name"].startswith("Served service ")
    assert refused.status_code == 401
    assert "Authorization: Bearer" in refused.json()["error"]
    assert sent.status_code == 201
    assert read.json()["status"] == "created"


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 30) -> str:
    """What ``process`` printed up to the line holding ``marker``."""
    assert process.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("the app stopped:\n" + "".join(printed))
        printed.append(line)
        if marker in line:
            return "".join(printed)
    raise AssertionError("the app printed no demo data in time:\n" + "".join(printed))
