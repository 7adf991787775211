"""Type-check the installed namespace: mypy over `testkommune.*`, read from the repository's folders.

The repository keeps its top-level folders (`contracts/`, `simulators/`, `scenarios/`, `harness/`), which
install as `testkommune.<folder>` (setup.py). mypy cannot follow setuptools' editable-install finder, so this
script lays a `testkommune/` tree of symbolic links to those folders in a temporary directory and runs mypy
on it with the `[tool.mypy]` settings of pyproject.toml. Exit code: mypy's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ("contracts", "simulators", "scenarios", "harness")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="testkommune-types-") as tmp:
        namespace = Path(tmp) / "testkommune"
        namespace.mkdir()
        for floor in FLOORS:
            (namespace / floor).symlink_to(ROOT / floor, target_is_directory=True)
        packages = [arg for floor in FLOORS for arg in ("-p", f"testkommune.{floor}")]
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *packages]
        return subprocess.run(command, cwd=tmp, env=os.environ | {"MYPYPATH": tmp}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
