"""Scenario files: YAML documents that seed the store.

A file is validated against the JSON Schema (the core's top level plus each API's
section schema) before anything is loaded; the whole set of files loads inside one
store transaction, so an error anywhere leaves nothing half-loaded. Errors name the
file, the path inside it and what is wrong.
"""

from __future__ import annotations

import difflib
import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..builtin_scenarios import ScenarioNotFound, find_scenario
from ..formats.safeparse import FILE_LIMITS, ParseLimits, UnsafeDocument, load_yaml
from ..store.core import Store
from ..store.ids import derived_ids
from .clock import Clock
from .scenariokeys import ScenarioKeys

if TYPE_CHECKING:  # jsonschema and referencing: ~40 ms of import, not needed when the baseline
    import jsonschema  # comes from the cache (baselinecache.py)

STABLE_ID_NAMESPACE = uuid.UUID("5b2c8a55-3b9e-4f43-9d6e-0c1f1e6e7a10")


class ScenarioError(Exception):
    """A scenario that cannot be loaded: ``file``, ``path`` (dotted, inside the file)."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file, self.path, self.problem = file, path, problem
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {problem}")


def _dotted(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


# Pact provider states a scenario names (docs/pact.md): kept in the world's settings under this
# key, beside each API's settings, so they fork, reset and cache with them.
PROVIDER_STATES = "pact_states"
PROVIDER_STATES_SCHEMA: dict = {
    "type": "object",
    "description": "Pact provider states by name (docs/pact.md)",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string"},
            "from": {"type": "string", "description": "a snapshot id or a built-in scenario name to start from"},
            "scenario": {"type": "object", "description": "a scenario document loaded on setup (${param} filled in)"},
            "params": {"type": "object", "description": "defaults of the state's params"},
            "values": {
                "type": "object",
                "description": "what setup answers for fromProviderState: literals, ${param}, "
                "${id:kind:key}, ${token:customerid} or ${token:dfs}",
                "additionalProperties": {"type": "string"},
            },
        },
    },
}


def scenario_schema(apis) -> dict:
    properties: dict = {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "seed": {"type": "integer", "description": "seeds Faker and generated ids, so generated data repeats"},
        PROVIDER_STATES: PROVIDER_STATES_SCHEMA,
    }
    for api in apis:
        # Its own $id makes the section's "#/$defs/..." references resolve inside it.
        properties[api.name] = {"$id": f"urn:emulator:scenario:{api.name}", **api.scenario_schema}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }


@dataclass
class ScenarioContext:
    """What an API's section loader gets: where it is, ids by symbolic key, the seed."""

    file: str
    seed: int
    settings: dict[str, Any]
    store: Store
    clock: Clock
    keys: ScenarioKeys = field(default_factory=ScenarioKeys)  # (kind, key) -> id
    random: random.Random = field(default_factory=random.Random)

    def error(self, path: Iterable[Any], problem: str) -> ScenarioError:
        return ScenarioError(self.file, _dotted(path), problem)

    def faker(self, locales: str | list[str], path: Iterable[Any], seed: int) -> Any:
        """A seeded Faker for ``locales``, or a ScenarioError naming the locale Faker does
        not know (Faker itself raises AttributeError, which reached the control API as a 500)."""
        from faker import Faker  # imported when data is generated: ~0.2 s of start-up otherwise

        for locale in [locales] if isinstance(locales, str) else locales:
            try:
                Faker(locale)
            except AttributeError:
                raise self.error(path, f"unknown Faker locale {locale!r} (e.g. fi_FI, en_US, de_CH)") from None
        faker = Faker(locales)
        faker.seed_instance(seed)
        return faker

    def stable_id(self, kind: str, key: str) -> str:
        """Ids not given in the file are derived from the key: stable across restarts."""
        return str(uuid.uuid5(STABLE_ID_NAMESPACE, f"{kind}:{key}"))

    def generated_id(self) -> str:
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def bind(self, kind: str, key: str, entity_id: str, path: Iterable[Any]) -> None:
        if (kind, key) in self.keys:
            raise self.error(path, f"{kind} key {key!r} is defined twice")
        self.keys[(kind, key)] = entity_id

    def ref(self, kind: str, key: str, path: Iterable[Any]) -> str:
        try:
            return self.keys[(kind, key)]
        except KeyError:
            raise self.error(path, f"no {kind} with key {key!r} (define it before it is referred to)") from None


def missing_key_message(keys: Mapping[tuple[str, str], str], kind: str, key: str | None) -> str:
    """Why (kind, key) is not a scenario key, with what exists instead: the kinds, or
    the keys of that kind (the closest ones when there are many)."""
    kinds = sorted({known for known, _ in keys})
    if kind not in kinds:
        return f"no scenario key kind {kind!r}; the loaded scenarios have: {', '.join(kinds) or 'no keys at all'}"
    names = sorted(name for known, name in keys if known == kind)
    close = difflib.get_close_matches(key or "", names, n=5, cutoff=0.5)
    if len(names) <= 20:
        listing = f"the {kind} keys are: {', '.join(names)}"
    else:
        listing = f"{len(names)} {kind} keys, e.g. {', '.join(names[:10])}"
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"no {kind} with key {key!r}; {hint}{listing}"


