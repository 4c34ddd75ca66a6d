"""Cases for ``notify.inbound_numbers``."""

from __future__ import annotations

from tests.harness import Case, sample_uuid

CASES: dict[str, list[Case]] = {
    "add_inbound_number_to_service": [
        Case(id="server-picks-number"),
        Case(kwargs={"inbound_number_id": sample_uuid("inbound")}, id="given-number"),
        Case(kwargs={"inbound_number_id": ""}, id="empty-id-means-any"),
    ],
}
