"""A journal excerpt as lines a person reads: the failure report, a wait that timed out."""

from __future__ import annotations

JOURNAL_IN_REPORT = 20  # the last requests a failing test's report shows


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
