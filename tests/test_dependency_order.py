"""The apps import one another only downwards, in the order of the README's "Dependency order"
table: an app imports, at module level, only apps listed before it."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Files still importing upwards, each until it moves where it belongs. This set only shrinks:
# a file listed here that no longer imports upwards (or no longer exists) fails the test too.
EXCEPTIONS: dict[str, str] = {}


def readme_order():
    """The apps of the README's table, from the bottom to the top."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Dependency order", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| \d+ \| `(\w+)` \|", section, flags=re.MULTILINE)


def type_checking_only(node):
    """An `if TYPE_CHECKING:` block with no `else`: its imports serve the annotations only and
    never run."""
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING" and not node.orelse


def module_level_imports(tree):
    """The modules a file imports when it is imported (its body, `if` and `try` included; not
    an `if TYPE_CHECKING:` block, which only names types for the annotations)."""
    nodes = []
    for node in tree.body:
        if isinstance(node, ast.If) and type_checking_only(node):
            continue
        nodes.extend(ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node])
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def upward_imports(order):
    """{file: [app above it that it imports, ...]} for the apps of `order` present."""
    rank = {app: position for position, app in enumerate(order)}
    found = {}
    for app in order:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = str(path.relative_to(ROOT))
            for module in module_level_imports(ast.parse(path.read_text())):
                target = module.split(".")[0]
                if target in rank and rank[target] > rank[app]:
                    found.setdefault(name, []).append(module)
    return found


def test_the_readme_orders_every_app():
    order = readme_order()
    assert len(order) == len(set(order)), order
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"pasip", "worker"}
    assert apps <= set(order), sorted(apps - set(order))


def test_no_app_imports_one_above_it():
    upwards = upward_imports(readme_order())
    unexpected = {name: modules for name, modules in upwards.items() if name not in EXCEPTIONS}
    assert not unexpected, unexpected
    settled = sorted(set(EXCEPTIONS) - set(upwards))
    assert not settled, f"no longer importing upwards, remove from EXCEPTIONS: {settled}"


def test_imports_for_the_annotations_only_do_not_count():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import a\n"
        "if TYPE_CHECKING:\n"
        "    from b.models import B\n"
        "if DEBUG:\n"
        "    import c\n"
        "try:\n"
        "    import d\n"
        "except ImportError:\n"
        "    pass\n"
    )
    assert list(module_level_imports(ast.parse(source))) == ["typing", "a", "c", "d"]
