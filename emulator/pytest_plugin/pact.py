"""Pact from a test suite (docs/pact.md):

``--emulator-pact-dir DIR`` writes one Pact V4 file per session, ``DIR/<consumer>-<provider>.json``,
from the traffic the tests sent their in-process emulators (one interaction per operation,
status and provider state, as ``GET /__emulator/pact`` exports a namespace's journal).

``emulator_pact_verify(paths)`` verifies pact files against a fresh emulator, as
``emulator pact verify`` does, and fails the test with Pact's report on any mismatch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .report import HANDLE

PACT_INTERACTIONS = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item):
    """Before the emulator fixture closes: this test's exchanges into the session's pact."""
    config = item.config
    handle: Any = item.stash.get(HANDLE, None)
    if config.getoption("emulator_pact_dir") and handle is not None and getattr(handle, "app", None) is not None:
        from ..control.pact.export import export_pact
        from ..control.pact.states import runtime

        state = handle.state
        namespace = state.namespaces.get(handle.namespace or "default")
        if namespace is not None:
            document = export_pact(
                list(namespace.journal.entries), runtime(namespace).markers, state.apis, consumer="-", provider="-"
            )
            collected = config.stash.setdefault(PACT_INTERACTIONS, {})
            for interaction in document["interactions"]:
                collected.setdefault(interaction["description"], interaction)
    yield


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    directory = config.getoption("emulator_pact_dir")
    collected = config.stash.get(PACT_INTERACTIONS, None)
    if not directory or collected is None:
        return
    from ..control.pact.export import export_pact

    consumer = config.getoption("emulator_pact_consumer") or Path(str(config.rootpath)).name
    provider = config.getoption("emulator_pact_provider")
    document = export_pact([], [], {}, consumer=consumer, provider=provider)
    document["interactions"] = list(collected.values())
    write_pact(Path(directory), document)


def write_pact(directory: Path, document: dict) -> Path:
    import json

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{document['consumer']['name']}-{document['provider']['name']}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def emulator_pact_verify():
    """``result = emulator_pact_verify("pacts/")``: the pacts verified against a fresh emulator
    (``scenarios=``, ``provider=``, ``keep_credentials=`` as the command's options); fails the
    test with Pact's report unless ``check=False``."""
    from ..pact.verify import verify_pacts

    def verify(*paths: str | Path, check: bool = True, **options):
        result = verify_pacts(paths, **options)
        if check and not result.passed:
            pytest.fail(f"Pact verification failed:\n{result.output}", pytrace=False)
        return result

    return verify
