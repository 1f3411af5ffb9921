"""identity-emulator's ``pytest11`` entry point (pyproject.toml), under a module
name no project is likely to have.

The plugin itself is ``emulator.pytest_plugin``. Naming it directly in the entry
point broke every pytest run of a project with its own ``emulator`` package first
on ``sys.path`` (``python -m pytest`` puts the working directory there): pytest
died importing it with ``No module named 'emulator.pytest_plugin'``. Loaded from
here instead, it checks which ``emulator`` Python resolves and, when that is not
identity-emulator's, stops pytest with one line naming the package in the way.

It checks again once the project's ``pythonpath`` setting and conftests are on
``sys.path`` (``pytest_configure``): by then identity-emulator's ``emulator`` is
imported, and a project's own package found first would silently be this one in
its tests. (docs/pytest.md, "A project with its own emulator package".)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PACKAGE = "emulator"
PLUGIN = "emulator.pytest_plugin"
HOW_TO_FIX = "rename your package, or run pytest with -p no:emulator to go without identity-emulator's fixtures"
# What only identity-emulator's `emulator` package holds (another checkout of it is no shadow)
OWN_FILES = ("pytest_plugin/__init__.py", "customerid/endpoints.yaml", "dfs/endpoints.yaml")


def package_locations(spec) -> list[Path]:
    """The directories a package spec's modules come from (a namespace package may have several)."""
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [Path(location) for location in spec.submodule_search_locations]
    return [Path(spec.origin).parent] if spec.origin else []


def is_identity_emulator(locations: list[Path]) -> bool:
    """Is this identity-emulator's own ``emulator`` (this copy or another checkout of it)?"""
    return any(all((location / name).is_file() for name in OWN_FILES) for location in locations)


def shadowing_message(locations: list[Path]) -> str:
    where = ", ".join(str(location) for location in locations) or "(no file)"
    return (
        f"identity-emulator: your project's own `{PACKAGE}` package ({where}) shadows identity-emulator's "
        f"`{PACKAGE}` package, so its pytest plugin cannot load; {HOW_TO_FIX}"
    )


def resolved_now():
    """The spec ``import emulator`` would find on today's ``sys.path`` if it were not imported yet."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        spec = find_spec(PACKAGE, None)
        if spec is not None:
            return spec
    return None


def check_at_entry_point() -> None:
    loaded = sys.modules.get(PACKAGE)
    spec = loaded.__spec__ if loaded is not None else importlib.util.find_spec(PACKAGE)
    locations = package_locations(spec)
    if spec is not None and not is_identity_emulator(locations):
        raise pytest.UsageError(shadowing_message(locations))


check_at_entry_point()
pytest_plugins = [PLUGIN]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """A project's ``pythonpath`` (or a conftest) may have put its own ``emulator`` ahead now."""
    loaded = package_locations(sys.modules[PACKAGE].__spec__)
    found = package_locations(resolved_now())
    if found and {path.resolve() for path in found} != {path.resolve() for path in loaded}:
        if not is_identity_emulator(found):
            raise pytest.UsageError(shadowing_message(found))
