"""Issue 14, findings 6–8: report names from vendor text stay inside --report-dir; a trigger that fails on
/connect gives an ERROR verdict with reports, not a traceback; `serve --log-level debug` logs intact access
lines."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkommune.harness.reporting.names import report_stem
from testkommune.scenarios.fagsystemer import VARIANTS
from testkommune.scenarios.fagsystemer.trigger import trigger_app

from tests.test_crash_safety import ROOT, free_port
from tests.test_drivers import _Served
from tests.test_evidence import run_cli

HOSTILE_NAMES = ["../../../x", "/etc/passwd", "..", "a/b\\c", "con\x00x", "ø" * 300, "", ".bevis"]


def test_a_name_becomes_a_safe_file_stem():
    for name in HOSTILE_NAMES:
        stem = report_stem("basis", name)
        assert stem.startswith("basis-") and "/" not in stem and "\\" not in stem and "\x00" not in stem
        assert ".." not in stem and len(stem.encode()) <= 120, stem
    assert report_stem("basis", "foraeldrebetaling") == "basis-foraeldrebetaling"


def _named(name: str) -> Starlette:
    fagsystem = VARIANTS["reference"]()
    fagsystem.name = name
    return trigger_app(fagsystem)


def test_a_vendors_self_declared_name_cannot_write_outside_the_report_dir(tmp_path):
    with _Served(_named("../../../x")) as url:
        result = run_cli(
            "certify",
            "--driver",
            "http",
            "--trigger-url",
            url,
            "--system",
            "hostile",
            "--scenario",
            "BASIS-01",
            "--report-dir",
            "reports/run1",
            cwd=tmp_path,
        )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and ".testkommune" not in p.parts]
    assert written and all(p.is_relative_to(tmp_path / "reports" / "run1") for p in written), written
    assert not (tmp_path.parent / "x.json").exists()


def _connect_fails() -> Starlette:
    async def info(request: Request) -> Response:
        return Response(json.dumps({"name": "broken-trigger", "version": "1"}), media_type="application/json")

    async def connect(request: Request) -> Response:
        return Response("boom", status_code=500)

    return Starlette(routes=[Route("/", info, methods=["GET"]), Route("/connect", connect, methods=["POST"])])


def test_a_trigger_failing_on_connect_gives_an_error_verdict_with_reports(tmp_path):
    with _Served(_connect_fails()) as url:
        result = run_cli(
            "certify", "--driver", "http", "--trigger-url", url, "--scenario", "BASIS-01", cwd=tmp_path
        )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "testkommune-reports" / "basis-broken-trigger.json").read_text("utf-8"))
    assert report["verdict"] == "FAILED"
    assert report["scenarios"][0]["outcome"] == "error" and "500" in report["scenarios"][0]["error"]


def test_serve_at_debug_level_logs_whole_access_lines(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "testkommune.harness", "serve", "--port", str(port), "--db", ":memory:"]
    command += ["--log-level", "debug", "--signing-key", str(tmp_path / "key.pem")]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/admin/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        assert requests.get(f"http://127.0.0.1:{port}/admin/health?cpr=0101901234", timeout=5).ok
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    access = [line for line in output.splitlines() if "/admin/health" in line]
    assert access, output[-3000:]
    assert all('"GET /admin/health' in line and " 200" in line for line in access), access
    assert "%s" not in output and "--- Logging error ---" not in output, output[-3000:]
    assert "0101901234" not in output
