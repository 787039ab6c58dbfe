"""The layer contract: lower layers never import higher ones, function-local and type-only
imports included (every ``import`` statement anywhere in a module counts).

The layers, top to bottom, are ``[tool.ketensim.layers] order`` in pyproject.toml; each is a
list of modules or packages, which may import each other. A module belongs to the layer of
its longest listed prefix; one matching no prefix is an error, so a new top-level package
must be placed. ``forbidden`` lists pairs [importer, imported] that may not meet even where
the order allows it (``report`` renders and opens no file, so it never imports ``store``).

Usage: python3 tools/layers.py [pyproject.toml] -- prints each import that points up or is
forbidden (file, line, both modules); exits 1 when there is any.
"""
from __future__ import annotations

import ast
import pathlib
import sys
import tomllib


def modules(root: pathlib.Path) -> dict[str, pathlib.Path]:
    out = {}
    for f in sorted(root.rglob("*.py")):
        parts = list(f.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def imported(mod: str, node: ast.Import | ast.ImportFrom, mods: dict[str, pathlib.Path]) -> list[str]:
    """The module names an import statement may load (a package, its submodules by name)."""
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = mod.split(".")
            base = base if mods[mod].name == "__init__.py" else base[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        return [target] + [f"{target}.{a.name}" for a in node.names]
    return [a.name for a in node.names]


def layer_of(mod: str, order: list[list[str]]) -> int | None:
    best: tuple[int, int] | None = None
    for i, prefixes in enumerate(order):
        for p in prefixes:
            if (mod == p or mod.startswith(p + ".")) and (best is None or len(p) > best[1]):
                best = (i, len(p))
    return best[0] if best else None


def _within(mod: str, prefix: str) -> bool:
    return mod == prefix or mod.startswith(prefix + ".")


def check(root: pathlib.Path, order: list[list[str]], forbidden: list[list[str]] = ()) -> list[str]:
    mods = modules(root)
    pkg = root.name
    problems = []
    for m, f in mods.items():
        lm = layer_of(m, order)
        if lm is None:
            problems.append(f"{m}: in no layer of [tool.ketensim.layers] (pyproject.toml): place it")
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            seen = set()
            for t in imported(m, node, mods):
                if not (t == pkg or t.startswith(pkg + ".")):
                    continue
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if not t or t == m or t == pkg or t in seen:
                    continue
                seen.add(t)
                lt = layer_of(t, order)
                if lt is not None and lt < lm:
                    problems.append(f"{f}:{node.lineno}: {m} ({' '.join(order[lm])}) imports {t} "
                                    f"({' '.join(order[lt])}), a higher layer")
                for a, b in forbidden:
                    if _within(m, a) and _within(t, b):
                        problems.append(f"{f}:{node.lineno}: {m} imports {t}: {a} may not import {b}")
    return problems


def main() -> int:
    pyproject = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    conf = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["ketensim"]["layers"]
    root = pyproject.parent / conf["root"]
    order = conf["order"]
    problems = check(root, order, conf.get("forbidden", []))
    for p in problems:
        print(p)
    print(f"{len(problems)} imports against the layers among {len(modules(root))} modules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
