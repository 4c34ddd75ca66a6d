"""Behaviour of ``notify.email_branding``, ``notify.letter_branding`` and
``notify.template_folders`` beyond the catalogue checks: canonical paths instead of redirects,
pattern invalidation of every organisation's pool, the synthetic root folder, folder lookup, and
the manual deletes of ``move_to_folder``."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from notify_async import NotifyAdminClient
from notify_async.errors import HTTPError, NotFoundError
from tests.client_events import Timeline
from tests.harness import BASE_URL, sample_uuid

SERVICE_ID = sample_uuid("service_id")
BRANDING_ID = sample_uuid("branding_id")
FOLDERS = [
    {"id": "f1", "name": "Letters", "parent_id": None},
    {"id": "f2", "name": "Reminders", "parent_id": "f1"},
]


# --- canonical paths instead of the original's 308 redirects ---------------------------------


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        (
            lambda n: n.email_branding.get_email_branding_name_for_alt_text("Dept logo"),
            "/email-branding/get-name-for-alt-text",
            {"alt_text": "Dept logo"},
        ),
        (
            lambda n: n.letter_branding.get_unique_name_for_letter_branding("HM Dept"),
            "/letter-branding/get-unique-name",
            {"name": "HM Dept"},
        ),
    ],
)
async def test_branding_names_are_not_fetched_through_a_redirect(
    notify: NotifyAdminClient, call: Any, path: str, body: dict[str, str]
) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.post(BASE_URL + path).mock(
            return_value=httpx.Response(308, headers={"Location": path + "/"})
        )
        router.post(BASE_URL + path + "/").mock(
            return_value=httpx.Response(200, json={"name": "Dept (2)"})
        )
        assert await call(notify) == "Dept (2)"
        assert [c.request.url.path for c in router.calls] == [path + "/"]
        assert json.loads(router.calls.last.request.content) == body


# --- branding changes clear every organisation's pool of that kind ----------------------------


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("email", lambda n: n.email_branding.archive_email_branding(BRANDING_ID)),
        (
            "email",
            lambda n: n.email_branding.update_email_branding(
                branding_id=BRANDING_ID, logo="l.png", name="n", alt_text="", text=None,
                colour=None, brand_type="org", updated_by_id=sample_uuid("u"),
            ),
        ),
        (
            "letter",
            lambda n: n.letter_branding.update_letter_branding(
                branding_id=BRANDING_ID, filename="f.svg", name="n", updated_by_id="u"
            ),
        ),
    ],
)
async def test_branding_change_clears_every_organisations_pool(kind: str, change: Any) -> None:
    timeline = Timeline()
    other = "letter" if kind == "email" else "email"
    stale = [f"organisation-{o}-{kind}-branding-pool" for o in ("o1", "o2")]
    stale += [f"{kind}_branding", f"{kind}_branding-{BRANDING_ID}"]
    kept = [f"organisation-o1-{other}-branding-pool", f"{kind}_branding-{sample_uuid('x')}"]
    for key in stale + kept:
        await timeline.cache.set(key, b'"cached"', 600)
    with timeline.router:
        await change(timeline.notify)
    assert [await timeline.cache.get(k) for k in stale] == [None] * len(stale)
    assert [await timeline.cache.get(k) for k in kept] == [b'"cached"'] * len(kept)
    # Outermost first, then the reverse after the request (the original's decorator stacking).
    keys = (f"{kind}_branding", f"{kind}_branding-{BRANDING_ID}")
    pattern = (f"organisation-*-{kind}-branding-pool",)
    assert [e[1:] for e in timeline.events if e[0] == "delete"] == [
        (keys, ()), ((), pattern), ((), pattern), (keys, ()),
    ]


async def test_update_email_branding_keeps_an_empty_alt_text_but_create_nulls_it(
    notify: NotifyAdminClient,
) -> None:
    common: dict[str, Any] = {"logo": "", "name": "n", "alt_text": "", "text": "",
                              "colour": "", "brand_type": "org"}
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(return_value=httpx.Response(200, json={"data": {}}))
        await notify.email_branding.create_email_branding(**common, created_by_id="u1")
        await notify.email_branding.update_email_branding(
            branding_id=BRANDING_ID, **common, updated_by_id="u1"
        )
        created, updated = (json.loads(c.request.content) for c in router.calls)
    assert (created["alt_text"], created["logo"]) == (None, None)
    assert (updated["alt_text"], updated["logo"]) == ("", None)


# --- template folders -------------------------------------------------------------------------


async def test_root_folder_is_synthetic_and_fresh_each_time(notify: NotifyAdminClient) -> None:
    with respx.mock(assert_all_called=False) as router:
        root = await notify.template_folders.get_template_folder(SERVICE_ID, None)
        root["name"] = "changed by the caller"
        again = await notify.template_folders.get_template_folder(SERVICE_ID, None)
        assert not router.calls
    assert again == {"id": None, "name": "Templates", "parent_id": None}


async def test_get_template_folder_reads_the_cached_folders() -> None:
    timeline = Timeline(answer={"template_folders": FOLDERS})
    with timeline.router:
        assert await timeline.notify.template_folders.get_template_folder(SERVICE_ID, "f1")
        second = await timeline.notify.template_folders.get_template_folder(SERVICE_ID, "f2")
    assert second == FOLDERS[1]
    assert len(timeline.requests()) == 1


async def test_get_template_folder_raises_not_found_for_an_unknown_folder(
    notify: NotifyAdminClient,
) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(return_value=httpx.Response(200, json={"template_folders": FOLDERS}))
        with pytest.raises(NotFoundError) as caught:
            await notify.template_folders.get_template_folder(SERVICE_ID, "missing")
    assert isinstance(caught.value, HTTPError)
    assert caught.value.status_code == 404
    assert "missing" not in str(caught.value)


def _version_key(template_id: str) -> str:
    return f"service-{SERVICE_ID}-template-{template_id}-version-None"


@pytest.mark.parametrize(
    ("folder_id", "path"),
    [
        ("f1", f"/service/{SERVICE_ID}/template-folder/f1/contents"),
        (None, f"/service/{SERVICE_ID}/template-folder/contents"),
    ],
)
async def test_move_to_folder_deletes_moved_templates_latest_versions_after_the_post(
    folder_id: str | None, path: str
) -> None:
    timeline = Timeline()
    upper = sample_uuid("t1").upper()
    await timeline.cache.set(_version_key(upper), b'"cached"', 600)
    await timeline.cache.set(_version_key("t-other"), b'"kept"', 600)
    moved = (t for t in [upper, "t2"])  # any iterable, even a one-shot generator
    with timeline.router:
        await timeline.notify.template_folders.move_to_folder(SERVICE_ID, folder_id, moved, ["f9"])
    folder_keys = (f"service-{SERVICE_ID}-template-folders", f"service-{SERVICE_ID}-templates")
    assert timeline.events == [
        ("delete", folder_keys, ()),
        ("POST", path, {"templates": [upper, "t2"], "folders": ["f9"]}),
        ("delete", (_version_key(upper), _version_key("t2")), ()),  # ids as given
        ("delete", folder_keys, ()),
    ]
    assert await timeline.cache.get(_version_key(upper)) is None
    assert await timeline.cache.get(_version_key("t-other")) == b'"kept"'


async def test_move_only_folders_makes_no_template_deletes() -> None:
    timeline = Timeline()
    with timeline.router:
        await timeline.notify.template_folders.move_to_folder(SERVICE_ID, "f1", [], ["f2"])
    assert [e[0] for e in timeline.events] == ["delete", "POST", "delete"]


async def test_failed_move_keeps_the_cached_template_versions() -> None:
    timeline = Timeline(status=400, answer={"message": "cannot move"})
    await timeline.cache.set(_version_key("t1"), b'"cached"', 600)
    with timeline.router, pytest.raises(HTTPError):
        await timeline.notify.template_folders.move_to_folder(SERVICE_ID, "f1", ["t1"], [])
    assert await timeline.cache.get(_version_key("t1")) == b'"cached"'
