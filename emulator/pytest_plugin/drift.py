"""``emulator_compare``: contract drift (docs/drift.md) inside a test suite. A
cassette recorded against the real system is replayed against the test's own
emulator, in a namespace of its own, and compared answer by answer, as
``emulator compare`` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..drift.compare import compare_cassette
from ..drift.report import Report
from ..drift.rules import Rules
from ..testing.handle import EmulatorHandle
from .options import control_token


@pytest.fixture
def emulator_compare(request: pytest.FixtureRequest, emulator: EmulatorHandle):
    """``report = await emulator_compare("cassettes/sandbox.jsonl")``: fails the test
    with the parity report on drift (``check=False`` returns it instead);
    ``rules=`` takes a rules file or a ``Rules``."""

    async def compare(cassette: str | Path, *, rules: Rules | str | Path | None = None, check: bool = True) -> Report:
        if rules is not None and not isinstance(rules, Rules):
            rules = Rules.load(Path(rules))
        report = await compare_cassette(
            cassette,
            rules=rules,
            emulator_url=emulator.url,
            control_token=control_token(request.config),
            credentials=emulator.credentials,
        )
        if check:
            report.assert_no_drift()
        return report

    return compare
