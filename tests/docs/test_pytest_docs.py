"""Every example in docs/pytest.md (and the README's pytest example) runs: the marked blocks become the files of a
small project (``pytest-ini`` its pytest.ini, ``pytest-file PATH`` data files,
``pytest NAME`` test modules), run in-process, with ``-n 2``, and against an
external emulator (`python -m emulator`) with ``--emulator-url``."""

import re
import sys
from pathlib import Path

import pytest

from tests.support.docker import free_port
from tests.support.processes import Server

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "docs" / "pytest.md", ROOT / "README.md"]
BLOCK = re.compile(r"<!-- example: (pytest(?:-ini|-file)?)\s*([^>]*?)\s*-->\s*```[a-z]*\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str, str]]:
    return [found for document in DOCUMENTS for found in BLOCK.findall(document.read_text(encoding="utf-8"))]


def count_tests(files: dict[str, str]) -> int:
    return sum(
        len(re.findall(r"^(?:async )?def test_", text, re.M)) for name, text in files.items() if name.endswith(".py")
    )


@pytest.fixture
def project(pytester):
    files: dict[str, str] = {}
    for kind, argument, body in blocks():
        name = "pytest.ini" if kind == "pytest-ini" else argument
        assert name and name not in files, (kind, argument)
        files[name] = body
    assert "pytest.ini" in files and count_tests(files) >= 8
    for name, body in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return pytester, count_tests(files)


def test_the_documented_blocks_are_all_examples():
    kinds = [kind for kind, _, _ in blocks()]
    assert kinds.count("pytest-ini") == 1 and kinds.count("pytest") >= 3


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "two-workers"])
def test_docs_examples_in_process(project, workers):
    pytester, total = project
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *workers)
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes()["passed"] == total


def test_docs_examples_against_an_external_emulator(project):
    pytester, total = project
    port = free_port()
    server = Server([sys.executable, "-m", "emulator", "--port", str(port), "--quiet"], port)
    try:
        server.wait_for(lambda line: "listening on" in line)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--emulator-url", server.url)
        assert result.ret == 0, result.stdout.str()
        assert result.parseoutcomes()["passed"] == total
        assert server.health()["namespaces"] == 1  # every test's namespace is gone
    finally:
        server.stop()
