"""What is published: the wheel and sdist carry the LICENSE, the metadata has classifiers,
project URLs and authors, the version has one source, and no development tool is an extra."""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from pathlib import Path

import pytest

import notify_async

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: Distributions a published extra must never pull in: they are for developing the SDK.
DEV_TOOLS = {"pytest", "pytest-asyncio", "respx", "ruff", "mypy", "nox", "ipykernel", "nbclient",
             "nbformat", "mkdocs", "mkdocs-material", "mkdocstrings", "hatchling", "matplotlib"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel, built from the work tree by hatchling (no network, no isolation)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-d", str(out)], cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def metadata(dist: Path) -> Message:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(name))


def test_the_wheel_carries_the_license(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        licenses = [n for n in archive.namelist() if n.endswith("/licenses/LICENSE")]
        assert licenses
        assert archive.read(licenses[0]) == (ROOT / "LICENSE").read_bytes()


def test_the_sdist_carries_the_license(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())


def test_the_license_file_is_mit_as_the_metadata_says(metadata: Message) -> None:
    assert metadata["License-Expression"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_the_metadata_has_classifiers_urls_and_authors(metadata: Message) -> None:
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Source", "Changelog", "Issues"} <= set(urls)
    assert metadata["Author"]


def test_the_version_has_one_source(metadata: Message) -> None:
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert metadata["Version"] == notify_async.__version__


def test_no_development_tool_is_a_published_extra(metadata: Message) -> None:
    assert set(metadata.get_all("Provides-Extra") or []) == {"redis", "testing", "otel"}
    required = {
        re.split(r"[\s\[<>=;!~]", requirement, maxsplit=1)[0].lower()
        for requirement in metadata.get_all("Requires-Dist") or []
    }
    assert required.isdisjoint(DEV_TOOLS)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    command = next(line for line in readme.splitlines() if line.endswith("-m pytest"))
    assert "requirements/dev.txt" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_ci_builds_the_docs_strictly_after_the_tests() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    tests = next(i for i, line in enumerate(lines) if line.endswith("-m pytest"))
    docs = next(i for i, line in enumerate(lines) if "mkdocs build" in line)
    assert docs > tests
    assert "--strict" in lines[docs]
