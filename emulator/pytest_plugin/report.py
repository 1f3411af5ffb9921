"""A failing test's report shows the emulator's journal: the last requests it saw
(and, with --emulator-har-dir, the whole journal is written there as HAR)."""

from __future__ import annotations

import json
import re
from typing import Protocol

import pytest

from ..testing.excerpt import JOURNAL_IN_REPORT, journal_lines
from .options import har_dir


class ReportedHandle(Protocol):
    """What the failure report reads of the handle a test got (async or sync)."""

    @property
    def namespace(self) -> str | None: ...

    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]: ...

    def recent_har(self) -> dict: ...


HANDLE = pytest.StashKey[ReportedHandle]()


def register(request: pytest.FixtureRequest, handle: ReportedHandle) -> None:
    request.node.stash[HANDLE] = handle


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if not report.failed or report.when == "teardown":
        return
    handle = item.stash.get(HANDLE, None)
    if handle is None:
        return
    try:
        entries = handle.recent_journal(JOURNAL_IN_REPORT)
        where = f"namespace {handle.namespace}" if handle.namespace else "in-process"
        text = "\n".join(journal_lines(entries)) or "(no requests)"
        report.sections.append((f"emulator journal ({where}, last {JOURNAL_IN_REPORT})", text))
    except Exception as error:  # the report must never hide the real failure
        report.sections.append(("emulator journal", f"(could not read the journal: {error!r})"))
    directory = har_dir(item.config)
    if directory is not None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")[:200] + ".har")
            path.write_text(json.dumps(handle.recent_har(), indent=1), encoding="utf-8")
            report.sections.append(("emulator HAR", str(path)))
        except Exception as error:
            report.sections.append(("emulator HAR", f"(could not write it: {error!r})"))
