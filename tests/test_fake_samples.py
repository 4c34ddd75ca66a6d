"""The fake answers like the real API: each recorded request of ``fake_samples/`` (copies of the
spec's real server responses) is replayed against the fake, with the sample's ids swapped for the
fake's, and must get the same status and a response of the same shape (the same keys, nested
the same way). Error bodies must match exactly."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from notify_async import request_context
from tests.fake_support import World, make_world

SAMPLES = Path(__file__).parent / "fake_samples"
SAMPLE_SERVICE = "3c28b8ee-ac05-4fb9-b4b6-5a14d74d0a1b"
SAMPLE_USER = "54e7d326-7ca0-447f-93b7-8c981493a4eb"
SAMPLE_TEMPLATE = "5a83e703-c3e5-4667-b53f-89f48c0ad9f4"
SAMPLE_NOTIFICATION = "aa91a335-d0d9-4a54-9366-0df1d9cb664d"
SAMPLE_KEY = "3543b2db-11a0-4a0e-98ba-59bf1b7fa9c7"
SAMPLE_EMAIL = "sample.811207@example.gov.uk"
#: Samples whose whole response body must be reproduced, not just its shape.
EXACT = {"error_400_user_create", "error_403_expired_iat", "error_403_wrong_secret",
         "error_404_service"}


def shape_problems(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Where ``ours`` is not shaped like ``theirs``: the same keys in every object, lists of
    like items, scalars where scalars are. An empty object or list, or a null, in the sample
    says nothing about the shape, so anything of the kind matches it."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{where or '.'}: expected an object"]
        if not theirs:
            return []
        if set(ours) != set(theirs):
            return [f"{where or '.'}: keys differ: {sorted(set(ours) ^ set(theirs))}"]
        return [p for key in theirs for p in shape_problems(ours[key], theirs[key],
                                                            f"{where}.{key}")]
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{where}: expected a list"]
        return shape_problems(ours[0], theirs[0], f"{where}[0]") if ours and theirs else []
    if theirs is not None and isinstance(ours, dict | list):
        return [f"{where}: expected a scalar"]
    return []


async def populated_world() -> tuple[World, dict[str, str]]:
    """A world with a template updated once, an API key and a sent notification; returns it
    and the replacements that turn the samples' ids (and e-mail address) into its own."""
    world = make_world()
    key, _ = world.fake.add_api_key(world.service_id, "sample key")
    with request_context(user_id=world.user_id):
        await world.notify.services.update_service_template(
            world.service_id, world.template_id, content="Hello again ((name))"
        )
    sent = world.fake.add_notification(world.service_id, world.template_id,
                                       world.user["email_address"], {"name": "Sam"})
    return world, {
        SAMPLE_SERVICE: world.service_id,
        SAMPLE_USER: world.user_id,
        SAMPLE_TEMPLATE: world.template_id,
        SAMPLE_NOTIFICATION: sent["id"],
        SAMPLE_KEY: key["id"],
        SAMPLE_EMAIL: world.user["email_address"],
    }


def token(world: World, *, iat_offset: int = 0, secret: str | None = None) -> str:
    claims = {"iss": world.fake.client_id, "iat": int(time.time()) + iat_offset}
    return jwt.encode(claims, secret or world.fake.secret, algorithm="HS256")


def sample_names() -> list[str]:
    return sorted(path.stem for path in SAMPLES.glob("*.json"))


@pytest.mark.parametrize("name", sample_names())
async def test_the_fake_answers_like_the_recorded_real_api(name: str) -> None:
    world, ids = await populated_world()
    if name == "user_create":
        ids[SAMPLE_EMAIL] = "someone.new@example.gov.uk"  # the world's user already has ours
    text = (SAMPLES / f"{name}.json").read_text()
    for sample_id, ours in ids.items():
        text = text.replace(sample_id, ours)
    sample = json.loads(text)
    request = sample["request"]
    auth = token(world)
    if name == "error_403_expired_iat":
        auth = token(world, iat_offset=-60)
    elif name == "error_403_wrong_secret":
        auth = token(world, secret="a-different-secret-that-is-long-enough-too")
    elif name == "error_404_service":
        request["path"] = f"/service/{uuid.uuid4()}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.fake),
                                 base_url="http://fake") as http:
        answer = await http.request(
            request["verb"], request["path"], params=request["params"],
            headers={"Authorization": f"Bearer {auth}"},
            content=None if request["body"] is None else json.dumps(request["body"]),
        )
    assert answer.status_code == sample["status"], answer.text
    if name in EXACT:
        assert answer.json() == sample["response"]
    else:
        assert shape_problems(answer.json(), sample["response"]) == []
