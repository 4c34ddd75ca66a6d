"""Every ``python`` code block of README.md and docs/*.md runs as it is written, in a process of
its own, with ResourceWarning turned into an error: against the fake Notify API served on a
loopback port (``python -m notify_async.testing serve``) and the test redis-server, given to
the snippets in the same environment variables a real deployment uses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from notify_async.testing._app import DEFAULT_CLIENT_ID, DEFAULT_SECRET
from tests.redis_server import RedisServer, free_port, redis_server_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

#: Runs a snippet with top-level ``await`` allowed (as in a notebook), then reports leaks.
RUNNER = """
import asyncio, ast, gc, pathlib, sys, types, warnings
warnings.simplefilter("error", ResourceWarning)
source = pathlib.Path(sys.argv[1]).read_text()
code = compile(source, sys.argv[2], "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
module = types.ModuleType("__main__")
sys.modules["__main__"] = module
result = eval(code, module.__dict__)
if asyncio.iscoroutine(result):
    asyncio.run(result)
gc.collect()
"""


def _snippets() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for number, match in enumerate(BLOCK.finditer(text), 1):
            line = text[: match.start()].count("\n") + 2
            found.append((f"{document.name}:{line} (block {number})", match.group(1)))
    return found


@pytest.fixture(scope="module")
def fake_api() -> Iterator[str]:
    """The fake Notify API served by its own command on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "notify_async.testing", "serve", "--port", str(port),
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                httpx.get(url + "/_status", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fake API did not start") from None
                time.sleep(0.05)  # waiting for a subprocess to listen, not testing timing
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_the_documents_have_snippets() -> None:
    assert len(_snippets()) >= 4


@pytest.mark.parametrize(("where", "source"), _snippets(), ids=[w for w, _ in _snippets()])
def test_every_documented_snippet_runs_without_leaking(
    where: str, source: str, fake_api: str, redis_server: RedisServer, tmp_path: Path
) -> None:
    with redis_server.client() as plain:
        plain.flushall()
    script = tmp_path / "snippet.py"
    script.write_text(source)
    env = {
        **os.environ,
        "NOTIFY_API_URL": fake_api,
        "NOTIFY_ADMIN_CLIENT_ID": DEFAULT_CLIENT_ID,
        "NOTIFY_ADMIN_CLIENT_SECRET": DEFAULT_SECRET,
        "REDIS_URL": redis_server.url,
    }
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script), where],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    report = f"{where}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, report
    assert "ResourceWarning" not in done.stderr, report
    assert "Traceback" not in done.stderr, report
