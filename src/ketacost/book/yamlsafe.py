"""Safe YAML for price books: no object tags, no duplicate keys, bounded aliases."""

from __future__ import annotations

from typing import Any

import yaml

from ketacost.errors import PriceBookError

# PyYAML's C loader is several times faster; the pure-Python one is the fallback.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Aliases share one object, but a "billion laughs" file still makes every consumer walk
# an exponential tree. Bound the expanded size and depth instead of refusing anchors.
MAX_NODES = 200_000
MAX_DEPTH = 40


_KINDS = {
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "base64 data",
}


class _BookLoader(_Base):  # type: ignore[misc]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A value YAML's own constructors choke on (2026-02-30, !!int abc, an integer
        of 5,000 digits, !!timestamp nope) is a marked error, never a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, RecursionError, MemoryError):
            raise
        except Exception as exc:
            kind = _KINDS.get(node.tag, f"a {node.tag.rsplit(':', 1)[-1]}")
            text = node.value if isinstance(node.value, str) else ""
            if len(text) > 40:
                text = f"{text[:20]}...({len(text):,} characters)"
            # Python's own words help for a date ("day is out of range for month").
            why = str(exc) if isinstance(exc, ValueError) and kind == "a date" else ""
            detail = f" ({why})" if why and len(why) < 60 else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"'{text}' is not {kind}{detail}", node.start_mark
            ) from None


def _mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_BookLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _check_tree(root: yaml.Node, where: str) -> None:
    """Refuse trees that nest too deep or expand too far through aliases."""
    memo: dict[int, tuple[int, int]] = {}  # id -> (expanded size, height)
    active: set[int] = set()

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in active:
            raise PriceBookError(f"{where}: a YAML alias refers to itself")
        if key not in memo:
            if depth > MAX_DEPTH:
                raise PriceBookError(f"{where}: nested deeper than {MAX_DEPTH} levels")
            active.add(key)
            children: list[yaml.Node] = []
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            size, height = 1, 0
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise PriceBookError(
                        f"{where}: expands to more than {MAX_NODES:,} values "
                        "(YAML aliases); write the values out"
                    )
            active.discard(key)
            memo[key] = (size, height)
        size, height = memo[key]
        if depth + height > MAX_DEPTH:
            raise PriceBookError(f"{where}: nested deeper than {MAX_DEPTH} levels")
        return size, height

    measure(root, 0)


def parse(text: str, where: str) -> Any:
    """Parse YAML text under safe_load semantics, raising PriceBookError on trouble."""
    try:
        loader = _BookLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_tree(node, where)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise PriceBookError(f"{where}: {problem}{at}") from None
    except yaml.YAMLError as exc:
        raise PriceBookError(f"{where}: invalid YAML ({exc})") from None
    except RecursionError:
        raise PriceBookError(f"{where}: nested too deeply") from None
