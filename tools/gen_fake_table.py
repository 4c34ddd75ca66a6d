"""Write docs/fake-api.md: which SDK methods the fake Notify API serves.

    python tools/gen_fake_table.py           # rewrite the page
    python tools/gen_fake_table.py --check   # exit 1 when the page is out of date

A method is served when the fake implements the route of every request it sends that the real
API answers (the requests come from the catalogue, tests/catalogue/endpoints.json);
``tests/test_fake_table.py`` fails when the page is not what this script writes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "fake-api.md"
CATALOGUE = ROOT / "tests" / "catalogue" / "endpoints.json"
_NAME = re.compile(r"\{\w+\}")


def _template(path: str) -> str:
    """A path template without its query, with a leading slash and ``{}`` for every name."""
    return _NAME.sub("{}", "/" + path.split("?", 1)[0].lstrip("/"))


def render() -> str:
    """The page's Markdown."""
    sys.path.insert(0, str(ROOT))
    from notify_async import NotifyAdminClient
    from notify_async.testing import FakeNotifyAPI
    from tests.harness import ATTRIBUTES

    served = {(method, _template(template)) for method, template in FakeNotifyAPI().routes}
    catalogue = json.loads(CATALOGUE.read_text())
    # Requests no notifications-api route answers (another service's, or a 405) don't count.
    elsewhere = {(u["client"], u["method"], u["verb"], u["path"])
                 for u in catalogue["unmatched_routes"]}
    notify = NotifyAdminClient("http://fake.invalid", "id", "x" * 32)
    rows: list[str] = []
    total = count = 0
    for client in sorted(catalogue["clients"], key=lambda c: ATTRIBUTES[c["class"]]):
        attribute = ATTRIBUTES[client["class"]]
        supported: set[str] = set()
        for method in sorted(client["methods"], key=lambda m: m["name"]):
            requests = [h for h in method["http"] if (client["class"], method["name"],
                                                       h["verb"], h["path"]) not in elsewhere]
            if not requests:
                continue
            total += 1
            routes = sorted({f"{h['verb']} {'/' + h['path'].split('?')[0].lstrip('/')}"
                             for h in requests})
            if all((h["verb"], _template(h["path"])) in served for h in requests):
                count += 1
                supported.add(method["name"])
                rows.append(f"| `{attribute}.{method['name']}` | "
                            + "<br>".join(f"`{r}`" for r in routes) + " |")
        twins = sorted(name for name in dir(getattr(notify, attribute))
                       if name.startswith("iter_") and f"get_{name[5:]}" in supported)
        rows.extend(f"| `{attribute}.{name}` | the pages of `get_{name[5:]}` |" for name in twins)
    lines = [
        "# What the fake API serves",
        "",
        "<!-- Written by tools/gen_fake_table.py; tests/test_fake_table.py fails when it is out",
        "     of date. Do not edit by hand. -->",
        "",
        f"`FakeNotifyAPI` serves {count} of the {total} SDK methods that call the Notify API, "
        f"on {len(served)} routes. Any other request is answered `501 Not Implemented` with "
        "the method and path, never a silent success; `FakeNotifyAPI().routes` lists the "
        "routes. Every route is checked against the real API's recorded answers "
        "(`tests/test_fake_real_samples.py`). See [Testing with the fake](testing.md).",
        "",
        "| method | requests |",
        "|---|---|",
        *rows,
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if argv[1:] == ["--check"]:
        if PAGE.read_text() != text:
            print(f"{PAGE.relative_to(ROOT)} is out of date: python tools/gen_fake_table.py")
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
