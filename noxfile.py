"""nox sessions: tests, lint (ruff), typecheck (mypy --strict), docs (mkdocs --strict).

The tools come from ``requirements/*.txt``, not from a published extra of the package.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]

PACKAGE = ".[redis,testing]"


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Run the test suite (needs redis-server on PATH for the Redis tests)."""
    session.install("-e", PACKAGE, "-r", "requirements/test.txt")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff over the package, tests, examples and benchmarks."""
    session.install("-r", "requirements/lint.txt")
    session.run("ruff", "check", "notify_async", "tests", "examples", "benchmarks")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    session.install("-e", PACKAGE, "-r", "requirements/lint.txt")
    session.run("mypy", "notify_async")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ (warnings are errors). ``nox -s docs -- serve``
    serves it with live reload instead."""
    session.install("-e", PACKAGE, "-r", "requirements/docs.txt")
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", "--site-dir", "site", *session.posargs)
