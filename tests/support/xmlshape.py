"""Compare the *shape* of two XML documents (a golden fixture and a live response).

Values differ between a fixture and live data, so only structure is compared:

    {
        "root": "{namespace}LocalName",
        "attributes": [sorted root attribute names],
        "children": [child entries in document order, consecutive repeats collapsed],
    }

A child entry is its tag: the bare local name when the child is in the root's
namespace (the normal case), the Clark ``{ns}local`` form otherwise, so that a
namespace slip still shows up. The recursion goes one level down:

* an ``Attribute`` child of an entity document is just ``"Attribute"``; neither
  its ``name`` nor its content (``Value`` or an expanded entity) counts;
* any other child that has element children (``customAttributes`` in a
  UserResponse, ``Mandate`` entities in a ``Mandates`` list with entities=true)
  becomes ``{"tag": tag, "children": [its child tags, repeats collapsed]}``;
* any other child is its tag.

So ``<Users><Id/><Id/></Users>`` and ``<Users><Id/></Users>`` have the same shape,
and ``<User>`` with twelve attributes has the same shape as ``<User>`` with three.
"""

from __future__ import annotations

from typing import Any

from defusedxml.ElementTree import fromstring

XmlInput = str | bytes

__all__ = ["shape", "same_shape"]


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _child_tag(tag: str, root_ns: str) -> str:
    ns, local = _split(tag)
    return local if ns == root_ns else tag


def _collapse(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def shape(xml: XmlInput) -> dict:
    """Describe the shape of ``xml`` (text or bytes). See the module docstring."""
    root = fromstring(xml)
    root_ns, _ = _split(root.tag)
    entries: list[Any] = []
    for child in root:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        tag = _child_tag(child.tag, root_ns)
        grandchildren = [c for c in child if isinstance(c.tag, str)]
        if tag == "Attribute" or not grandchildren:
            entries.append(tag)
        else:
            entries.append(
                {
                    "tag": tag,
                    "children": _collapse([_child_tag(g.tag, root_ns) for g in grandchildren]),
                }
            )
    return {
        "root": root.tag,
        "attributes": sorted(root.attrib),
        "children": _collapse(entries),
    }


def same_shape(a: XmlInput | dict, b: XmlInput | dict) -> tuple[bool, str]:
    """Compare two documents (or already computed shapes).

    Returns ``(True, "same shape")`` or ``(False, explanation of the first difference)``.
    """
    sa = a if isinstance(a, dict) else shape(a)
    sb = b if isinstance(b, dict) else shape(b)
    if sa["root"] != sb["root"]:
        return False, f"root differs: {sa['root']} != {sb['root']}"
    if sa["attributes"] != sb["attributes"]:
        only_a = sorted(set(sa["attributes"]) - set(sb["attributes"]))
        only_b = sorted(set(sb["attributes"]) - set(sa["attributes"]))
        return False, (
            f"root attributes differ: {sa['attributes']} != {sb['attributes']}"
            f" (only in first: {only_a}, only in second: {only_b})"
        )
    if sa["children"] != sb["children"]:
        ca, cb = sa["children"], sb["children"]
        i = next(
            (n for n, (x, y) in enumerate(zip(ca, cb)) if x != y),
            min(len(ca), len(cb)),
        )
        first = ca[i] if i < len(ca) else "<end>"
        second = cb[i] if i < len(cb) else "<end>"
        return False, (f"children differ at position {i}: {first!r} != {second!r} (first: {ca}, second: {cb})")
    return True, "same shape"
