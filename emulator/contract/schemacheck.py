"""Documents checked against a schema, built once and asked many times: an XSD
(xmlschema) or a JSON Schema (fastjsonschema compiled to Python, jsonschema for
the wording). Each check answers ``None`` or one sentence naming the first
problem and where it is, for a person reading a journal entry or a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import fastjsonschema
import jsonschema
import xmlschema
from defusedxml.ElementTree import fromstring
from lxml import etree

# A verdict depends on the schema and the bytes alone, and a test suite asks about the
# same bytes again and again (GET105 of one user answers byte-identical documents):
# the last answers' verdicts are kept, per check, so a repeated answer costs a dict look-up
# instead of a parse and a validation (some 100 µs for a User document).
REMEMBERED_ANSWERS = 256
REMEMBERED_BYTES = 64 * 1024  # a larger answer (a long listing) is judged afresh every time
REMEMBERED_TOTAL_BYTES = 1024 * 1024  # per check: a few dozen checks, a few MiB at most


class Verdicts:
    """The last ``REMEMBERED_ANSWERS`` bodies (up to ``REMEMBERED_BYTES`` each,
    ``REMEMBERED_TOTAL_BYTES`` together) and their problem (``None``: valid),
    oldest forgotten first."""

    __slots__ = ("_judged", "_judge", "_bytes")

    def __init__(self, judge: Callable[[bytes], str | None]) -> None:
        self._judged: dict[bytes, str | None] = {}
        self._judge = judge
        self._bytes = 0

    def problem(self, body: bytes) -> str | None:
        judged = self._judged
        try:
            return judged[body]
        except KeyError:
            pass
        problem = self._judge(body)
        if len(body) <= REMEMBERED_BYTES:
            while judged and (len(judged) >= REMEMBERED_ANSWERS or self._bytes + len(body) > REMEMBERED_TOTAL_BYTES):
                oldest = next(iter(judged))
                del judged[oldest]
                self._bytes -= len(oldest)
            judged[body] = problem
            self._bytes += len(body)
        return problem


class XsdCheck:
    """libxml2 (lxml, some ten microseconds for an entity) passes what is valid;
    only a document it refuses goes to xmlschema, which the tests validate with:
    it has the last word and words the problem."""

    _parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self._fast = etree.XMLSchema(etree.parse(str(path), self._parser))
        self.schema = xmlschema.XMLSchema10(str(path))
        self.problem = Verdicts(self.judge).problem

    def judge(self, body: bytes) -> str | None:
        try:
            if self._fast.validate(etree.fromstring(body, self._parser)):
                return None
        except etree.XMLSyntaxError as error:
            return f"not well-formed XML ({error})"
        # Parsed here, never handed to xmlschema as text: it would take a string that
        # is not XML for a file name or URL.
        try:
            root = fromstring(body)
        except (ParseError, ValueError) as error:
            return f"not well-formed XML ({error})"
        for problem in self.schema.iter_errors(root):
            where = f" at {problem.path}" if problem.path else ""
            return f"{(problem.reason or problem.message).rstrip('.')}{where}"
        return None


class JsonSchemaCheck:
    """One named schema among ``definitions`` (referenced as ``#/$defs/NAME``). The
    compiled check (about a microsecond) passes what is valid; only a document it
    refuses goes to jsonschema, which has the last word and words the problem."""

    def __init__(self, definitions: dict[str, Any], name: str, label: str) -> None:
        self.name = label
        schema = {"$defs": definitions, "$ref": f"#/$defs/{name}"}
        self._fast: Callable[[Any], Any] = fastjsonschema.compile(schema)
        self._full = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        self.problem = Verdicts(self.judge).problem

    def problem_in(self, document: Any) -> str | None:
        try:
            self._fast(document)
            return None
        except fastjsonschema.JsonSchemaException:
            pass
        error = jsonschema.exceptions.best_match(self._full.iter_errors(document))
        if error is None:
            return None
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        return f"{where}: {error.message}"

    def judge(self, body: bytes) -> str | None:
        try:
            document = json.loads(body)
        except ValueError as error:
            return f"not JSON ({error})"
        return self.problem_in(document)


Check = Callable[[bytes], "str | None"]  # XsdCheck.problem, JsonSchemaCheck.problem


class AnswerContract:
    """What one operation may answer: per status, its body's media types and their
    checks (``None``: no body at all); ``any_error`` covers every 4xx/5xx not listed.
    Called with a response, it gives ``(contract name, problem)`` or ``None``."""

    def __init__(
        self, statuses: dict[int, dict[str, Any] | None], any_error: dict[str, Any] | None = None, listed_in: str = ""
    ) -> None:
        self.statuses = statuses
        self.any_error = any_error
        self.listed_in = listed_in  # where the statuses come from, to name in a violation

    def __call__(self, status: int, content_type: str, body: bytes | None) -> tuple[str, str] | None:
        """``body`` None: none is sent (an answer to HEAD), only the status is checked."""
        if status in self.statuses:
            media = self.statuses[status]
        elif status >= 400 and self.any_error is not None:
            media = self.any_error
        else:
            documented = ", ".join(str(code) for code in sorted(self.statuses))
            return self.listed_in, f"status {status} is not documented for this operation (documented: {documented})"
        if body is None:
            return None
        if media is None:
            return (
                None if not body else (self.listed_in, f"status {status} has no body, yet {len(body)} bytes were sent")
            )
        check = media.get(content_type)
        if check is None:
            return self.listed_in, (
                f"status {status} answers {' or '.join(media)}, not {content_type or 'an untyped body'}"
            )
        problem = check.problem(body)
        return None if problem is None else (check.name, problem)
