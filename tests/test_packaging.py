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


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Path:
    """The wheel installed on its own (no dependencies) into a folder of its own."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return target


def test_wheel_holds_every_contract_and_suite(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [
        p
        for p in (ROOT / "contracts").rglob("*")
        if p.is_file() and p.suffix in (".json", "") and p.name != "README"
    ]
    data += list((ROOT / "scenarios" / "suites").glob("*.yaml"))
    missing = [
        str(p.relative_to(ROOT)) for p in data if f"testkommune/{p.relative_to(ROOT).as_posix()}" not in names
    ]
    assert not missing


def test_the_wheel_installs_one_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"testkommune"}
    assert {name.split("/")[1] for name in names if name.startswith("testkommune/")} == {
        "contracts",
        "simulators",
        "scenarios",
        "harness",
        "docs",  # data only: the pages the dashboard renders
    }
    assert "testkommune/docs/sources/psrm.md" in names


def test_demo_runs_from_the_installed_wheel(installed: Path, tmp_path):
    target = installed
    env = os.environ | {"PYTHONPATH": str(target), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "demo"],
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
            [sys.executable, "-c", "import testkommune.harness as h; print(h.__file__)"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        ).stdout
    )


VENDOR_TEST = """
from contracts import ROOT as VENDOR_ROOT
from harness import vendor_name
from testkommune.harness.pytest_plugin import certification_tests

test_reference = certification_tests("basis", "testkommune.scenarios.fagsystemer:Foraeldrebetaling")


def test_the_vendors_own_packages_still_import():
    assert VENDOR_ROOT == "vendor contracts" and vendor_name() == "vendor harness"
"""


def test_a_vendor_project_with_its_own_contracts_and_harness_packages(installed: Path, tmp_path):
    """A vendor repository whose own `contracts` and `harness` packages sit on sys.path certifies as usual."""
    target = installed
    project = tmp_path / "vendor"
    (project / "contracts").mkdir(parents=True)
    (project / "contracts" / "__init__.py").write_text('ROOT = "vendor contracts"\n', encoding="utf-8")
    (project / "harness").mkdir()
    (project / "harness" / "__init__.py").write_text(
        'def vendor_name():\n    return "vendor harness"\n', encoding="utf-8"
    )
    (project / "test_vendor.py").write_text(VENDOR_TEST, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(project), str(target)]), "NO_COLOR": "1"}
    certify = subprocess.run(
        [sys.executable, "-m", "testkommune.harness", "certify", "--fagsystem", "reference"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert certify.returncode == 0, certify.stdout + certify.stderr
    assert "VERDICT: PASSED" in certify.stdout
    plugin = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
            "test_vendor.py",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert plugin.returncode == 0, plugin.stdout + plugin.stderr
    assert "4 passed" in plugin.stdout
