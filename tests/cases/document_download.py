"""Cases for ``notify.document_download`` (a different service: its base URL has no path, so
the catalogue's ``{base_url}`` prefix is empty in the recorded path)."""

from __future__ import annotations

from tests.harness import RESPONSE, Case

CASES: dict[str, list[Case]] = {
    "file_check_and_antivirus_scan": [
        Case(
            kwargs={"file_bytes": b"%PDF-1.7\n\x00\xff binary"},
            names={"base_url": ""},
            returns=RESPONSE,
            id="pdf",
        ),
    ],
}
