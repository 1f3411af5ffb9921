"""Structural comparison of one recorded answer with the emulator's.

Status, error code, content type, document root, namespace and attributes,
element and key order and presence, value types; values only where the rules say.
Ids met on the way are paired (recorded, emulated) for the id map."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .documents import UUID, Node, scalars
from .rules import Rules


@dataclass(frozen=True)
class Difference:
    # transport, status, error-code, content-type, header, root, namespace, attribute, missing, extra,
    # order, type, value
    kind: str
    path: str
    recorded: object
    emulated: object

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        if self.kind in ("missing", "extra", "attribute") and (self.recorded is None or self.emulated is None):
            if self.emulated is None:
                return f"{self.kind}{where}: in the recording, not in the emulator's answer"
            return f"{self.kind}{where}: in the emulator's answer, not in the recording"
        return f"{self.kind}{where}: recorded {self.recorded!r}, emulator {self.emulated!r}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "path": self.path, "recorded": self.recorded, "emulated": self.emulated}


@dataclass
class Outcome:
    differences: list[Difference] = field(default_factory=list)
    id_pairs: list[tuple[str, str]] = field(default_factory=list)


def _field(key: str, parent_field: str) -> str:
    if ":" in key:
        return key.split(":", 1)[1]
    if key.isdigit() or key in ("Value", "value"):
        return parent_field  # an array item or a CustomerID <Value> is its holder's
    return key


class TreeComparer:
    def __init__(self, rules: Rules, operation: str | None) -> None:
        self.rules = rules
        self.operation = operation
        self.outcome = Outcome()

    def compare(self, recorded: Node, emulated: Node) -> Outcome:
        self._recorded_values = scalars(recorded)
        self._emulated_values = scalars(emulated)
        if recorded.kind == "element" and emulated.kind == "element":
            if recorded.name != emulated.name:
                self._add("root", "/", recorded.name, emulated.name)
                return self.outcome
        self._namespaces = ("", "")
        self._node("/" + recorded.name if recorded.kind == "element" else "", recorded.name, recorded, emulated)
        return self.outcome

    def _add(self, kind: str, path: str, recorded, emulated) -> None:
        self.outcome.differences.append(Difference(kind, path or "/", recorded, emulated))

    def _node(self, path: str, name: str, recorded: Node, emulated: Node) -> None:
        action = self.rules.action(path or "/", name, self.operation)
        if action == "ignore":
            return
        outer = self._namespaces
        if recorded.kind == "element" and emulated.kind == "element":
            self._namespaces = (recorded.namespace, emulated.namespace)
            if recorded.namespace != emulated.namespace and self._namespaces != outer:  # where it changes, once
                self._add("namespace", path, recorded.namespace, emulated.namespace)
        try:
            self._compare_node(path, name, action, recorded, emulated)
        finally:
            self._namespaces = outer

    def _compare_node(self, path: str, name: str, action: str | None, recorded: Node, emulated: Node) -> None:
        if recorded.type != emulated.type:
            self._add("type", path, recorded.type, emulated.type)
            return
        if recorded.kind == "element":
            self._attributes(path, recorded, emulated)
        if recorded.children or emulated.children:
            self._children(path, name, recorded, emulated)
        else:
            self._value(path, action, recorded.value, emulated.value)

    def _value(self, path: str, action: str | None, recorded, emulated) -> None:
        if recorded is None or emulated is None:
            return
        if isinstance(recorded, str) and isinstance(emulated, str):
            # 1.x documents link with absolute URLs: the server's own address is not the contract
            recorded, emulated = _local(recorded), _local(emulated)
        if action == "id" or (isinstance(recorded, str) and UUID.match(recorded)):
            self._pair(str(recorded), str(emulated))
            return
        if action == "ignore-value":
            return
        if recorded != emulated and (action == "compare-value" or self.rules.all_values):
            self._add("error-code" if action == "compare-value" else "value", path, recorded, emulated)

    def _pair(self, recorded: str, emulated: str) -> None:
        """Learnt only when the recorded id is new to the emulator and the
        emulator's id is new to the recording: two lists of the same entities in
        another order pair nothing."""
        if recorded == emulated or not recorded or not emulated:
            return
        if recorded.lower() in self._emulated_values or emulated.lower() in self._recorded_values:
            return
        self.outcome.id_pairs.append((recorded, emulated))

    def _attributes(self, path: str, recorded: Node, emulated: Node) -> None:
        ours = dict(emulated.attributes)
        for name, value in recorded.attributes:
            attribute_path = f"{path}/@{name}"
            action = self.rules.action(attribute_path, name, self.operation)
            if action == "ignore":
                continue
            if name not in ours:
                self._add("attribute", attribute_path, value, None)
                continue
            self._value(attribute_path, action, value, ours[name])
        theirs = {name for name, _ in recorded.attributes}
        for name, value in emulated.attributes:
            attribute_path = f"{path}/@{name}"
            if name not in theirs and self.rules.action(attribute_path, name, self.operation) != "ignore":
                self._add("attribute", attribute_path, None, value)

    def _children(self, path: str, field_name: str, recorded: Node, emulated: Node) -> None:
        """Children grouped by key in order of first appearance: the groups'
        order and presence are compared, then the items of a group pairwise
        (how many a list holds depends on the data, not the contract)."""
        recorded_groups = _groups(recorded.children)
        emulated_groups = _groups(emulated.children)
        array = recorded.kind == "array"
        if not array:
            for key in recorded_groups:
                if key not in emulated_groups and not self._ignored(path, key, field_name):
                    self._add("missing", f"{path}/{key}", "present", None)
            for key in emulated_groups:
                if key not in recorded_groups and not self._ignored(path, key, field_name):
                    self._add("extra", f"{path}/{key}", None, "present")
            shared_recorded = [
                key for key in recorded_groups if key in emulated_groups and not self._ignored(path, key, field_name)
            ]
            shared_emulated = [
                key for key in emulated_groups if key in recorded_groups and not self._ignored(path, key, field_name)
            ]
            if shared_recorded != shared_emulated:
                first = next(index for index, (a, b) in enumerate(zip(shared_recorded, shared_emulated)) if a != b)
                self._add("order", f"{path}/{shared_recorded[first]}", shared_recorded, shared_emulated)
            for key in shared_recorded:
                for recorded_child, emulated_child in zip(recorded_groups[key], emulated_groups[key]):
                    self._node(f"{path}/{key}", _field(key, field_name), recorded_child, emulated_child)
        else:
            for index, recorded_child, emulated_child in _pair_items(recorded.children, emulated.children):
                self._node(f"{path}/{index}", field_name, recorded_child, emulated_child)

    def _ignored(self, path: str, key: str, parent_field: str) -> bool:
        return self.rules.action(f"{path}/{key}", _field(key, parent_field), self.operation) == "ignore"


def _local(value: str) -> str:
    """An absolute http(s) URL without its scheme and host; any other text as it is."""
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return value


def _item_key(node: Node) -> tuple[str, str] | None:
    """An array item's identity: its first id-named member that has a value."""
    if node.kind != "object":
        return None
    for key, child in node.children:
        folded = key.casefold()
        if child.kind == "value" and child.value is not None and (folded in ("id", "uid") or folded.endswith("id")):
            return key, str(child.value).lower()
    return None


def _pair_items(recorded: list[tuple[str, Node]], emulated: list[tuple[str, Node]]):
    """Array items paired by their id where both sides have it (the order of a
    list follows the data: names sort differently once pseudonymised), the rest
    in order. Yields (recorded index, recorded item, emulated item)."""
    by_key: dict[tuple[str, str], int] = {}
    for index, (_, node) in enumerate(emulated):
        key = _item_key(node)
        if key is not None:
            by_key.setdefault(key, index)
    taken: set[int] = set()
    leftovers: list[int] = []
    for index, (_, node) in enumerate(recorded):
        key = _item_key(node)
        match = by_key.get(key) if key is not None else None
        if match is not None and match not in taken:
            taken.add(match)
            yield index, node, emulated[match][1]
        else:
            leftovers.append(index)
    rest = (index for index in range(len(emulated)) if index not in taken)
    for index, other in zip(leftovers, rest):
        yield index, recorded[index][1], emulated[other][1]


def _groups(children: list[tuple[str, Node]]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    for key, node in children:
        groups.setdefault(key, []).append(node)
    return groups
