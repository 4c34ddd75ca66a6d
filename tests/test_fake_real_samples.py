"""The fake answers like the real notifications-api, route by route.

``tests/real_samples/`` holds the answers of a real notifications-api to the SDK's requests (a
copy of the spec's ``samples/real/``). For every route the fake implements, each recorded
request of that route is replayed against a fake holding the same kind of data (a user, a second
user, a service, an e-mail, an SMS and a letter template, an API key, a sent notification and a
job), with the recording's placeholders (``<service-1>``...) swapped for the fake's ids. The fake
must answer with the recorded status and a body with the same keys, nested the same way, holding
values of the same JSON types (string, number, boolean, null, object, list).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from notify_async.testing import FakeNotifyAPI

SAMPLES = Path(__file__).parent / "real_samples"
PASSWORD = "a long passphrase for the sample user"
_PLACEHOLDER = re.compile(r"<([a-z]+(?:-[a-z]+)*)-(\d+)>")
_NAME = re.compile(r"\{\w+\}")
#: An object key that is an id (a user's ``permissions`` are keyed by service id).
_ID_KEY = re.compile(r"^(<[a-z-]+-\d+>|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$")

#: Routes of the fake that the recording has no answer for, and why.
NO_SAMPLE = {
    ("POST", "/service/{service_id}/job"):
        "the recording's create_job got a 500: the real view reads the CSV from S3",
}
#: Placeholders that named nothing that existed when the real API answered (so the fake must
#: not find them either), per recorded method.
ABSENT = {
    "jobs.get_job": {"<job-1>"},  # the recording's create_job failed, so job-1 never existed
}
#: The address the recording registered user-1 with is the world's user-1's: register anew.
REGISTERS = {"users.register_user": {"user-1@example.gov.uk": "someone.new@example.gov.uk"}}


def template_of(path: str) -> str:
    """A path template with its query dropped, a leading slash and ``{}`` for every name."""
    return _NAME.sub("{}", "/" + path.split("?", 1)[0].lstrip("/"))


def recorded() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(SAMPLES.glob("[!_]*.json")):
        found.extend(json.loads(path.read_text()))
    return found


def pairs() -> Iterator[Any]:
    entries = recorded()
    for method, template in FakeNotifyAPI().routes:
        for entry in entries:
            request = entry["request"]
            if request["verb"] == method and template_of(request["path_template"]) == \
                    template_of(template):
                variant = f"[{entry['variant']}]" if entry.get("variant") else ""
                yield pytest.param(entry, id=f"{method} {template} {entry['method']}{variant} "
                                             f"{entry['status']}")


PAIRS = list(pairs())


async def world() -> tuple[FakeNotifyAPI, dict[str, str]]:
    """A fake holding what the recording had made, and the placeholder -> value map."""
    fake = FakeNotifyAPI()
    user = fake.add_user("World One", "user-1@example.gov.uk", mobile_number="+447700900001",
                         password=PASSWORD, auth_type="sms_auth")
    other = fake.add_user("World Two", "user-2@example.gov.uk", mobile_number="+447700900002")
    service = fake.add_service(user["id"], "World service")
    email = fake.add_template(service["id"], "World e-mail", content="Hello ((name))")
    sms = fake.add_template(service["id"], "World SMS", template_type="sms",
                            content="Hi ((name))")
    letter = fake.add_template(service["id"], "World letter", template_type="letter",
                               content="Dear ((name))", subject="Letter subject")
    key, _ = fake.add_api_key(service["id"], "World key")
    sent = fake.add_notification(service["id"], email["id"], "user-1@example.gov.uk",
                                 {"name": "Sample"})
    job_id = str(uuid.uuid4())
    fake.stage_upload(service["id"], job_id, template_id=email["id"])
    await send(fake, "POST", f"/service/{service['id']}/job",
               json={"id": job_id, "created_by": user["id"]})
    return fake, {
        "<user-1>": user["id"],
        "<user-2>": other["id"],
        "<service-1>": service["id"],
        "<template-1>": email["id"],
        "<template-2>": sms["id"],
        "<template-3>": letter["id"],
        "<api-key-1>": key["id"],
        "<notification-1>": sent["id"],
        "<job-1>": job_id,
        "<password>": PASSWORD,
        "<date>": dt.datetime.now(dt.UTC).date().isoformat(),
    }


async def send(fake: FakeNotifyAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    token = jwt.encode({"iss": fake.client_id, "iat": int(time.time())}, fake.secret,
                       algorithm="HS256")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake),
                                 base_url="http://fake") as http:
        return await http.request(method, path, headers={"Authorization": f"Bearer {token}"},
                                  **kwargs)


def swap(value: Any, ids: dict[str, str]) -> Any:
    """``value`` (JSON) with every placeholder replaced; unknown ids become fresh UUIDs."""
    text = json.dumps(value)
    for old, new in ids.items():
        text = text.replace(old, new)

    def fresh(match: re.Match[str]) -> str:
        return ids.setdefault(match.group(0), str(uuid.uuid4()))

    return json.loads(_PLACEHOLDER.sub(fresh, text))


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "list", dict: "object"}[type(value)]


def differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Where ``ours`` differs from ``theirs`` in keys, nesting or JSON types.

    A null on either side only says the value may be null: what a key holds then depends on
    the data (a template without a reply-to address), not on the shape. Keys that are ids (a
    user's ``permissions`` by service id) are data too: their values are compared, not the
    ids. Every item of a list is compared with the recorded item at its place (the last one
    past the end). A whole answer of null is compared like any other value."""
    if (ours is None or theirs is None) and where:
        return []
    if kind(ours) != kind(theirs):
        return [f"{where or '.'}: {kind(ours)}, the real API sent {kind(theirs)}"]
    if isinstance(theirs, dict):
        theirs = {k: v for k, v in theirs.items() if k != "_truncated_items"}
        named = {k for k in theirs if not _ID_KEY.match(k)}
        if {k for k in ours if not _ID_KEY.match(k)} != named:
            extra = sorted({k for k in ours if not _ID_KEY.match(k)} - named)
            missing = sorted(named - set(ours))
            return [f"{where or '.'}: keys not sent by the real API {extra}, missing {missing}"]
        found = [d for key in named for d in differences(ours[key], theirs[key], f"{where}.{key}")]
        by_id = [v for k, v in theirs.items() if _ID_KEY.match(k)]
        return found + [
            d for k, v in ours.items() if _ID_KEY.match(k) and by_id
            for d in differences(v, by_id[0], f"{where}.<id>")
        ]
    if isinstance(theirs, list) and theirs:
        return [d for i, item in enumerate(ours)
                for d in differences(item, theirs[min(i, len(theirs) - 1)], f"{where}[{i}]")]
    return []


def test_every_route_of_the_fake_has_a_recorded_answer() -> None:
    covered = {(p.values[0]["request"]["verb"], template_of(p.values[0]["request"]
                                                             ["path_template"])) for p in PAIRS}
    unrecorded = [
        (method, template) for method, template in FakeNotifyAPI().routes
        if (method, template_of(template)) not in covered and (method, template) not in NO_SAMPLE
    ]
    assert unrecorded == []


@pytest.mark.parametrize("entry", PAIRS)
async def test_the_fake_answers_like_the_real_api(entry: dict[str, Any]) -> None:
    fake, ids = await world()
    ids = {**REGISTERS.get(entry["method"], {}), **ids}
    for absent in ABSENT.get(entry["method"], ()):
        ids[absent] = str(uuid.uuid4())
    request = swap(entry["request"], ids)
    answer = await send(fake, request["verb"], request["path"], params=request["query"],
                        json=request["json"])
    assert answer.status_code == entry["status"], answer.text
    ours = answer.json() if answer.content else ""
    assert differences(ours, entry["response"]) == []
