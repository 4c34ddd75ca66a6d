"""Every catalogue method: verb, path, query, body, return value and cache effect (respx)."""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient, request_context
from notify_async.cache import MemoryCache, format_key
from tests.conftest import make_client
from tests.harness import (
    _MISSING,
    ATTRIBUTES,
    CATALOGUE,
    USER_ID,
    Case,
    bind_arguments,
    call_arguments,
    expected_requests,
    expected_return,
    find_method,
    matches,
    namespace,
    recorded,
    seed_pattern_key,
    via_deletions,
)


def _cases_for(attr: str) -> dict[str, list[Case]]:
    try:
        module = importlib.import_module(f"tests.cases.{attr}")
    except ModuleNotFoundError:
        return {}
    cases: dict[str, list[Case]] = module.CASES
    return cases


def _all_cases() -> Iterator[Any]:
    for client in CATALOGUE["clients"]:
        attr = ATTRIBUTES[client["class"]]
        cases = _cases_for(attr)
        for entry in client["methods"]:
            if entry["name"].startswith("_"):
                continue
            for case in cases.get(entry["name"], [Case()]):
                suffix = f"-{case.id}" if case.id else ""
                yield pytest.param(
                    client["class"], attr, entry["name"], case, id=f"{attr}.{entry['name']}{suffix}"
                )


def _public_methods() -> Iterator[Any]:
    for client in CATALOGUE["clients"]:
        for entry in client["methods"]:
            if not entry["name"].startswith("_"):
                yield pytest.param(
                    ATTRIBUTES[client["class"]], entry, id=f"{client['class']}.{entry['name']}"
                )


@pytest.mark.parametrize(("attr", "entry"), list(_public_methods()))
def test_facade_exposes_method_with_catalogue_parameters(attr: str, entry: dict[str, Any]) -> None:
    notify = make_client()
    method = getattr(getattr(notify, attr), entry["name"], None)
    assert method is not None, f"notify.{attr}.{entry['name']} is missing"
    params = list(inspect.signature(method).parameters.values())
    kinds = {
        inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
        inspect.Parameter.POSITIONAL_ONLY: "positional",
        inspect.Parameter.KEYWORD_ONLY: "keyword_only",
        inspect.Parameter.VAR_POSITIONAL: "var_positional",
        inspect.Parameter.VAR_KEYWORD: "var_keyword",
    }
    assert [(p.name, kinds[p.kind]) for p in params] == [
        (p["name"], p["kind"]) for p in entry["params"]
    ]
    for param, spec in zip(params, entry["params"], strict=True):
        if spec["default"] != "<required>" and spec["kind"] in ("positional", "keyword_only"):
            assert param.default == spec["default"], param.name
    assert inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method) or (
        entry["http"] == [] and not inspect.iscoroutinefunction(method)
    )


def _responses(case: Case, count: int) -> list[httpx.Response]:
    bodies = case.response if isinstance(case.response, list) else [case.response] * max(count, 1)
    if case.status == 204:
        return [httpx.Response(204) for _ in bodies]
    return [httpx.Response(case.status, json=body) for body in bodies]


async def _call(notify: NotifyAdminClient, attr: str, name: str, args: Any, kwargs: Any) -> Any:
    method = getattr(getattr(notify, attr), name)
    with request_context(user_id=USER_ID):
        result = method(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result


@pytest.mark.parametrize(("cls_name", "attr", "method_name", "case"), list(_all_cases()))
async def test_endpoint(cls_name: str, attr: str, method_name: str, case: Case) -> None:
    entry = find_method(cls_name, method_name)
    cache = MemoryCache()
    notify = make_client(cache)
    arguments = bind_arguments(entry, case)
    names = namespace(arguments, case)
    expected = expected_requests(entry, case, names)
    args, kwargs = call_arguments(entry, case)

    deletes, patterns = via_deletions(entry)
    deletes = [*entry["cache"].get("delete", []), *deletes] if case.check_cache else []
    patterns = [*entry["cache"].get("delete_by_pattern", []), *patterns] if case.check_cache else []
    seeded = [format_key(k, arguments) for k in deletes]
    seeded += [seed_pattern_key(format_key(p, arguments)) for p in patterns]
    for key in seeded:
        await cache.set(key, b'"stale"', 600)
    await cache.set("bystander-key", b"1", 600)

    with respx.mock(assert_all_called=False) as router:
        router.route().mock(side_effect=_responses(case, len(expected)))
        result = await _call(notify, attr, method_name, args, kwargs)
        actual = [recorded(call.request) for call in router.calls]

        assert len(actual) == len(expected), f"requests sent: {actual}"
        for got, want in zip(actual, expected, strict=True):
            assert matches(got, want), f"\n got: {got}\nwant: {want}"

        response = case.response[-1] if isinstance(case.response, list) else case.response
        want_result = expected_return(entry, case, None if case.status == 204 else response)
        if callable(want_result) and want_result is not _MISSING:
            want_result(result)
        else:
            assert result == want_result

        for key in seeded:
            assert await cache.get(key) is None, f"{key} was not invalidated"
        assert await cache.get("bystander-key") == b"1"

        if case.check_cache:
            for setting in entry["cache"].get("set", []):
                key = format_key(setting["key"], arguments)
                stored = await cache.get(key)
                assert stored is not None, f"{key} was not cached"
                assert json.loads(stored) == json.loads(json.dumps(result))
                calls_before = len(router.calls)
                again = await _call(notify, attr, method_name, args, kwargs)
                assert len(router.calls) == calls_before, "a cached read went to the API"
                assert again == result
