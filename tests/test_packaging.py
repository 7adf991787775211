"""The built wheel carries everything the main job needs: the demo runs from it, outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return next(out.glob("testkommune-*.whl"))


def test_wheel_holds_every_contract_and_suite(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [
        p
        for p in (ROOT / "contracts").rglob("*")
        if p.is_file() and p.suffix in (".json", "") and p.name != "README"
    ]
    data += list((ROOT / "scenarios" / "suites").glob("*.yaml"))
    missing = [str(p.relative_to(ROOT)) for p in data if p.relative_to(ROOT).as_posix() not in names]
    assert not missing


def test_demo_runs_from_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    env = os.environ | {"PYTHONPATH": str(target), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "harness", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERDICT: PASSED" in result.stdout and "VERDICT: FAILED" in result.stdout
    assert (
        str(target)
        in subprocess.run(
            [sys.executable, "-c", "import harness; print(harness.__file__)"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        ).stdout
    )
