"""The parity report: per operation code and version, how many recorded
exchanges the emulator matched and the first difference of those it did not;
then per API version. Text for people, JSON for tools, JUnit XML for CI."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.etree import ElementTree

from .replay import ExchangeResult


@dataclass
class Row:
    api: str
    operation: str
    version: str
    matched: int = 0
    differing: int = 0
    first: str | None = None  # "#seq METHOD path: difference"

    def to_json(self) -> dict:
        return {
            "api": self.api,
            "operation": self.operation,
            "version": self.version,
            "matched": self.matched,
            "differing": self.differing,
            "first_difference": self.first,
        }


@dataclass
class Report:
    cassette: str
    target: str
    results: list[ExchangeResult] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # recorded id -> the emulator's, as learnt
    conflicts: list = field(default_factory=list)  # replay.Conflict: pairings refused, the first one kept

    @property
    def drift(self) -> bool:
        return any(not result.matched for result in self.results)

    @property
    def differing(self) -> int:
        return sum(1 for result in self.results if not result.matched)

    def rows(self) -> list[Row]:
        rows: dict[tuple[str, str, str], Row] = {}
        for result in self.results:
            exchange = result.exchange
            key = (exchange.api or "-", exchange.operation or "(no operation)", exchange.version or "-")
            row = rows.setdefault(key, Row(*key))
            if result.matched:
                row.matched += 1
            else:
                row.differing += 1
                if row.first is None:
                    row.first = (
                        f"#{exchange.seq} {exchange.request.method} {exchange.request.path}: {result.differences[0]}"
                    )
        return list(rows.values())

    def versions(self) -> list[tuple[str, str, int, int]]:
        totals: dict[tuple[str, str], list[int]] = {}
        for row in self.rows():
            total = totals.setdefault((row.api, row.version), [0, 0])
            total[0] += row.matched
            total[1] += row.differing
        return [(api, version, matched, differing) for (api, version), (matched, differing) in totals.items()]

    def text(self) -> str:
        lines = [
            f"Contract drift report: {self.cassette} replayed against {self.target}",
            f"{len(self.results)} exchanges: {len(self.results) - self.differing} matched, {self.differing} differing",
            "",
        ]
        table = [("API", "OPERATION", "VERSION", "MATCHED", "DIFFERING")]
        rows = self.rows()
        table += [(row.api, row.operation, row.version, str(row.matched), str(row.differing)) for row in rows]
        widths = [max(len(line[column]) for line in table) for column in range(5)]
        for index, line in enumerate(table):
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
            if index and rows[index - 1].first:
                lines.append(f"    first difference: {rows[index - 1].first}")
        lines += ["", "Per version:"]
        lines += [
            f"  {api} {version}: {matched} matched, {differing} differing"
            for api, version, matched, differing in self.versions()
        ]
        if self.conflicts:
            lines += ["", f"Id pairings refused ({len(self.conflicts)}; the first pairing kept):"]
            lines += [f"  {conflict}" for conflict in self.conflicts]
        lines.append("")
        lines.append(
            f"DRIFT: {self.differing} of {len(self.results)} exchanges differ" if self.drift else "OK: no drift"
        )
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps(
            {
                "cassette": self.cassette,
                "target": self.target,
                "drift": self.drift,
                "exchanges": len(self.results),
                "differing": self.differing,
                "id_map": self.ids,
                "id_conflicts": [conflict.to_json() for conflict in self.conflicts],
                "operations": [row.to_json() for row in self.rows()],
                "versions": [
                    {"api": api, "version": version, "matched": matched, "differing": differing}
                    for api, version, matched, differing in self.versions()
                ],
                "differences": [
                    {
                        "seq": result.exchange.seq,
                        "api": result.exchange.api,
                        "operation": result.exchange.operation,
                        "version": result.exchange.version,
                        "method": result.exchange.request.method,
                        "path": result.exchange.request.path,
                        "differences": [difference.to_json() for difference in result.differences],
                    }
                    for result in self.results
                    if not result.matched
                ],
            },
            indent=1,
            default=str,
        )

    def junit(self) -> str:
        """One test case per exchange, classed by API, operation and version."""
        suites = ElementTree.Element(
            "testsuites", name="emulator compare", tests=str(len(self.results)), failures=str(self.differing)
        )
        by_api: dict[str, list[ExchangeResult]] = {}
        for result in self.results:
            by_api.setdefault(result.exchange.api or "unknown", []).append(result)
        for api, results in by_api.items():
            suite = ElementTree.SubElement(
                suites,
                "testsuite",
                name=f"drift.{api}",
                tests=str(len(results)),
                failures=str(sum(1 for result in results if not result.matched)),
            )
            for result in results:
                exchange = result.exchange
                case = ElementTree.SubElement(
                    suite,
                    "testcase",
                    classname=f"drift.{api}.{exchange.operation or 'unknown'}.{exchange.version or '-'}",
                    name=f"#{exchange.seq} {exchange.request.method} {exchange.request.path}",
                    time=f"{exchange.duration_ms / 1000:.3f}",
                )
                if not result.matched:
                    failure = ElementTree.SubElement(case, "failure", message=str(result.differences[0]), type="drift")
                    failure.text = "\n".join(str(difference) for difference in result.differences)
        return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)

    def assert_no_drift(self) -> None:
        """For test suites: fail with the text report when any exchange drifted."""
        if self.drift:
            raise AssertionError("contract drift\n" + self.text())

    def render(self, output_format: str) -> str:
        return {"text": self.text, "json": self.json, "junit": self.junit}[output_format]()
