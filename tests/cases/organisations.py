"""Cases for ``notify.organisations``."""

from __future__ import annotations

from typing import Any

from notify_async.clients.organisations import default_next_steps_body
from tests.cases._answers import a_data_list, a_list, no_content
from tests.harness import RESPONSE, Case, Req, sample_uuid, sample_value

_ORG = sample_uuid("org_id")
_ORGANISATIONS = [
    {"id": "o1", "name": "One", "domains": ["one.gov.uk", "one.org.uk"]},
    {"id": "o2", "name": "Two", "domains": []},
    {"id": "o3", "name": "Three", "domains": ["three.gov.uk"]},
]


def _rendered(_template: str, **flags: Any) -> str:
    """Stands in for the original's ``render_template``: the SDK's default renderer."""
    return default_next_steps_body(
        service_id=sample_value("service_id"), service_name=sample_value("service_name"), **flags
    )


CASES: dict[str, list[Case]] = {
    "get_organisations": [a_list()],
    "get_organisation_services": [a_list()],
    "get_email_branding_pool": [a_data_list()],
    "get_letter_branding_pool": [a_data_list()],
    "add_brandings_to_email_branding_pool": [no_content()],
    "add_brandings_to_letter_branding_pool": [no_content()],
    "update_service_organisation": [no_content()],
    "remove_user_from_organisation": [no_content()],
    "archive_organisation": [no_content()],
    "get_domains": [
        Case(
            response=[_ORGANISATIONS],  # a list is one answer per request
            returns=["one.gov.uk", "one.org.uk", "three.gov.uk"],
            id="flattened-in-order",
        )
    ],
    "get_organisation_by_domain": [
        Case(returns=RESPONSE, id="found"),
        # Fixed: the domain is one encoded query parameter, not text pasted into the URL.
        Case(
            args=("a&b=c d.gov.uk",),
            requests=[
                Req("GET", "/organisations/by-domain", query=(("domain", "a&b=c d.gov.uk"),))
            ],
            returns=RESPONSE,
            id="domain-encoded",
        ),
        Case(status=404, response={"message": "No result found"}, returns=None, id="404-none"),
    ],
    "search": [
        Case(id="plain"),
        # Fixed: the name is one encoded query parameter, not text pasted into the URL.
        Case(
            args=("Dept & Co #1",),
            requests=[Req("GET", "/organisations/search", query=(("name", "Dept & Co #1"),))],
            id="name-encoded",
        ),
    ],
    "update_organisation": [
        Case(status=204, id="no-fields"),
        Case(
            args=(_ORG, [sample_uuid("s1")]),
            kwargs={"name": "New name", "crown": False, "domains": ["new.gov.uk"]},
            status=204,
            id="fields-as-body",
        ),
    ],
    "notify_org_member_about_next_steps_of_go_live_request": [
        Case(
            kwargs={"check_if_unique": flags[0], "unclear_service_name": flags[1]},
            names={"render_template": _rendered},
            id=f"unique-{flags[0]}-unclear-{flags[1]}",
        )
        for flags in [(True, False), (False, True), (True, True), (False, False)]
    ],
}
