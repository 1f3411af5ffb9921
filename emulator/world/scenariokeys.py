"""Scenario keys -> ids: ``("user", "maija") -> "aaaaaaaa-…"``, for every entity a
scenario names, so tests and later scenario files can refer to it.

Generated entities are named by a prefix and a running number
(``acme-sales-user-1`` … ``acme-sales-user-100000``). A dict entry per generated
key (a tuple, a string and a hash-table slot) cost about 260 bytes a user, an
eighth of everything 100,000 generated users hold. Here keys that count up from
1 under one prefix are kept as a run, the prefix and a list of ids, and such a
key is worked out when it is asked for; every other key is a dict entry. To its
readers it is an ordinary mapping, whatever the keys look like.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

Key = tuple[str, str]  # (kind, scenario key)


def _split_number(name: str) -> tuple[str, int | None]:
    """``"acme-user-17"`` -> ``("acme-user-", 17)``; no number (or one written with
    a leading zero, which would be a second spelling) -> ``(name, None)``."""
    end = len(name)
    start = end
    while start > 0 and "0" <= name[start - 1] <= "9":
        start -= 1
    if start == end or name[start] == "0":
        return name, None
    return name[:start], int(name[start:])


class ScenarioKeys(MutableMapping[Key, str]):
    def __init__(self, entries: Mapping[Key, str] | None = None) -> None:
        self._named: dict[Key, str] = {}
        self._runs: dict[tuple[str, str], list[str]] = {}  # (kind, prefix) -> ids of prefix1, prefix2, …
        for key, entity_id in (entries or {}).items():
            self[key] = entity_id

    def _position(self, key: Key) -> tuple[list[str] | None, int]:
        kind, name = key
        prefix, number = _split_number(name)
        ids = self._runs.get((kind, prefix)) if number is not None else None
        if ids is not None and number is not None and number <= len(ids):
            return ids, number - 1
        return None, 0

    def __getitem__(self, key: Key) -> str:
        found = self._named.get(key)
        if found is not None:
            return found
        if type(key) is tuple and len(key) == 2:
            ids, index = self._position(key)
            if ids is not None:
                return ids[index]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __setitem__(self, key: Key, entity_id: str) -> None:
        if key in self._named:
            self._named[key] = entity_id
            return
        ids, index = self._position(key)
        if ids is not None:
            ids[index] = entity_id
            return
        kind, name = key
        prefix, number = _split_number(name)
        run = self._runs.get((kind, prefix)) if number is not None else None
        if run is not None and number == len(run) + 1:
            run.append(entity_id)
        elif run is None and number == 1:
            self._runs[(kind, prefix)] = [entity_id]
        else:
            self._named[key] = entity_id

    def __delitem__(self, key: Key) -> None:
        if key in self._named:
            del self._named[key]
            return
        ids, index = self._position(key)
        if ids is None:
            raise KeyError(key)
        kind, name = key
        prefix, _ = _split_number(name)
        # the run keeps the keys before this one; the ones after become named keys
        after = ids[index + 1 :]
        del ids[index:]
        for offset, entity_id in enumerate(after, start=index + 2):
            self._named[(kind, f"{prefix}{offset}")] = entity_id
        if not ids:
            del self._runs[(kind, prefix)]

    def __iter__(self) -> Iterator[Key]:
        yield from self._named
        for (kind, prefix), ids in self._runs.items():
            for number in range(1, len(ids) + 1):
                yield (kind, f"{prefix}{number}")

    def __len__(self) -> int:
        return len(self._named) + sum(len(ids) for ids in self._runs.values())

    def copy(self) -> ScenarioKeys:
        twin = ScenarioKeys()
        twin._named = dict(self._named)
        twin._runs = {run: list(ids) for run, ids in self._runs.items()}
        return twin

    def __repr__(self) -> str:
        return f"ScenarioKeys({len(self)} keys, {len(self._runs)} numbered runs)"
