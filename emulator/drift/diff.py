"""Structural comparison of one recorded answer with the emulator's.

Status, error code, content type, document root, namespace and attributes,
element and key order and presence, value types; values only where the rules say.
Ids met on the way are paired (recorded, emulated) for the id map."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .documents import UUID, Node, scalars, value_type
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
    id_pairs: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, recorded, emulated)


def _field(key: str, parent_field: str) -> str:
    if ":" in key:
        return key.split(":", 1)[1]
    if key.isdigit() or key in ("Value", "value"):
        return parent_field  # an array item or a CustomerID <Value> is its holder's
    return key


_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_ID_SUFFIX = re.compile(r"(ids|id|uid)$", re.IGNORECASE)


def id_kind(name: str) -> str:
    """What an id named ``name`` identifies, as one lower-case singular word: ``roleId``,
    ``RoleId``, ``IdentityRole`` and ``roles`` are all ``role``; ``DefaultMenuItemId`` is
    ``item``, never ``tenant``. Integer ids are mapped per kind: DFS numbers its menu
    items, tenants and roles independently."""
    base = _ID_SUFFIX.sub("", name) if name.casefold() not in ("id", "uid") else ""
    words = _WORDS.findall(base)
    word = words[-1].lower() if words else ""
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def is_id_name(name: str) -> bool:
    folded = name.casefold()
    return folded in ("id", "uid", "cn") or folded.endswith(("id", "ids", "uid"))


IdLookup = Callable[[str, str], "str | None"]  # (kind, recorded id) -> the emulator's, if known


class TreeComparer:
    """``resource``: the kind of entity the operation is about (a root ``Id``'s kind);
    ``known``: the id map so far (list items are paired by identity through it);
    ``single_entity``: the answer names one entity the request created or changed, so a
    one-item list pairs its id (POST100's ``<Organizations><Id>``)."""

    def __init__(
        self,
        rules: Rules,
        operation: str | None,
        *,
        resource: str = "",
        known: IdLookup | None = None,
        single_entity: bool = False,
    ) -> None:
        self.rules = rules
        self.operation = operation
        self.resource = resource
        self.known = known or (lambda kind, value: None)
        self.single_entity = single_entity
        self.declared = {recorded.casefold(): emulated for recorded, emulated in rules.ids}
        self.outcome = Outcome()
        self._pairing = True  # off inside list items matched by position only

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

    def _type(self, node: Node) -> str:
        """A node's type; a declared placeholder (``XXXXXXXX-XXXX-…`` in a vendor example)
        has the type of the id it stands for."""
        if not node.children and node.value is not None and str(node.value).casefold() in self.declared:
            return value_type(self.declared[str(node.value).casefold()], textual=node.kind != "value")
        return node.type

    def _compare_node(self, path: str, name: str, action: str | None, recorded: Node, emulated: Node) -> None:
        recorded_type, emulated_type = self._type(recorded), self._type(emulated)
        if not recorded.children and self.rules.placeholder(recorded.value):
            recorded_type = emulated_type  # a document's placeholder stands for a value of any type
        if "null" in (recorded_type, emulated_type) and recorded.kind == emulated.kind == "value":
            return  # a member without a value on one side: data (an unset description), not a type
        if recorded_type != emulated_type and not _empty_list_and_list(recorded, emulated):
            self._add("type", path, recorded_type, emulated_type)
            return
        if recorded.kind == "element":
            self._attributes(path, recorded, emulated)
        if recorded.children or emulated.children:
            self._children(path, name, recorded, emulated)
        else:
            self._value(path, name, action, recorded.value, emulated.value)

    def _value(self, path: str, name: str, action: str | None, recorded, emulated) -> None:
        if recorded is None or emulated is None:
            return
        if isinstance(recorded, str) and isinstance(emulated, str):
            # 1.x documents link with absolute URLs: the server's own address is not the contract
            recorded, emulated = _local(recorded), _local(emulated)
        if action == "id" or (isinstance(recorded, str) and UUID.match(recorded)):
            self._pair(self._kind(path, name), str(recorded), str(emulated))
            return
        if str(recorded).casefold() in self.declared or self.rules.placeholder(recorded):
            return  # a placeholder: its value is the declared id's, or any
        if action == "ignore-value":
            return
        if recorded != emulated and (action == "compare-value" or self.rules.all_values):
            self._add("error-code" if action == "compare-value" else "value", path, recorded, emulated)

    def _kind(self, path: str, name: str) -> str:
        """The kind of the id at ``path``: its own name's, else (``Id``) its holder's, else the operation's."""
        if name.casefold() not in ("id", "uid"):
            return id_kind(name)
        for holder in reversed([part for part in path.split("/")[:-1] if part and not part.isdigit()]):
            kind = id_kind(_field(holder, ""))
            if kind:
                return kind
        return self.resource

    def _pair(self, kind: str, recorded: str, emulated: str) -> None:
        """Learnt only outside lists (or for list items paired by identity), when the
        recorded id is new to the emulator and the emulator's id is new to the recording:
        two lists of the same entities in another order pair nothing."""
        if not self._pairing or recorded == emulated or not recorded or not emulated:
            return
        if recorded.lower() in self._emulated_values or emulated.lower() in self._recorded_values:
            return
        self.outcome.id_pairs.append((kind, recorded, emulated))

    def _attributes(self, path: str, recorded: Node, emulated: Node) -> None:
        ours = dict(emulated.attributes)
        for name, value in recorded.attributes:
            attribute_path = f"{path}/@{name}"
            action = self.rules.action(attribute_path, name, self.operation)
            if action == "ignore":
                continue
            if name not in ours:
                if not self.rules.optional(attribute_path, name, self.operation):
                    self._add("attribute", attribute_path, value, None)
                continue
            self._value(attribute_path, name, action, value, ours[name])
        theirs = {name for name, _ in recorded.attributes}
        for name, value in emulated.attributes:
            attribute_path = f"{path}/@{name}"
            if name not in theirs and self._structural(attribute_path, name):
                self._add("attribute", attribute_path, None, value)

    def _structural(self, path: str, name: str) -> bool:
        """Whether a node on one side only is a difference (not ignored, not optional)."""
        return self.rules.action(path, name, self.operation) != "ignore" and not self.rules.optional(
            path, name, self.operation
        )

    def _children(self, path: str, field_name: str, recorded: Node, emulated: Node) -> None:
        """Children grouped by key in order of first appearance: the groups'
        order and presence are compared, then the items of a group pairwise
        (how many a list holds depends on the data, not the contract)."""
        if recorded.kind == "array" or _is_list(recorded) or _is_list(emulated):
            for key, index, recorded_child, emulated_child, by_identity in self._list_items(recorded, emulated):
                outer, self._pairing = self._pairing, self._pairing and by_identity
                try:
                    self._node(
                        f"{path}/{index if recorded.kind == 'array' else key}",
                        field_name,
                        recorded_child,
                        emulated_child,
                    )
                finally:
                    self._pairing = outer
            return
        recorded_groups = _groups(recorded.children)
        emulated_groups = _groups(emulated.children)
        for key in recorded_groups:
            if key not in emulated_groups and self._structural(f"{path}/{key}", _field(key, field_name)):
                self._add("missing", f"{path}/{key}", "present", None)
        for key in emulated_groups:
            if key not in recorded_groups and self._structural(f"{path}/{key}", _field(key, field_name)):
                self._add("extra", f"{path}/{key}", None, "present")
        shared_recorded = [
            key for key in recorded_groups if key in emulated_groups and not self._ignored(path, key, field_name)
        ]
        shared_emulated = [
            key for key in emulated_groups if key in recorded_groups and not self._ignored(path, key, field_name)
        ]
        ordered = self.rules.ordered(path or "/", field_name, self.operation, default=recorded.kind == "element")
        if ordered and shared_recorded != shared_emulated:
            first = next(index for index, (a, b) in enumerate(zip(shared_recorded, shared_emulated)) if a != b)
            self._add("order", f"{path}/{shared_recorded[first]}", shared_recorded, shared_emulated)
        for key in shared_recorded:
            for recorded_child, emulated_child in zip(recorded_groups[key], emulated_groups[key]):
                self._node(f"{path}/{key}", _field(key, field_name), recorded_child, emulated_child)

    def _ignored(self, path: str, key: str, parent_field: str) -> bool:
        return self.rules.action(f"{path}/{key}", _field(key, parent_field), self.operation) == "ignore"

    def _list_items(self, recorded: Node, emulated: Node):
        """A list's items paired by identity: the same id (once mapped), else the same
        value of a unique attribute (``UserName``, ``RoleKey``, ``entityName``…); the rest
        by position for their structure only, their ids left unpaired: the n-th user of
        one system is not the n-th of the other. A modification's one-item answer is the
        entity the request created or changed, and pairs. Yields (key, index, recorded
        item, emulated item, paired by identity)."""
        theirs, ours = recorded.children, emulated.children
        if self.single_entity and len(theirs) == 1 and len(ours) == 1:
            yield theirs[0][0], 0, theirs[0][1], ours[0][1], True
            return
        ours_by_identity: dict[tuple[str, str], int] = {}
        for index, (_, node) in enumerate(ours):
            for identity in self._identities(node, mapped=False):
                ours_by_identity.setdefault(identity, index)
        taken: set[int] = set()
        leftovers: list[int] = []
        for index, (key, node) in enumerate(theirs):
            match = next(
                (
                    ours_by_identity[identity]
                    for identity in self._identities(node, mapped=True)
                    if identity in ours_by_identity and ours_by_identity[identity] not in taken
                ),
                None,
            )
            if match is None:
                leftovers.append(index)
                continue
            taken.add(match)
            yield key, index, node, ours[match][1], True
        rest = (index for index in range(len(ours)) if index not in taken)
        for index, other in zip(leftovers, rest):
            yield theirs[index][0], index, theirs[index][1], ours[other][1], False

    def _identities(self, node: Node, *, mapped: bool) -> list[tuple[str, str]]:
        """What tells a list item apart: its own id (``Id``, ``uid``, or a UUID-valued id
        member such as ``IdentityId``; the recording's translated through the map so far)
        and its unique attributes' values. Integer foreign keys (``RoleId``, ``MemberId``)
        are shared by many items and tell nothing apart."""
        found = []
        members = node.children if node.kind in ("object", "element") and node.children else [("", node)]
        for key, child in members:
            if child.children and child.kind == "element" and key.startswith("Attribute:"):
                child = child.children[0][1]  # CustomerID's <Attribute name=…><Value>
            if child.children or child.value in (None, ""):
                continue
            name = _field(key, "") or "id"
            value = str(child.value)
            own_id = name.casefold() in ("id", "uid") or (is_id_name(name) and bool(UUID.match(value)))
            if own_id:
                if mapped:
                    kind = self.resource if name.casefold() in ("id", "uid") else id_kind(name)
                    value = self.known(kind, value) or self.declared.get(value.casefold(), value)
                found.append((name.casefold(), value.casefold()))
            elif name.casefold() in UNIQUE_ATTRIBUTES:
                found.append((name.casefold(), value.casefold()))
        return found


# attributes no two entities of a kind share: list items with the same value are the same entity
UNIQUE_ATTRIBUTES = frozenset(
    ("username", "login", "email", "rolekey", "key", "entityname", "shortname", "technicalname", "providerid")
)


def _is_list(node: Node) -> bool:
    """An XML element whose children are all one repeated element (``<Users><Id>…``), not
    CustomerID's ``<Attribute><Value>``."""
    if node.kind != "element" or not node.children:
        return False
    keys = {key for key, _ in node.children}
    if len(keys) != 1:
        return False
    key = next(iter(keys))
    return key == "Id" or (len(node.children) > 1 and key != "Value" and ":" not in key)


def _empty_list_and_list(recorded: Node, emulated: Node) -> bool:
    """``<Users/>`` and ``<Users><Id>…</Id></Users>``: an empty list is data, as an empty JSON array is."""
    if recorded.kind != "element" or emulated.kind != "element":
        return False
    empty = [node for node in (recorded, emulated) if not node.children and not node.value]
    return len(empty) == 1 and any(_is_list(node) for node in (recorded, emulated))


def _local(value: str) -> str:
    """An absolute http(s) URL without its scheme and host; any other text as it is."""
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return value


def _groups(children: list[tuple[str, Node]]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = {}
    for key, node in children:
        groups.setdefault(key, []).append(node)
    return groups
