"""Catalogue-driven endpoint checks.

The catalogue (``tests/catalogue/endpoints.json``, a copy of the spec) says for every method what
it sends, returns and caches. For each method the engine builds arguments, calls the SDK method
inside ``request_context(user_id=USER_ID)`` with respx answering, and checks the requests (verb,
path, query, JSON body), the return value and the cache effect against expectations *evaluated
from the catalogue's expressions* (or given explicitly by a :class:`Case` where the catalogue's
text is not an expression). The package never reads the catalogue.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import attrs

from notify_async.client import NotifyAdminClient

CATALOGUE = json.loads((Path(__file__).parent / "catalogue" / "endpoints.json").read_text())

ATTRIBUTES = {cls.__name__: name for name, cls in NotifyAdminClient.domains().items()}

BASE_URL = "https://api.notify.test"
ADMIN_URL = "https://admin.notify.test"
DOCUMENT_URL = "https://documents.notify.test"
DOCUMENT_KEY = "document-download-key"
CLIENT_ID = "notify-admin"
SECRET = "admin-secret-value-that-is-long-enough-for-hs256"
USER_ID = "6ce466d0-fd6a-11e5-82f5-e0accb9d11a6"
SERVICE_LIMIT = 50
LIVE_LIMITS = {"email": 250_000, "sms": 250_000, "letter": 20_000}

CONFIG = {
    "ADMIN_BASE_URL": ADMIN_URL,
    "DEFAULT_SERVICE_LIMIT": SERVICE_LIMIT,
    "DEFAULT_LIVE_SERVICE_RATE_LIMITS": LIVE_LIMITS,
}

# One response body that every "response[...]" expression of the catalogue can index.
RESPONSE: dict[str, Any] = {
    "data": {"id": "5b4c3d2e-1f00-4a5b-8c7d-6e5f4a3b2c1d", "name": "Example", "items": [1, 2]},
    "email_branding": [{"id": "e1", "name": "Brand"}],
    "name": "Unique name",
    "free_sms_fragment_limit": 250000,
    "count": 4,
    "notifications_sent_count": 9,
    "template_folders": [{"id": "f1", "name": "Folder", "parent_id": None}],
    "stats": [{"month": "April", "count": 3}],
    "last_date_used": "2024-01-02T03:04:05",
    "result": "success",
}

_MISSING = object()


def sample_uuid(name: str) -> str:
    """A deterministic UUID per parameter name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"notify-async/{name}"))


def sample_value(name: str) -> Any:
    """A plausible value for a required parameter, by its name."""
    if name.endswith("_id") or name == "id":
        return sample_uuid(name)
    if name.endswith("_ids"):
        return [sample_uuid(name + "-1"), sample_uuid(name + "-2")]
    fixed: dict[str, Any] = {
        "page": 2, "year": 2024, "limit_days": 7, "page_size": 50, "live": True,
        "start_date": dt.date(2024, 4, 1), "end_date": dt.date(2024, 4, 30),
        "email_address": "someone@example.gov.uk", "email": "someone@example.gov.uk",
        "is_default": True, "archive": True, "financial_year_start": 2024,
    }
    return fixed.get(name, f"value-of-{name}")


@attrs.frozen
class Req:
    """One expected request. ``query`` is a list of (key, value) pairs (order-insensitive);
    ``body`` is the decoded JSON or ``_MISSING`` for no body at all."""

    verb: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: Any = _MISSING
    body_first_key: str | None = None


@attrs.frozen
class Case:
    """How to call one method and what to expect; ``None`` fields are derived from the
    catalogue.

    Args:
        args / kwargs: the call's arguments; required parameters missing from both are filled
            with :func:`sample_value`.
        requests: the expected requests, in order; ``None`` derives them from the catalogue
            (only for a method with one unconditional request).
        variant: derive from this 0-based entry of the method's ``http`` list instead.
        response: the JSON the fake API answers with (status 200), or a list (one per request).
        status: the status of every answer (204 sends no body).
        returns: the expected return value; a callable is given the value and must assert.
        names: extra names for evaluating the catalogue's expressions.
        check_cache: whether to check the catalogue's cache effect.
        id: a test id suffix.
    """

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)
    requests: list[Req] | None = None
    variant: int | None = None
    response: Any = attrs.field(factory=lambda: RESPONSE)
    status: int = 200
    returns: Any = _MISSING
    names: Mapping[str, Any] = attrs.field(factory=dict)
    check_cache: bool = True
    id: str = ""


def find_method(cls_name: str, method: str) -> dict[str, Any]:
    """The catalogue entry of ``cls_name.method``."""
    for client in CATALOGUE["clients"]:
        if client["class"] == cls_name:
            for entry in client["methods"]:
                if entry["name"] == method:
                    return dict(entry)
    raise KeyError(f"{cls_name}.{method}")


def bind_arguments(entry: Mapping[str, Any], case: Case) -> dict[str, Any]:
    """The method's arguments by parameter name (defaults applied, samples for required)."""
    values: dict[str, Any] = {}
    positional = [p for p in entry["params"] if p["kind"] == "positional"]
    for param, value in zip(positional, case.args, strict=False):
        values[param["name"]] = value
    for param in entry["params"]:
        name, kind = param["name"], param["kind"]
        if name in values:
            continue
        if kind == "var_keyword":
            values[name] = {k: v for k, v in case.kwargs.items() if k not in _param_names(entry)}
        elif kind == "var_positional":
            values[name] = tuple(case.args[len(positional):])
        elif name in case.kwargs:
            values[name] = case.kwargs[name]
        elif param["default"] == "<required>":
            values[name] = sample_value(name)
        else:
            values[name] = param["default"]
    return values


