"""The scenarios shipped inside the package, and how a scenario given by the user
(a file path or a built-in name) is found.

The YAML files next to this module are package data: ``default`` (data for every
operation of both APIs), ``bulk-50k`` (50,000 generated users on top of it) and
``dfs-bulk`` (a tenant with 20,000 identities). Wherever a scenario is given (the
CLI's ``--scenario``, ``EMULATOR_SCENARIOS``, the pytest plugin's
``emulator_scenarios``, ``POST /__emulator/scenarios {"name": ...}``) a path to an
existing file wins; a bare name (no directory part) then means a built-in.

May import: the standard library only, never another ``emulator`` package (the
bottom layer, beside ``emulator.formats``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

BUILTIN_DIRECTORY = Path(__file__).resolve().parent
SUFFIXES = (".yaml", ".yml")


class ScenarioNotFound(LookupError):
    """A scenario that is neither a file nor a built-in name; the message lists the
    places looked and the built-in names."""

    def __init__(self, entry: str, looked: list[Path], names: list[str]) -> None:
        self.entry, self.looked, self.names = entry, looked, names
        places = ", ".join(str(place) for place in looked) or "(nowhere)"
        super().__init__(
            f"cannot read: no such scenario file (looked at {places}) and no built-in scenario "
            f"of that name; give a file path or a built-in name: {', '.join(names)}"
        )


def scenario_name(path: Path) -> str:
    return path.name.removesuffix(path.suffix) if path.suffix in SUFFIXES else path.name


def scenarios_in(directory: Path) -> dict[str, Path]:
    """The scenario files of a directory by name (file name without .yaml/.yml), sorted."""
    if not directory.is_dir():
        return {}
    return {
        scenario_name(path): path for path in sorted(directory.iterdir()) if path.suffix in SUFFIXES and path.is_file()
    }


def builtin_scenarios() -> dict[str, Path]:
    """The built-in scenarios by name: {"bulk-50k": ..., "default": ..., "dfs-bulk": ...}."""
    return scenarios_in(BUILTIN_DIRECTORY)


def is_bare_name(entry: str) -> bool:
    return "/" not in entry and "\\" not in entry


def find_scenario(entry: str | Path, search: Iterable[Path] = (), directories: Iterable[Path] = ()) -> Path:
    """The file ``entry`` means: an existing file as given (relative to the working
    directory), else relative to each of ``search``; else, for a bare name
    (``default``, ``bulk-50k.yaml``), the scenario of that name in ``directories``
    and then among the built-ins. Raises ScenarioNotFound naming where it looked."""
    text = str(entry)
    given = Path(text).expanduser()
    looked = [given.absolute()]
    if given.is_file():
        return given
    if not given.is_absolute():
        for directory in search:
            candidate = Path(directory) / given
            looked.append(candidate)
            if candidate.is_file():
                return candidate
    if is_bare_name(text):
        name = scenario_name(Path(text))
        for directory in [*directories, BUILTIN_DIRECTORY]:
            found = scenarios_in(Path(directory)).get(name)
            if found is not None:
                return found
        looked += [Path(directory) / f"{name}.yaml" for directory in directories]
    raise ScenarioNotFound(text, looked, sorted(builtin_scenarios()))
