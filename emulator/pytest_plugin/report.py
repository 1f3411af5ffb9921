"""A failing test's report shows the emulator's journal: the last requests it saw."""

from __future__ import annotations

from typing import Protocol

import pytest

JOURNAL_IN_REPORT = 20  # the last requests a failing test's report shows


class ReportedHandle(Protocol):
    """What the failure report reads of the handle a test got (async or sync)."""

    @property
    def namespace(self) -> str | None: ...

    def recent_journal(self, limit: int = JOURNAL_IN_REPORT) -> list[dict]: ...


HANDLE = pytest.StashKey[ReportedHandle]()


def journal_lines(entries: list[dict]) -> list[str]:
    lines = []
    for entry in entries:
        fault = entry.get("fault")
        contract = entry.get("contract")
        query = "?" + entry["query"] if entry.get("query") else ""
        lines.append(
            f"#{entry['id']:<4} {entry['method']:<6} {entry['path']}{query}"
            f" -> {entry['status'] if entry['status'] is not None else 'dropped'}"
            f"  {entry.get('operation') or '-'}"
            f"{'  ' + str(entry['duration_ms']) + ' ms' if 'duration_ms' in entry else ''}"
            f"{'  fault ' + fault['id'] + ' (' + fault['kind'] + ')' if fault else ''}"
            f"{'  CONTRACT ' + contract['contract'] + ': ' + contract['violation'] if contract else ''}"
        )
    return lines


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
