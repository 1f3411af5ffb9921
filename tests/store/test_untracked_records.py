"""What the garbage-collector tuning relies on: stored acyclic records are not
tracked by the cyclic collector, so a write run does not grow its pauses."""

import dataclasses
import gc
import inspect
import weakref
from dataclasses import dataclass

from emulator.customerid.models import records as customerid_records
from emulator.customerid.models.locks import TimedLock
from emulator.dfs.models import records as dfs_records
from emulator.store.core import Collection
from emulator.store.untracked import ACYCLIC_TYPES, acyclic


@acyclic
@dataclass(frozen=True, slots=True)
class Point:
    id: str
    label: str


@dataclass(frozen=True)
class Holder:
    id: str
    things: list


def test_a_stored_acyclic_record_is_not_tracked_by_the_cyclic_collector():
    points = Collection("points")
    point = Point("p1", "first")
    assert gc.is_tracked(point)
    points.put(point.id, point)
    assert not gc.is_tracked(points.get("p1"))
    replaced = dataclasses.replace(point, label="second")
    points.put(point.id, replaced)  # a replacement is untracked too
    assert not gc.is_tracked(points.get("p1"))


def test_a_record_not_declared_acyclic_stays_tracked():
    holders = Collection("holders")
    holder = Holder("h1", [])
    holder.things.append(holder)  # a cycle: it must stay visible to the collector
    holders.put(holder.id, holder)
    assert gc.is_tracked(holders.get("h1"))


def test_every_stored_record_class_is_declared_acyclic():
    classes = [
        cls
        for module in (customerid_records, dfs_records)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and dataclasses.is_dataclass(cls)
    ]
    assert len(classes) > 15
    assert set(classes) | {TimedLock} <= ACYCLIC_TYPES


def test_a_reset_frees_the_old_world_without_the_cyclic_collector():
    """gctuning freezes what is alive at start-up; an old world in a reference
    cycle would then never be freed. Reference counting alone must free it."""
    from emulator.app import default_apis
    from emulator.world.scenarios import load_baseline
    from emulator.world.state import EmulatorState

    apis = default_apis()
    state = EmulatorState(apis, load_baseline(["default"], apis))
    namespace = state.create_namespace("worker")
    namespace.restore(namespace.save_snapshot())
    worlds = [weakref.ref(state.world.store), weakref.ref(namespace.world.store)]
    del namespace
    gc.disable()
    try:
        state.reset()
        state.delete_namespace("worker")
        assert [world() for world in worlds] == [None, None]
    finally:
        gc.enable()


def test_the_stores_containers_are_not_tracked_by_the_cyclic_collector():
    """Rows, index buckets and sorted-key chunks hold records, ids and keys only:
    a collection would visit every entry of them (tens of ms on 100,000 rows)."""
    from emulator.store.core import IndexSpec

    points = Collection(
        "points",
        [IndexSpec("label", lambda p: (p.label,)), IndexSpec("text", lambda p: (("label", p.label),), ordered=True)],
    )
    for number in range(600):
        points.put(str(number), Point(str(number), f"label{number % 3}"))
    twin = points.fork()
    twin.put("new", Point("new", "label0"))
    for collection in (points, twin):
        rows = collection._rows
        assert not gc.is_tracked(rows.base) and not gc.is_tracked(rows.overlay)
        label = collection._indexes["label"]._plain
        assert not gc.is_tracked(label._buckets.overlay) and not gc.is_tracked(label.get("label0"))
        partition = collection._indexes["text"]._scopes["label"]
        assert not any(gc.is_tracked(chunk) for chunk in partition._sorted._chunks)