@dataclass
class Baseline:
    """The loaded scenarios: the pristine store every reset forks from."""

    store: Store
    settings: dict[str, Any]
    files: tuple[str, ...]
    keys: ScenarioKeys


def resolve_scenario(entry: str | Path, search: Iterable[Path] = (), directories: Iterable[Path] = ()) -> Path:
    """A file path, or a built-in scenario's name ("default", "bulk-50k"): the file
    it means (see emulator.builtin_scenarios.find_scenario), or a ScenarioError
    listing the places looked and the built-in names."""
    try:
        return find_scenario(entry, search, directories)
    except ScenarioNotFound as error:
        raise ScenarioError(str(entry), "", str(error)) from None


def read_scenario_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(str(path), "", f"cannot read: {error.strerror or error}") from None
    return parse_scenario_text(text, str(path))


def parse_scenario_text(text: str, name: str, limits: ParseLimits = FILE_LIMITS) -> dict:
    try:
        document = load_yaml(text, limits)
    except UnsafeDocument as error:
        raise ScenarioError(name, error.where, error.problem) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ScenarioError(name, "", "a scenario is a mapping (name, seed, customerid, ...)")
    return document


def scenario_validator(apis) -> jsonschema.Draft202012Validator:
    """The validator with every API's section registered and crawled up front: without
    that, jsonschema re-scans the whole section schema for each ``$ref`` it follows,
    which made a 20,000-identity dump take half a minute to validate."""
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    schema = scenario_schema(apis)
    resources = [
        (section["$id"], DRAFT202012.create_resource(section))
        for section in schema["properties"].values()
        if "$id" in section
    ]
    return jsonschema.Draft202012Validator(schema, registry=Registry().with_resources(resources).crawl())


def validate_scenario(document: dict, name: str, apis) -> None:
    validator = scenario_validator(apis)
    errors = list(validator.iter_errors(document))
    if errors:
        from jsonschema.exceptions import best_match

        first = best_match(errors)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ScenarioError(name, _dotted(first.absolute_path), first.message + more)


def load_baseline(
    paths: Iterable[Path | str],
    apis,
    documents: Iterable[tuple[str, dict]] = (),
    directories: Iterable[Path] = (),
    progress=None,
) -> Baseline:
    """Read, validate and load scenario files or built-in names (and already-parsed
    documents); a name is looked up in ``directories``, then among the built-ins.
    ``progress`` (a load_progress.LoadProgress) hears of each file when loading is slow."""
    apis = list(apis)
    files = [resolve_scenario(path, directories=directories) for path in paths]
    sources = []
    for path in files:
        if progress is not None:
            progress.loading(path.name, "reading")
        sources.append((str(path), read_scenario_file(path)))
    sources += list(documents)
    store = empty_store(apis)
    settings = {api.name: api.default_settings() for api in apis}
    keys = load_documents(sources, apis, store, settings, {}, Clock(), progress=progress)
    return Baseline(store=store, settings=settings, files=tuple(name for name, _ in sources), keys=keys)


def empty_store(apis) -> Store:
    return Store(collection for api in apis for collection in api.collections())


def load_documents(
    sources: list[tuple[str, dict]],
    apis,
    store: Store,
    settings: dict[str, Any],
    keys: Mapping[tuple[str, str], str],
    clock: Clock,
    progress=None,
) -> ScenarioKeys:
    """Validate every document, then load them all into ``store`` (updating
    ``settings`` in place) in one transaction; returns the scenario keys, ``keys``
    plus the new ones. Raises ScenarioError, with nothing written, on any problem."""
    apis = list(apis)
    for name, document in sources:
        if progress is not None:
            progress.loading(Path(name).name, "validating")
        validate_scenario(document, name, apis)
    keys = keys.copy() if isinstance(keys, ScenarioKeys) else ScenarioKeys(keys)
    with store.transaction(), store.bulk_load():
        for position, (name, document) in enumerate(sources):
            if progress is not None:
                progress.loading(Path(name).name)
                before = _entity_count(apis, store)
            seed = int(document.get("seed", 0))
            context = ScenarioContext(
                file=name, seed=seed, settings=settings, store=store, clock=clock, keys=keys, random=random.Random(seed)
            )
            # Ids the file leaves to the APIs' models (an organization's roles) are derived,
            # not random: the same scenario loads to the same ids, cached or not.
            with derived_ids(f"{position}:{Path(name).name}:seed={seed}"):
                for api in apis:
                    if api.name in document:
                        api.load_scenario_section(document[api.name] or {}, context)
            if document.get(PROVIDER_STATES):
                settings[PROVIDER_STATES] = {**settings.get(PROVIDER_STATES, {}), **document[PROVIDER_STATES]}
            if progress is not None:
                progress.loaded(Path(name).name, _entity_count(apis, store) - before)
    return keys


def _entity_count(apis, store: Store) -> int:
    return sum(sum(api.summary_counts(store).values()) for api in apis)
