"""Every function of the service modules says what it takes and what it returns: each
parameter and the return carry a type annotation. Read from the source, nothing imported."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Service modules not yet annotated, each until it is. This set only shrinks: a file listed
# here that is fully annotated (or no longer exists) fails the test too.
PENDING: set[str] = set()

EXTRA_MODULES = ("referrals/loads.py", "people/erasure.py")


def service_modules():
    """The service modules, as paths relative to the project's root."""
    paths = {*ROOT.glob("*/services.py"), *ROOT.glob("*/services/*.py")}
    paths |= {ROOT / name for name in EXTRA_MODULES}
    return sorted(str(path.relative_to(ROOT)) for path in paths if ".venv" not in path.parts)


def unannotated(source):
    """["function(parameter)" or "function -> return", ...]: what the module-level functions
    of `source` leave without an annotation (`self` and `cls` need none)."""
    missing = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        parameters += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
        for parameter in parameters:
            if parameter.annotation is None and parameter.arg not in ("self", "cls"):
                missing.append(f"{node.name}({parameter.arg})")
        if node.returns is None:
            missing.append(f"{node.name} -> return")
    return missing


def test_unannotated_finds_what_lacks_a_type():
    source = (
        "def done(a: int, *args: str, b: int = 1, **kw: object) -> None: ...\n"
        "def bare(a, *args, b=1, **kw): ...\n"
        "def half(self, a: int): ...\n"
        "class Kept:\n"
        "    def method(self, a): ...\n"
    )
    assert unannotated(source) == [
        "bare(a)",
        "bare(b)",
        "bare(args)",
        "bare(kw)",
        "bare -> return",
        "half -> return",
    ]


def test_the_service_modules_are_found():
    modules = set(service_modules())
    assert {"notifications/services/outbox.py", "stats/services.py", *EXTRA_MODULES} <= modules


def test_every_service_signature_is_annotated():
    missing = {}
    for name in service_modules():
        if name not in PENDING:
            found = unannotated((ROOT / name).read_text())
            if found:
                missing[name] = found
    assert not missing, missing


def test_pending_only_shrinks():
    settled = sorted(
        name
        for name in PENDING
        if not (ROOT / name).exists() or not unannotated((ROOT / name).read_text())
    )
    assert not settled, f"fully annotated (or gone), remove from PENDING: {settled}"