def _param_names(entry: Mapping[str, Any]) -> set[str]:
    return {p["name"] for p in entry["params"] if p["kind"] not in ("var_keyword",)}


def call_arguments(entry: Mapping[str, Any], case: Case) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """(args, kwargs) to call the SDK method with: the case's own plus samples for required
    parameters it did not give."""
    args = tuple(case.args)
    kwargs = dict(case.kwargs)
    positional = [p for p in entry["params"] if p["kind"] == "positional"]
    keyword_only = [p for p in entry["params"] if p["kind"] == "keyword_only"]
    for param in positional[len(args):] + keyword_only:
        if param["default"] == "<required>" and param["name"] not in kwargs:
            kwargs[param["name"]] = sample_value(param["name"])
    return args, kwargs


def namespace(arguments: Mapping[str, Any], case: Case) -> dict[str, Any]:
    """Names the catalogue's expressions are evaluated with."""
    names: dict[str, Any] = {
        "config": CONFIG, "current_user": SimpleNamespace(id=USER_ID), "str": str, "bool": bool,
        "int": int, "sorted": sorted, "base64": base64, "dict": dict, "None": None,
    }
    names.update(arguments)
    names.update(case.names)
    return names


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate one catalogue expression (test-only; the package never does this)."""
    return eval(expression, {"__builtins__": {}}, dict(names))


def _query_text(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        return ["True" if value else "False"]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _query_text(v)]
    return [str(value)]


_CONDITION = re.compile(
    r"only (?:if|when) (?:(\w+) )?is (not None|truthy)|only (?:if|when) (not None|truthy)"
)


def _condition_holds(text: str, key: str, names: Mapping[str, Any]) -> bool:
    match = _CONDITION.search(text)
    if match is None:
        raise ValueError(f"condition not understood: {text!r}; give the Case its requests")
    subject = match.group(1) or key
    kind = match.group(2) or match.group(3)
    value = names.get(subject)
    return value is not None if kind == "not None" else bool(value)


def expected_request(
    entry: Mapping[str, Any], http: Mapping[str, Any], names: Mapping[str, Any]
) -> Req:
    """The request the catalogue says ``http`` sends, with expressions evaluated."""
    template, _, hand_query = http["path"].partition("?")
    path = re.sub(r"\{([^}]+)\}", lambda m: str(evaluate(m.group(1), names)), template)
    path = path if path.startswith("/") else "/" + path
    query: list[tuple[str, str]] = []
    for pair in filter(None, hand_query.split("&")):
        key, _, expr = pair.partition("=")
        query += [(key, t) for t in _query_text(evaluate(expr.strip("{}"), names))]
    for key, expr in (http.get("query") or {}).items():
        query += [(key, t) for t in _query_text(evaluate(expr, names))]
    for key, text in (http.get("query_conditional") or {}).items():
        expr, _, condition = text.partition(" - ")
        if _condition_holds(condition, key, names):
            query += [(key, t) for t in _query_text(evaluate(expr, names))]
    spec = http.get("body")
    if spec is None:
        return Req(http["verb"], path, tuple(sorted(query)))
    if spec.get("whole_body"):
        body = evaluate(spec["whole_body"].split(" (")[0], names)
    else:
        body = {key: evaluate(expr, names) for key, expr in spec["keys"].items()}
        for key, text in spec["conditional_keys"].items():
            if _condition_holds(text, key, names):
                body[key] = names[key]
        if spec["attach_created_by"]:
            body = {"created_by": USER_ID, **body}
    first = "created_by" if spec["attach_created_by"] else None
    body = json.loads(json.dumps(body, default=_jsonable))
    return Req(http["verb"], path, tuple(sorted(query)), body, first)


def _jsonable(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def expected_requests(entry: Mapping[str, Any], case: Case, names: Mapping[str, Any]) -> list[Req]:
    """The case's requests, or those derived from the catalogue."""
    if case.requests is not None:
        return list(case.requests)
    http = entry["http"]
    if case.variant is not None:
        return [expected_request(entry, http[case.variant], names)]
    if len(http) != 1 or http[0].get("condition"):
        raise ValueError(f"{entry['name']}: several or conditional requests; the Case must say")
    return [expected_request(entry, http[0], names)]


def expected_return(entry: Mapping[str, Any], case: Case, response: Any) -> Any:
    """The expected return value: the case's, else the catalogue's expression evaluated."""
    if case.returns is not _MISSING:
        return case.returns
    return evaluate(entry["returns"], {"response": response, "None": None})


def recorded(request: Any) -> Req:
    """A respx-recorded ``httpx.Request`` in :class:`Req` form."""
    query = tuple(sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True)))
    body = json.loads(request.content) if request.content else _MISSING
    first = next(iter(body), None) if isinstance(body, dict) and body else None
    return Req(request.method, request.url.path, query, body, first)


def matches(actual: Req, expected: Req) -> bool:
    """Equal, with the first body key only compared when the expectation names it."""
    if expected.body_first_key is None:
        actual = attrs.evolve(actual, body_first_key=None)
    return actual == expected


def seed_pattern_key(pattern: str) -> str:
    """A concrete key matched by a Redis glob (``*`` -> ``seeded``, ``?`` -> ``0``)."""
    return pattern.replace("*", "seeded").replace("?", "0")


def via_deletions(entry: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Deletes declared through delegation (``update_service: delete:service-{service_id}``)."""
    keys: list[str] = []
    patterns: list[str] = []
    for text in entry["cache"].get("via_delegation") or []:
        _, _, effect = text.partition(": ")
        kind, _, key = effect.partition(":")
        if kind == "delete":
            keys.append(key)
        elif kind == "delete_by_pattern":
            patterns.append(key)
    return keys, patterns


Check = Callable[[Any], None]
