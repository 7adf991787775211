"""The codebase keeps its own rules: ruff-clean, and the layering of ARCHITECTURE.md holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


FLOORS = ("contracts", "simulators", "scenarios", "harness")


def _bare_floor_imports(path: Path) -> list[str]:
    """Imports of a floor by its folder name (`import harness`, `from contracts import …`), which work only
    from a checkout's root and never from the installed wheel."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names if name.split(".")[0] in FLOORS
        ]
    return found


def test_every_import_goes_through_the_testkommune_namespace():
    files = [p for folder in (*FLOORS, "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    assert [hit for path in files for hit in _bare_floor_imports(path)] == []
    needle = '"-m", "' + 'harness"'  # `python -m harness` runs the checkout's folder, not the install
    module_runs = [
        str(path.relative_to(ROOT))
        for path in files
        if needle in " ".join(path.read_text(encoding="utf-8").split())
    ]
    assert module_runs == []


def test_type_hints_hold():
    """mypy over the installed namespace (.ci/typecheck.py); every remaining ignore carries its reason."""
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "typecheck.py")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    unexplained = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in FLOORS
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "type: ignore" in line and "  # " not in line.split("type: ignore", 1)[1]
    ]
    assert unexplained == []


MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def test_no_production_module_is_longer_than_400_lines():
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for folder in FLOORS
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}


def _long_functions(path: Path, root: Path = ROOT) -> list[str]:
    """Functions and methods in `path` longer than MAX_FUNCTION_LINES, from `def` to their last line."""
    import ast

    functions = [
        node
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    sizes = {node: (node.end_lineno or node.lineno) - node.lineno + 1 for node in functions}
    return [
        f"{path.relative_to(root)}:{node.name} ({size} lines from line {node.lineno})"
        for node, size in sizes.items()
        if size > MAX_FUNCTION_LINES
    ]


def test_no_function_is_longer_than_60_lines():
    files = [p for folder in FLOORS for p in sorted((ROOT / folder).rglob("*.py"))]
    assert [hit for path in files for hit in _long_functions(path)] == []


def test_the_function_length_check_names_an_offender(tmp_path: Path):
    lines = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    probe = tmp_path / "probe.py"
    probe.write_text(f"def fits():\n    pass\n\n\ndef too_long():\n{lines}\n", encoding="utf-8")
    assert _long_functions(probe, tmp_path) == ["probe.py:too_long (61 lines from line 5)"]
