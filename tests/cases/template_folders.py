"""Cases for ``notify.template_folders``."""

from __future__ import annotations

from tests.harness import Case, Req, sample_uuid

_SERVICE = sample_uuid("service_id")
_FOLDERS = [
    {"id": "f1", "name": "Letters", "parent_id": None},
    {"id": "f2", "name": "Reminders", "parent_id": "f1"},
]
_LIST = {"list": list}  # the catalogue's body expressions call list()

CASES: dict[str, list[Case]] = {
    "create_template_folder": [
        Case(id="top-level"),
        Case(kwargs={"parent_id": sample_uuid("parent")}, id="in-parent"),
    ],
    "get_template_folder": [
        # The synthetic root folder: no request at all.
        Case(
            args=(_SERVICE, None),
            requests=[],
            returns={"id": None, "name": "Templates", "parent_id": None},
            id="root",
        ),
        Case(
            args=(_SERVICE, "f2"),
            requests=[Req("GET", f"/service/{_SERVICE}/template-folder")],
            response={"template_folders": _FOLDERS},
            returns=_FOLDERS[1],
            id="by-id",
        ),
    ],
    "move_to_folder": [
        Case(variant=0, names=_LIST, id="into-folder"),
        Case(args=(_SERVICE, None), variant=1, names=_LIST, id="to-top-level-none"),
        Case(args=(_SERVICE, ""), variant=1, names=_LIST, id="to-top-level-empty"),
    ],
    "update_template_folder": [
        Case(id="name-only"),
        Case(kwargs={"users_with_permission": [sample_uuid("u1")]}, id="with-users"),
        Case(kwargs={"users_with_permission": []}, id="empty-users-not-sent"),
    ],
}
