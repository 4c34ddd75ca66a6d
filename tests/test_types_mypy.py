"""A user's type checker sees the answers' shapes: mypy, run over ``typing_user_program.py``,
reveals the TypedDicts and refuses a misspelt key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = Path(__file__).with_name("typing_user_program.py")
ROOT = PROGRAM.parents[1]


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    cache = tmp_path_factory.mktemp("mypy-cache")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-color-output",
         "--no-error-summary", "--cache-dir", str(cache), str(PROGRAM.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.splitlines()


def _line_of(text: str) -> int:
    return next(n for n, line in enumerate(PROGRAM.read_text().splitlines(), 1) if text in line)


def _revealed(output: list[str], text: str) -> str:
    line = _line_of(text)
    found = [out for out in output if f"typing_user_program.py:{line}: note: Revealed type" in out]
    assert len(found) == 1, output
    return found[0]


def test_a_cached_read_reveals_the_service_typeddict(mypy_output: list[str]) -> None:
    revealed = _revealed(mypy_output, "reveal_type(service)")
    assert re.search(r"TypedDict\(.*\{'data': TypedDict\(.*\{'active': bool", revealed)
    assert "'go_live_at': str | None" in revealed
    assert "Any" not in revealed


def test_an_unwrapped_answer_reveals_the_named_typeddict(mypy_output: list[str]) -> None:
    revealed = _revealed(mypy_output, "reveal_type(user)")
    assert "TypedDict(notify_async.types.users.User, {" in revealed
    assert "'permissions': dict[str, list[str]]" in revealed


def test_an_iterator_yields_typed_items(mypy_output: list[str]) -> None:
    revealed = _revealed(mypy_output, "reveal_type(notification)")
    assert "TypedDict(notify_async.types.notifications.Notification, {" in revealed


def test_a_misspelt_key_is_the_only_error(mypy_output: list[str]) -> None:
    errors = [line for line in mypy_output if ": error:" in line]
    line = _line_of('service["data"]["nmae"]')
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"tests/typing_user_program.py:{line}: error:")
    assert '"nmae" is not a valid TypedDict key' in errors[0]
