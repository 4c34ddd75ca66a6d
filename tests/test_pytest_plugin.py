"""The pytest plugin: registered as a ``pytest11`` entry point, fixtures ``notify_fake`` and
``notify_client``, and harmless where the ``testing`` extra is not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

from notify_async import NotifyAdminClient
from notify_async.cache import MemoryCache
from notify_async.testing import FakeNotifyAPI


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "notify_async"]
    assert plugin.value == "notify_async.testing.pytest_plugin"


async def test_notify_client_talks_to_notify_fake(
    notify_fake: FakeNotifyAPI, notify_client: NotifyAdminClient
) -> None:
    user = notify_fake.add_user("Fixture User")
    assert (await notify_client.users.get_user(user["id"]))["name"] == "Fixture User"
    assert notify_fake.requests[-1].path == f"/user/{user['id']}"
    assert isinstance(notify_client.cache.backend, MemoryCache)
    assert notify_client.config.retry.max_attempts == 1


def test_a_fresh_project_gets_the_fixtures_from_the_entry_point(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    )
    (tmp_path / "test_uses_plugin.py").write_text(textwrap.dedent('''
        import pytest

        @pytest.mark.asyncio
        async def test_first(notify_fake, notify_client):
            user = notify_fake.add_user()
            assert (await notify_client.users.get_user(user["id"]))["id"] == user["id"]
            assert len(notify_fake.store.users) == 1

        def test_second_gets_a_fresh_fake(notify_fake):
            assert notify_fake.store.users == {}

        @pytest.mark.anyio
        @pytest.mark.parametrize("anyio_backend", ["trio"])
        async def test_under_trio(notify_fake, notify_client, anyio_backend):
            user = notify_fake.add_user()
            assert (await notify_client.users.get_user(user["id"]))["id"] == user["id"]
    '''))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_loading_the_plugin_does_not_need_starlette() -> None:
    script = (
        "import sys; sys.modules['starlette'] = None\n"
        "import notify_async.testing.pytest_plugin\n"
        "print('loaded')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=30)
    assert result.stdout.strip() == "loaded", result.stderr
