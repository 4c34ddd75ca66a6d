"""Every answer the real notifications-api gave (``tests/real_samples/``) fits the type its SDK
method declares.

Each recorded successful answer is served (respx) to the SDK method that asked for it, and what
the method returns is validated against its return annotation with pydantic in strict mode (a
number is not accepted for a string, nor ``true`` for a number). The validated value must equal
the returned one, so a key the API sends that the TypedDict does not declare fails too (pydantic
drops undeclared keys). Placeholders (``<datetime>``, ``<service-1>``...) are strings, as the
values they replace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_type_hints

import httpx
import pytest
import respx
from pydantic import TypeAdapter

from notify_async import request_context
from notify_async.clients._shape import check_shape
from tests.conftest import make_client
from tests.harness import ATTRIBUTES, USER_ID, Case, call_arguments, find_method, sample_value

SAMPLES = Path(__file__).parent / "real_samples"
CLASSES = {attr: cls for cls, attr in ATTRIBUTES.items()}

#: Arguments a method needs for the recorded answer to be the one it reads.
ARGUMENTS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "invites.get_count_of_invites_with_permission": (
        (sample_value("service_id"), "send_messages"), {}
    ),
    "users.create_webauthn_credential_for_user": (
        (sample_value("user_id"), {"name": "Sample key", "credential_data": "WyJiYXJzIl0="}), {}
    ),
    "template_folders.get_template_folder": (
        (sample_value("service_id"), "<template-folder-1>"), {}
    ),
}
#: Arguments per recorded variant (the entry's ``variant``).
VARIANTS: dict[tuple[str, str], dict[str, Any]] = {
    ("services.get_service_template", "version=1"): {"version": 1},
    ("notifications.get_notifications_for_service", "no job, to"): {"to": "07700900001"},
    ("notifications.get_notifications_for_service", "job, no to"): {"job_id": "job-1"},
    ("notifications.get_notifications_for_service_for_csv", "job"): {"job_id": "job-1"},
}
#: Methods whose one call sends several requests: their entries are answered in order.
SEQUENCES = {"services.set_service_data_retention"}


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for path in sorted(SAMPLES.glob("[!_]*.json")):
        entries.extend(json.loads(path.read_text()))
    return entries


def _answer(entry: dict[str, Any]) -> httpx.Response:
    body = entry["response"]
    if entry["status"] == 204:
        return httpx.Response(204)
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if key != "_truncated_items"}
    return httpx.Response(entry["status"], content=json.dumps(body).encode())


def _params() -> Iterator[Any]:
    sequences: dict[str, list[dict[str, Any]]] = {}
    for entry in _entries():
        if entry["status"] >= 300:
            continue
        name = entry["method"]
        if name in SEQUENCES:
            sequences.setdefault(name, []).append(entry)
            continue
        variant = entry.get("variant") or ""
        yield pytest.param(name, [entry], id=f"{name}[{variant}]" if variant else name)
    for name, group in sequences.items():
        yield pytest.param(name, group, id=f"{name}[sequence]")


PARAMS = list(_params())


def test_the_samples_cover_most_of_the_catalogue() -> None:
    methods = {param.values[0] for param in PARAMS}
    assert len(methods) >= 190, sorted(methods)


@pytest.mark.parametrize(("name", "entries"), PARAMS)
async def test_real_answer_fits_the_declared_return_type(
    name: str, entries: list[dict[str, Any]]
) -> None:
    attr, method_name = name.split(".")
    entry = find_method(CLASSES[attr], method_name)
    args, kwargs = ARGUMENTS.get(name) or call_arguments(entry, Case())
    kwargs = {**kwargs, **VARIANTS.get((name, entries[0].get("variant") or ""), {})}
    notify = make_client()
    method = getattr(getattr(notify, attr), method_name)
    answers = [_answer(e) for e in entries]
    with respx.mock(assert_all_called=False) as router, request_context(user_id=USER_ID):
        router.route().mock(side_effect=answers if len(answers) > 1 else None,
                            return_value=answers[0] if len(answers) == 1 else None)
        value = await method(*args, **kwargs)
    declared = get_type_hints(method)["return"]
    validated = TypeAdapter(declared).validate_python(value, strict=True)
    assert validated == value, "the answer has keys the type does not declare"
    assert check_shape(method, value) is value
