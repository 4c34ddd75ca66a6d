"""Per-client test cases for the catalogue-driven tests (see tests/harness.py).

Each module is named after a facade attribute and defines ``CASES: dict[str, list[Case]]``.
A catalogue method without an entry gets one automatic case derived from the catalogue.
"""
