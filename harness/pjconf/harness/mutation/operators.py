"""The mutation operators: each finds its places in a module's AST and says what text replaces
which span of the source, so a mutant is the original file with one span spliced.

Splicing the source (rather than unparsing the whole tree) keeps every other line as written;
spans are taken from the AST, whose columns count UTF-8 bytes, so splicing works on bytes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from pjconf.harness.mutation.ids import mutant_id

OPERATORS: dict[str, str] = {
    "compare": "a comparison swapped: < and <=, > and >=, == and !=, is and is not, in and not in",
    "boolop": "and and or swapped",
    "int+1": "an integer constant plus one",
    "int-1": "an integer constant minus one",
    "raise-pass": "a raise statement replaced by pass",
    "drop-guard": "an 'if cond: ... raise/return' without else removed",
    "not": "a not removed",
    "error-text": "a string given to an error (raised, or built by a *Error / err call) changed",
}
"""Operator name (as it appears in mutant ids) -> what it does."""

_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_GUARDED = "_pjconf_guarded"
"""Set on a raise that is the whole body of a guard (which drop-guard removes instead)."""
TEXT_MARK = "mutant: "
"""What the error-text operator puts in front of an error's text."""


@dataclass(frozen=True)
class Mutant:
    module: str
    """Path under ``pjconf/reference`` without ``.py``, e.g. ``crypto/hpke``."""
    operator: str
    line: int
    """First line of the mutated node (for people; the id does not use it)."""
    text: str
    """That line's stripped text."""
    occurrence: int
    start: tuple[int, int]
    """(line, UTF-8 byte column) where the replaced span starts."""
    end: tuple[int, int]
    replacement: str
    reach: tuple[int, int]
    """The lines of which a case must execute one to reach the mutation (first, last)."""
    module_level: bool
    """Runs at import time (module or class body, defaults, decorators): no case 'reaches' it,
    every case depends on it."""
    description: str = field(default="")

    @property
    def id(self) -> str:
        return mutant_id(self.module, self.operator, self.text, self.occurrence)


@dataclass(frozen=True)
class _Site:
    operator: str
    node: ast.AST
    replacement: str
    reach_node: ast.AST
    module_level: bool
    description: str


def mutants_of(module: str, source: str, *, check: bool = True) -> list[Mutant]:
    """Every mutant of one module's source, in source order; with ``check`` (the default), only
    those whose source parses (without it, listing ids is many times faster)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    seen: dict[tuple[str, str], int] = {}
    found: list[Mutant] = []
    for site in _sites(tree, source, in_function=False):
        node, reach = site.node, site.reach_node
        text = lines[node.lineno - 1].strip()  # type: ignore[attr-defined]
        key = (site.operator, text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        mutant = Mutant(
            module=module,
            operator=site.operator,
            line=node.lineno,  # type: ignore[attr-defined]
            text=text,
            occurrence=occurrence,
            start=(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            end=(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
            replacement=site.replacement,
            reach=(reach.lineno, reach.end_lineno or reach.lineno),  # type: ignore[attr-defined]
            module_level=site.module_level,
            description=site.description,
        )
        if check:
            try:
                ast.parse(apply(source, mutant))
            except SyntaxError:
                continue
        found.append(mutant)
    return found


def apply(source: str, mutant: Mutant) -> str:
    """``source`` with the mutant's span replaced."""
    data = source.encode("utf-8")
    starts = [0]
    for raw in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(raw))
    begin = starts[mutant.start[0] - 1] + mutant.start[1]
    end = starts[mutant.end[0] - 1] + mutant.end[1]
    return (data[:begin] + mutant.replacement.encode("utf-8") + data[end:]).decode("utf-8")


