"""Usage and environment errors, as a user meets them: one line, a hint, exit code 2, never a traceback."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testkommune.contracts import errors

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["serve", "certify", "demo", "suites", "docs", "verify", "load", "replay", "trigger-sample"]


def run_cli(
    *args: str, cwd: Path, columns: str = "100", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COLUMNS": columns, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "testkommune.harness", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _one_clear_error(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, lines  # the error, and a hint
    assert "error: " in lines[0]
    return lines


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (("serve", "--port", "99999"), "99999 is out of range", "serve --help"),
        (("certify", "--fagsystem", "reference", "--url", "127.0.0.1:8585"), "not an http(s) URL",
         "http://127.0.0.1:8585"),
        (("certify", "--fagsystem", "reference", "--url", "http://127.0.0.1:9"),
         "did not answer (connection refused)", "testkommune serve"),
        (("certify", "--driver", "http", "--trigger-url", "http://127.0.0.1:9"),
         "did not answer (connection refused)", "trigger-sample"),
        (("sevre",), "Did you mean 'serve'?", "testkommune --help"),
        (("serve", "--prot", "8000"), "Did you mean '--port'?", "serve --help"),
        (("certify", "--driver", "htp"), "Did you mean 'http'?", "certify --help"),
        (("certify", "--fagsystem", "refrence"), "Did you mean 'reference'?", "periode-omvendt"),
        (("certify", "--suite", "basiss", "--fagsystem", "reference"), "Did you mean 'basis'?", None),
        (("certify", "--fagsystem", "reference", "--scenario", "BASIS-99"), "no scenario BASIS-99",
         "its scenarios: BASIS-01, BASIS-02, BASIS-03"),
        (("demo", "--broken", "periode-omvent"), "Did you mean 'periode-omvendt'?", "one of"),
        (("load", "--url", "127.0.0.1:8585"), "not an http(s) URL", "http://127.0.0.1:8585"),
        (("load", "--url", "http://127.0.0.1:9"), "did not answer (connection refused)", "testkommune serve"),
        (("load", "--profile", "maanedskorsel"), "Did you mean 'maanedskoersel'?", None),
        (("docs", "--out", "/proc/x/y"), "/proc/x: No such file or directory", "permissions"),
    ],
)  # fmt: skip
def test_a_usage_or_environment_error_is_one_line_with_a_hint(tmp_path, args, error, hint):
    lines = _one_clear_error(run_cli(*args, cwd=tmp_path))
    assert error in lines[0]
    assert "Max retries" not in lines[0] and "urllib3" not in lines[0]
    if hint:
        assert lines[1].startswith("  hint: ") and hint in lines[1]


def test_a_missing_public_key_file_is_a_usage_error(tmp_path):
    (tmp_path / "x.bevis").mkdir()
    lines = _one_clear_error(run_cli("verify", "x.bevis", "--public-key", "/nonexistent.pem", cwd=tmp_path))
    assert "cannot read /nonexistent.pem" in lines[0] and "No such file" in lines[0]


def test_a_postgresql_db_without_the_extra_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['psycopg'] = None; from testkommune.harness.cli import run; "
        "sys.exit(run(['serve', '--db', 'postgresql+psycopg://tk@127.0.0.1/tk', '--workers', '2']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env=os.environ | {"PYTHONPATH": str(ROOT)}, check=False,
    )  # fmt: skip
    lines = _one_clear_error(done)
    assert "psycopg" in lines[0]
    assert lines[1] == "  hint: pip install 'testkommune[postgres]'"


def test_an_unreachable_database_is_one_line(tmp_path):
    lines = _one_clear_error(
        run_cli("certify", "--fagsystem", "reference", "--db", "postgresql+psycopg://tk@127.0.0.1:9/tk",
                cwd=tmp_path)
    )  # fmt: skip
    assert "cannot open the state database" in lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_examples_and_exit_codes(tmp_path, command):
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    text = result.stdout
    _usage, _, rest = text.partition("\n\n")
    assert rest.split("\n\n")[0].strip() and not rest.startswith("options:")  # a description paragraph
    assert f"examples:\n  testkommune {command}" in text
    assert "exit codes:\n  0 " in text and "\n  2  usage or environment error" in text


def test_every_command_defaults_to_the_same_database(tmp_path):
    defaults = set()
    for command in ("serve", "certify", "demo", "replay"):
        text = " ".join(run_cli(command, "--help", cwd=tmp_path, columns="400").stdout.split())
        defaults.add(text.split("(default ./", 1)[1].split(")", 1)[0])
    assert defaults == {".testkommune/testkommune.db"}


def test_certify_keeps_its_state_in_the_default_database(tmp_path):
    result = run_cli("certify", "--fagsystem", "reference", "--scenario", "BASIS-01", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / ".testkommune" / "testkommune.db").is_file()


def test_piped_output_never_splits_an_identifier(tmp_path):
    result = run_cli("certify", "--fagsystem", "periode-omvendt", "--scenario", "BASIS-01", cwd=tmp_path,
                     columns="40")  # fmt: skip
    assert result.returncode == 1
    path = "$.OpretDebitorkonto.Fordring[0].PeriodeFraDato"
    assert any(path in line for line in result.stdout.splitlines()), result.stdout


# -- one error root -------------------------------------------------------------------------------------


def _exception_classes() -> list[tuple[str, str, list[str]]]:
    """(file, class, base names) of every exception class in the package's sources."""
    found = []
    for folder in ("contracts", "simulators", "scenarios", "harness"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ClassDef):
                    bases = [ast.unparse(b) for b in node.bases]
                    if any(b.endswith(("Error", "Exception")) for b in bases):  # (RaisedInError is an event)
                        found.append((str(path.relative_to(ROOT)), node.name, bases))
    return found


def test_every_exception_of_testkommune_has_the_one_root():
    strays = [
        (file, name, bases)
        for file, name, bases in _exception_classes()
        if file != "contracts/errors.py" and not any(b in ERROR_FAMILIES for b in bases)
    ]
    assert strays == []
    assert len(_exception_classes()) >= 16


ERROR_FAMILIES = {"TestkommuneError", "UsageError", "SetupError", "ContractError", "FagsystemError"}


def test_the_families_hang_from_the_root_and_carry_a_hint():
    for name in ERROR_FAMILIES:
        assert issubclass(getattr(errors, name), errors.TestkommuneError)
    problem = errors.SetupError("no answer", hint="start it")
    assert str(problem) == "no answer" and problem.hint == "start it"
    assert errors.UsageError("x").hint is None
