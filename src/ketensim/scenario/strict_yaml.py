"""Strict YAML: PyYAML's safe loader with duplicate keys, deep nesting and alias bombs
refused, for scenario and sweep files and for ``--set`` values alike.

PyYAML lets the last of two equal keys win silently (a pasted second ``seed:`` changes the
results unnoticed) and expands aliases without limit (a few hundred bytes can stand for a
billion values). Both are refused here with the line of the problem.
"""
from __future__ import annotations

from typing import Any

import yaml

from .errors import short

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists (the baseline needs 5)."""
MAX_NODES = 200_000
"""Most YAML nodes after expanding aliases (an alias bomb is refused before it is built)."""


class Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that is refused (duplicate key, too deep, too many aliases)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, deep nesting and alias bombs.

    Depth is counted while composing, and the expanded size of the node graph (aliases
    counted every time they are used) is checked before any Python object is built, so a
    hostile file costs milliseconds, not minutes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if first is not None:
                    raise Refused(f"duplicate key {short(key)} (first at line {first}); remove one of them",
                                  key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """A date-like scalar that is no calendar date (2020-02-30) stays text, so that the
        schema names the path, the value and what is allowed (not Python's own error)."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def _expanded_size(root: Any) -> int:
    """Nodes of the document with every alias expanded (memoised: linear in the file)."""
    memo: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in memo:
            continue
        kids: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [n for kv in node.value for n in kv]
        if children_done or not kids:
            memo[id(node)] = min(1 + sum(memo.get(id(k), 1) for k in kids), 10 * MAX_NODES)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in memo)
    return memo[id(root)]


def safe_load_strict(text: str) -> Any:
    """``yaml.safe_load`` with duplicate keys, deep nesting and alias bombs refused
    (``yaml.MarkedYAMLError`` with the position)."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node)
        if size > MAX_NODES:
            raise Refused(f"expands to more than {MAX_NODES:,} values (aliases used too often)",
                           node.start_mark)
        return loader.construct_document(node)
    finally:
        loader.dispose()
