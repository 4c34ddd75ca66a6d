"""Answers of the kind the real API gives, for methods whose result is not one JSON object.

The harness answers every request with the same JSON object by default; a method declared to
return a list, a number or nothing refuses that answer (InvalidResponse), as it would refuse it
from the real API.
"""

from __future__ import annotations

from typing import Any

from tests.harness import Case

#: One JSON list of objects (the items' keys do not matter to the checks made here).
ROWS: list[dict[str, Any]] = [{"id": "5b4c3d2e-1f00-4a5b-8c7d-6e5f4a3b2c1d", "name": "Example"}]


def a_list(**options: Any) -> Case:
    """The API answers with a JSON list."""
    return Case(response=[ROWS], id="list", **options)


def a_data_list(**options: Any) -> Case:
    """The API answers with ``{"data": [...]}``."""
    return Case(response={"data": ROWS}, id="data-list", **options)


def no_content(**options: Any) -> Case:
    """The API answers 204 with no body."""
    return Case(status=204, id="no-content", **options)


def a_value(value: object, **options: Any) -> Case:
    """The API answers with a bare JSON value (a number, true/false or null)."""
    return Case(response=[value], id=f"value-{str(value).lower()}", **options)
