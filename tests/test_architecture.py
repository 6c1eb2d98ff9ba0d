"""The import rules of docs/architecture.md, checked by walking every module's imports.

The seam is the adapter protocol: ``pjconf.protocol`` is the only package both sides import. The
harness asks and judges, so it must not reach into the reference it judges; the reference's
adapter answers, so it must not lean on the harness. A plain AST walk (no library) reads every
``import`` and ``from ... import`` in the tree, including those inside functions and
``TYPE_CHECKING`` blocks, so a rule cannot be dodged by importing late.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_ROOTS = {
    "protocol": ROOT / "protocol",
    "reference": ROOT / "reference",
    "harness": ROOT / "harness",
}

HARNESS_MAY_USE_REFERENCE = {
    "pjconf.harness.implementations.reference": "the in-process factory: the one door through "
    "which the harness gets the reference (as an adapter, and as the directory and wallets of "
    "driven sessions)",
    "pjconf.harness.vectorgen": "the vector generators are reference users: they write what the "
    "reference does into the corpus",
    "pjconf.harness.regtest": "the regtest kit builds real blocks and transactions with the "
    "reference's transaction codec, as a generator would",
}
"""Harness modules (or packages) allowed to import ``pjconf.reference``, each with its reason."""

REFERENCE_LAYERS = (
    "crypto",
    "bitcoin",
    "bip77",
    "payjoin",
    "persist",
    "session",
    "server",
    "adapter",
)
"""The reference's packages from the bottom up: each may import only those before it (and the
top-level modules ``errors`` and ``entropy``, which sit below them all)."""


@dataclass(frozen=True)
class Import:
    module: str
    """The importing module, e.g. ``pjconf.harness.run.runner``."""
    target: str
    """The imported module, e.g. ``pjconf.reference.bip77.ohttp``."""
    line: int
    path: Path

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.module} imports {self.target}"


def module_name(path: Path, source_root: Path) -> str:
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, path)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from pkg import sub` may name a submodule, but pkg is in the same layer and side.
            yield Import(module, base, node.lineno, path)


def all_imports() -> list[Import]:
    found: list[Import] = []
    for source_root in SOURCE_ROOTS.values():
        for path in sorted(source_root.rglob("*.py")):
            found.extend(imports_of(path, module_name(path, source_root)))
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(imports: list[Import]) -> list[str]:
    """Every import that breaks a rule, with the rule it breaks."""
    problems = []
    for imp in imports:
        src, dst = imp.module, imp.target
        if not within(dst, "pjconf"):
            continue
        if within(src, "pjconf.protocol") and not within(dst, "pjconf.protocol"):
            problems.append(f"{imp}: the protocol imports nothing of either side")
        elif within(src, "pjconf.reference.adapter"):
            if within(dst, "pjconf.harness"):
                problems.append(
                    f"{imp}: the reference's adapter answers; it never uses the harness"
                )
        elif within(src, "pjconf.reference"):
            if within(dst, "pjconf.harness") or within(dst, "pjconf.protocol"):
                problems.append(f"{imp}: the reference knows nothing of the protocol or harness")
            elif layer_problem := reference_layer_problem(src, dst):
                problems.append(f"{imp}: {layer_problem}")
        elif (
            within(src, "pjconf.harness")
            and within(dst, "pjconf.reference")
            and not any(within(src, allowed) for allowed in HARNESS_MAY_USE_REFERENCE)
        ):
            problems.append(
                f"{imp}: the harness reaches the reference only through "
                "pjconf.harness.implementations.reference (or is a vector generator)"
            )
    return problems


def reference_layer_problem(src: str, dst: str) -> str | None:
    """A reference package importing one above it (say, bitcoin reaching up into bip77)."""
    if not within(dst, "pjconf.reference"):
        return None
    src_layer, dst_layer = layer_of(src), layer_of(dst)
    if src_layer is None or dst_layer is None:
        return None
    if REFERENCE_LAYERS.index(dst_layer) > REFERENCE_LAYERS.index(src_layer):
        return f"the {src_layer} layer reaches up into the {dst_layer} layer"
    return None


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in REFERENCE_LAYERS else None


def test_the_walk_sees_the_whole_tree() -> None:
    imports = all_imports()
    modules = {imp.module for imp in imports}
    # A walk that finds nothing would pass every rule: make sure it reads all three sides.
    assert any(within(m, "pjconf.protocol") for m in modules)
    assert any(within(m, "pjconf.reference.adapter") for m in modules)
    assert any(within(m, "pjconf.harness.run") for m in modules)
    assert len(imports) > 1000


def test_every_import_keeps_the_architecture_rules() -> None:
    problems = violations(all_imports())
    assert not problems, "import rules broken:\n" + "\n".join(problems)


def test_the_allowed_harness_modules_exist() -> None:
    """A stale allowance would silently widen the door."""
    for allowed in HARNESS_MAY_USE_REFERENCE:
        relative = Path(*allowed.split("."))
        base = SOURCE_ROOTS["harness"] / relative
        assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), allowed


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        (
            "pjconf.harness.run.runner",
            "from pjconf.reference.bip77 import ohttp\n",
            "the harness reaches the reference only through",
        ),
        (
            "pjconf.harness.sessions.driver",
            "def late() -> None:\n    import pjconf.reference.session.json_codec\n",
            "the harness reaches the reference only through",
        ),
        (
            "pjconf.reference.adapter.ops",
            "from pjconf.harness.run import checker\n",
            "never uses the harness",
        ),
        (
            "pjconf.reference.session.json_codec",
            "from pjconf.protocol.wire import JsonObject\n",
            "knows nothing of the protocol",
        ),
        (
            "pjconf.reference.server.app",
            "from pjconf.reference.adapter import ops\n",
            "the server layer reaches up into the adapter layer",
        ),
        (
            "pjconf.reference.server.run",
            "from pjconf.protocol.wire import JsonObject\n",
            "knows nothing of the protocol",
        ),
        (
            "pjconf.reference.bitcoin.bech32m",
            "from pjconf.reference.bip77.bech32 import CHARSET\n",
            "the bitcoin layer reaches up into the bip77 layer",
        ),
        (
            "pjconf.protocol.wire",
            "from pjconf.reference.errors import PjconfError\n",
            "the protocol imports nothing of either side",
        ),
    ],
)
def test_a_planted_violation_is_reported(
    tmp_path: Path, module: str, source: str, rule: str
) -> None:
    """Each rule can fail: the checker names a planted import and the rule it breaks."""
    path = tmp_path / "planted.py"
    path.write_text(source)
    planted = [
        Import(imp.module, imp.target, imp.line, ROOT / "planted.py")
        for imp in imports_of(path, module)
    ]
    problems = violations(planted)
    assert problems
    assert all(rule in problem for problem in problems), problems
