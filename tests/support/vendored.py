"""What the tests check against, vendored from the vendor documents into tests/data/
(each file names the document it was extracted from): a clone needs nothing beside it."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def vendored_lines(name: str) -> list[str]:
    """The non-comment lines of tests/data/<name>."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