def _sites(node: ast.AST, source: str, *, in_function: bool) -> Iterator[_Site]:
    """The mutation sites in ``node`` and below, in source order."""
    module_level = not in_function
    yield from _here(node, source, module_level)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        for child in [*node.decorator_list, node.args, *([node.returns] if node.returns else [])]:
            yield from _sites(child, source, in_function=in_function)
        for stmt in node.body:
            yield from _sites(stmt, source, in_function=True)
        return
    if isinstance(node, ast.Lambda):
        yield from _sites(node.args, source, in_function=in_function)
        yield from _sites(node.body, source, in_function=True)
        return
    if isinstance(node, ast.If) and _skipped_block(node):
        return
    if isinstance(node, ast.AnnAssign):
        children: list[ast.AST] = [node.target, *([node.value] if node.value else [])]
        for child in children:  # the annotation is a type, not behaviour
            yield from _sites(child, source, in_function=in_function)
        return
    if isinstance(node, ast.arg):
        return
    for child in ast.iter_child_nodes(node):
        yield from _sites(child, source, in_function=in_function)


def _skipped_block(node: ast.If) -> bool:
    """``if TYPE_CHECKING:`` and ``if __name__ == "__main__":`` hold no behaviour to mutate."""
    test = ast.unparse(node.test)
    return test in ("TYPE_CHECKING", "__name__ == '__main__'")


def _here(node: ast.AST, source: str, module_level: bool) -> Iterator[_Site]:
    """The sites whose mutated span is ``node`` itself."""

    def site(operator: str, replacement: str, description: str, reach: ast.AST = node) -> _Site:
        return _Site(operator, node, replacement, reach, module_level, description)

    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            swapped = _SWAPS[type(op)]()
            ops = [*node.ops[:index], swapped, *node.ops[index + 1 :]]
            new = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
            before, after = _op_text(op), _op_text(swapped)
            yield site("compare", f"({ast.unparse(new)})", f"{before} -> {after}")
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        new_bool = ast.BoolOp(op=other, values=node.values)
        names = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        yield site("boolop", f"({ast.unparse(new_bool)})", f"{names[0]} -> {names[1]}")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield site("not", f"({ast.unparse(node.operand)})", "not removed")
    elif isinstance(node, ast.Constant) and _is_int(node):
        value = int(node.value)  # type: ignore[arg-type]
        yield site("int+1", str(value + 1), f"{value} -> {value + 1}")
        yield site("int-1", str(value - 1), f"{value} -> {value - 1}")
    elif isinstance(node, ast.Raise):
        if not getattr(node, _GUARDED, False):
            yield site("raise-pass", "pass", "raise -> pass")
        if isinstance(node.exc, ast.Call) and not _is_error_call(node.exc):
            yield from _texts(node.exc, module_level)
    elif isinstance(node, ast.If) and _is_guard(node, source):
        if len(node.body) == 1:  # raise -> pass would be this same mutant
            setattr(node.body[0], _GUARDED, True)
        yield site("drop-guard", "pass", "guard removed", reach=node.test)
    elif isinstance(node, ast.Call) and _is_error_call(node):
        yield from _texts(node, module_level)


def _texts(node: ast.Call, module_level: bool) -> Iterator[_Site]:
    """An error-text site for each literal string given to the error."""
    for arg in node.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
            text = repr(TEXT_MARK + arg.value)
        elif isinstance(arg, ast.JoinedStr):
            text = ast.unparse(ast.JoinedStr(values=[ast.Constant(TEXT_MARK), *arg.values]))
        else:
            continue
        yield _Site("error-text", arg, text, arg, module_level, "error text changed")


def _op_text(op: ast.cmpop) -> str:
    probe = ast.Compare(left=ast.Name("a"), ops=[op], comparators=[ast.Name("b")])
    return ast.unparse(probe)[2:-2]


def _is_int(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )


def _is_guard(node: ast.If, source: str) -> bool:
    """``if cond: ... raise/return`` with no else, written as ``if`` (an ``elif`` is the else of
    the ``if`` above it, so removing it alone is not a dropped guard)."""
    if node.orelse or not isinstance(node.body[-1], ast.Raise | ast.Return):
        return False
    line = source.splitlines()[node.lineno - 1].encode("utf-8")
    return line[node.col_offset :].startswith(b"if ")


def _is_error_call(node: ast.Call) -> bool:
    func = node.func
    name = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    return name == "err" or name.endswith(("Error", "Exception"))
