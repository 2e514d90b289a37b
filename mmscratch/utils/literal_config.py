"""Reading values out of config text without running it.

A checkpoint written by mmengine holds its run's config as Python text
(``meta['cfg']``). Text from a file someone else wrote must never be
executed, so this reads top-level assignments whose values are literals
(``dict(...)`` calls, dicts, lists, tuples, strings, numbers, True, False,
None) with :mod:`ast` and nothing else.
"""
import ast
from typing import Any, Optional

_NAMES = {'True': True, 'False': False, 'None': None}
# larger texts are not read at all: ast.parse takes about 500 bytes of
# memory per byte of a flat list (a 4 MB list: 2 GB)
MAX_TEXT = 256 << 10
MAX_DEPTH = 64
MAX_INT = 1 << 63  # larger integers are not read (nor printed)


class NotLiteral(ValueError):
    """The text is not the literal form this reader accepts."""


def _value(node: ast.AST, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise NotLiteral('nested too deeply')
    if isinstance(node, ast.Constant) and isinstance(
            node.value, (str, int, float, bool, type(None))):
        if type(node.value) is int and abs(node.value) >= MAX_INT:
            raise NotLiteral('an integer too large')
        return node.value
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(
            node.op, (ast.USub, ast.UAdd)) and isinstance(
                node.operand, ast.Constant) and isinstance(
                    node.operand.value, (int, float)):
        value = _value(node.operand, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(e, depth + 1) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotLiteral('dict unpacking')
        return {_value(k, depth + 1): _value(v, depth + 1)
                for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args and \
            all(k.arg is not None for k in node.keywords):
        return {k.arg: _value(k.value, depth + 1) for k in node.keywords}
    raise NotLiteral(type(node).__name__)


def literal_assignment(text: str, name: str) -> Optional[Any]:
    """The literal value assigned to ``name`` at the top level of config
    text, or None when it is missing, not literal, or the text does not
    parse. Nothing in ``text`` is executed."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                isinstance(stmt.targets[0], ast.Name) and \
                stmt.targets[0].id == name:
            try:
                return _value(stmt.value)
            except (NotLiteral, TypeError, RecursionError):
                return None
    return None
