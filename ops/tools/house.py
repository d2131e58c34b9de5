"""House rules, read from the source: imports run one way, functions stay short, Lua is in .lua files.

    python ops/tools/house.py              # cross-package imports, the longest functions, the verdicts
    python ops/tools/house.py --modules    # and every module -> module edge

Imports run one way: `workers` -> `tasks` -> `newsflow`. The one exception is
`newsflow/__main__.py`, the program's entry (`python -m newsflow`), which sits
above everything and only hands over to `workers.cli`. No function (in the
three packages and `ops/`) is longer than MAX_FUNCTION_LINES. Lua lives in
`.lua` files (`newsflow/lua/`, `newsflow/placement/`), never in Python strings.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("newsflow", "tasks", "workers")
#: A package may import the ones after it in this order, never the ones before it.
ORDER = {"workers": 0, "tasks": 1, "newsflow": 2}
#: The program's entry point: allowed to import the top of the graph.
ENTRY = "newsflow.__main__"
#: The longest a function may be, decorators and docstring included.
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


#: Keyword arguments and attributes whose strings name modules to import (Celery's `imports`,
#: `include`), and calls that import the module their string arguments name.
STRING_IMPORT_NAMES = {"imports", "include"}
STRING_IMPORT_CALLS = {"autodiscover_tasks", "import_module", "__import__", "import_string", "symbol_by_name"}


def _strings(node: ast.AST) -> set[str]:
    """The string constants of a string, list, tuple or set expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def string_imports(node: ast.AST) -> set[str]:
    """Modules one syntax node names in a string to be imported: `imports=[...]`, `include=[...]`,
    `conf.imports = ...`, `autodiscover_tasks([...])`, `import_module("...")`."""
    if isinstance(node, ast.keyword) and node.arg in STRING_IMPORT_NAMES:
        return _strings(node.value)
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr in STRING_IMPORT_NAMES
                                            for t in node.targets):
        return _strings(node.value)
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in STRING_IMPORT_CALLS:
            return set().union(*(_strings(a) for a in node.args)) if node.args else set()
    return set()


def imports(path: Path) -> set[str]:
    """Absolute module names one file imports (at any depth of the file, lazily or not), the ones
    named in strings for Celery or importlib included."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        else:
            out.update(s.split(":")[0] for s in string_imports(node))
    return out


def edges() -> list[tuple[str, str]]:
    """(importer, imported) for every import between the three packages."""
    out = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            src = module_name(path)
            for dst in sorted(imports(path)):
                if dst.split(".")[0] in PACKAGES:
                    out.append((src, dst))
    return out


def wrong_way(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Imports against the direction workers -> tasks -> newsflow."""
    return [(a, b) for a, b in pairs
            if a != ENTRY and ORDER[b.split(".")[0]] < ORDER[a.split(".")[0]]]


def function_lengths(folders: tuple[str, ...] = (*PACKAGES, "ops")) -> list[tuple[int, str]]:
    """(lines, "path:line name") of every function and method, longest first."""
    out = []
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    out.append((node.end_lineno - first + 1, f"{path.relative_to(REPO)}:{node.lineno} {node.name}"))
    return sorted(out, key=lambda x: (-x[0], x[1]))


def inline_lua(folders: tuple[str, ...] = PACKAGES) -> list[str]:
    """Python files of the packages that hold Lua (a `redis.call(`): Lua lives in `.lua` files."""
    return [str(p.relative_to(REPO)) for folder in folders for p in sorted((REPO / folder).rglob("*.py"))
            if "redis.call(" in p.read_text(encoding="utf-8")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", action="store_true", help="print every module -> module edge")
    args = parser.parse_args()
    pairs = edges()
    packages = sorted({(a.split(".")[0], b.split(".")[0]) for a, b in pairs
                       if a.split(".")[0] != b.split(".")[0] and a != ENTRY})
    for a, b in packages:
        print(f"{a} -> {b}")
    print(f"(entry point {ENTRY} -> {', '.join(sorted(b for a, b in pairs if a == ENTRY))})")
    if args.modules:
        for a, b in pairs:
            print(f"  {a} -> {b}")
    bad = wrong_way(pairs)
    for a, b in bad:
        print(f"wrong way: {a} imports {b}")
    print("imports run one way" if not bad else f"{len(bad)} imports run the wrong way")
    lengths = function_lengths()
    for n, where in lengths[:5]:
        print(f"{n:4d} lines  {where}")
    long = [x for x in lengths if x[0] > MAX_FUNCTION_LINES]
    print(f"no function over {MAX_FUNCTION_LINES} lines" if not long else f"{len(long)} functions over {MAX_FUNCTION_LINES} lines")
    lua = inline_lua()
    print("Lua only in .lua files" if not lua else f"Lua inside Python: {', '.join(lua)}")
    return 1 if bad or long or lua else 0


if __name__ == "__main__":
    sys.exit(main())
