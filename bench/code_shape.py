"""The code's shape, for the maintainers: longest modules and functions, imports between the
project's apps (at module level and inside functions) and the cycles they make.

    .venv/bin/python bench/code_shape.py   # prints; writes bench/results/code_shape.json

A cycle is counted between apps at module level (what Python resolves at import time) and, apart,
with the function-level imports included (what a reader must hold in mind)."""

import ast
import json
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts", "assessments", "demo", "directory", "matching", "notifications", "people",
    "referrals", "slips", "stats", "territory", "pasip", "worker",
]  # fmt: skip


def app_of(module):
    head = module.split(".")[0]
    return head if head in APPS else None


def python_files():
    for app in APPS:
        folder = ROOT / app
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                if "migrations" not in path.parts:
                    yield app, path


def type_checking_only(node):
    """An `if TYPE_CHECKING:` block with no `else`: its imports name types for the annotations
    and never run (`tests/test_dependency_order.py` reads them the same way)."""
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING" and not node.orelse


def imports(tree):
    """(module imported, at module level?) for each import of the file that runs."""
    top_level, annotations_only = set(), set()
    for node in tree.body:
        if isinstance(node, ast.If) and type_checking_only(node):
            annotations_only.update(id(inner) for inner in ast.walk(node))
            continue
        for inner in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            top_level.add(id(inner))
    for node in ast.walk(tree):
        if id(node) in annotations_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield name, id(node) in top_level


def cycles(edges):
    """Strongly connected components of more than one app (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main():
    modules, functions = [], []
    module_edges, all_edges = {}, {}
    function_level = 0
    for app, path in python_files():
        text = path.read_text()
        tree = ast.parse(text)
        name = str(path.relative_to(ROOT))
        modules.append((len(text.splitlines()), name))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append((node.end_lineno - node.lineno + 1, f"{name}:{node.name}"))
        for imported, at_top in imports(tree):
            target = app_of(imported)
            if target is None or target == app:
                continue
            all_edges.setdefault(app, set()).add(target)
            if at_top:
                module_edges.setdefault(app, set()).add(target)
            else:
                function_level += 1
    modules.sort(reverse=True)
    functions.sort(reverse=True)
    mutual = [
        f"{a} ⇄ {b}"
        for a, b in combinations(sorted(all_edges), 2)
        if b in all_edges.get(a, ()) and a in all_edges.get(b, ())
    ]
    figures = {
        "longest_modules": [f"{lines} {name}" for lines, name in modules[:5]],
        "longest_functions": [f"{lines} {name}" for lines, name in functions[:5]],
        "function_level_imports_between_apps": function_level,
        "cycles_at_module_level": cycles(module_edges),
        "cycles_with_function_level_imports": cycles(all_edges),
        "apps_importing_each_other": mutual,
        "module_level_dependencies": {
            app: sorted(targets) for app, targets in sorted(module_edges.items())
        },  # fmt: skip
    }
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "code_shape.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
