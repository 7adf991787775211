"""The anchors of `run_http.py`: the stub servers a vendor would use instead, on the same contract.

- **WireMock** (npm `wiremock`, run with Java 17): a stub that answers only when the body matches the
  project's own `psrm/MFFordringIndberet_I` JSON Schema (`matchesJsonSchema`), else 404.
- **Prism** (npm `@stoplight/prism-cli`): an OpenAPI 3.1 mock generated from the same contract; it validates
  the request body against the schema and answers the documented example.

Both get the contract as one self-contained schema (`bundled_schema`: the `$ref`s to `common/typer` copied
into `$defs`), generated from `contracts/` at the start of the run, never written by hand. Neither keeps state
or commits anything: they are the floor a stub reaches, not a like-for-like simulator.

Install them once (not part of the project's install; missing tools are a clear skip in `run_http.py`):

    npm install --prefix benchmarks/.anchors wiremock @stoplight/prism-cli
    apt-get install -y openjdk-17-jre-headless   # WireMock's Java

`TK_ANCHORS_DIR` points at another npm prefix.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = "psrm/MFFordringIndberet_I.schema.json"
URL_PATH = "/psrm/MFFordringIndberet"
ANSWER: dict[str, Any] = {"MFLeveranceID": "stub", "MFAktionStatusSamling": []}


def anchors_dir() -> Path:
    return Path(os.environ.get("TK_ANCHORS_DIR", Path(__file__).resolve().parent / ".anchors"))


def _load(relative: str) -> dict[str, Any]:
    return json.loads((ROOT / "contracts" / relative).read_text(encoding="utf-8"))


def bundled_schema(relative: str = CONTRACT) -> dict[str, Any]:
    """The contract as one document: every `$ref` into another file (`../common/typer.schema.json#/$defs/X`)
    becomes `#/$defs/typer__X`, copied in together with whatever it refers to in turn."""
    root = _load(relative)
    imported: dict[str, Any] = {}

    def import_def(document_path: str, pointer: str) -> str:
        name = f"{Path(document_path).name.split('.')[0]}__{pointer.rsplit('/', 1)[-1]}"
        if name not in imported:
            imported[name] = {}  # placeholder against cycles
            imported[name] = rewrite(_resolve(_load(document_path), pointer), document_path)
        return name

    def rewrite(node: Any, document_path: str) -> Any:
        if isinstance(node, list):
            return [rewrite(item, document_path) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: rewrite(v, document_path) for k, v in node.items() if k not in ("$id", "$schema")}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target_file, _, pointer = ref.partition("#")
            if target_file:
                target = os.path.normpath((Path(document_path).parent / target_file).as_posix())
                out["$ref"] = f"#/$defs/{import_def(target, pointer)}"
            elif document_path != relative:
                out["$ref"] = f"#/$defs/{import_def(document_path, pointer)}"
        return out

    bundled = rewrite(root, relative)
    bundled["$defs"] = {**bundled.get("$defs", {}), **imported}
    bundled["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return bundled


def _resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        if part:
            node = node[part]
    return node


# ------------------------------------------------------------------------------------------------ WireMock


def wiremock_jar() -> Path | None:
    build = anchors_dir() / "node_modules" / "wiremock" / "build"
    jars = sorted(build.glob("wiremock-standalone-*.jar")) if build.is_dir() else []
    return jars[-1] if jars else None


def wiremock_argv(port: int, work: Path) -> list[str] | None:
    """The WireMock command with its one mapping written under `work`, or None when it is not installed."""
    jar, java = wiremock_jar(), shutil.which("java")
    if jar is None or java is None:
        return None
    mappings = work / "wiremock" / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    stub = {
        "request": {
            "method": "POST",
            "url": URL_PATH,
            "bodyPatterns": [{"matchesJsonSchema": json.dumps(bundled_schema()), "schemaVersion": "V202012"}],
        },
        "response": {"status": 200, "jsonBody": ANSWER, "headers": {"Content-Type": "application/json"}},
    }
    (mappings / "psrm.json").write_text(json.dumps(stub), encoding="utf-8")
    return [
        java,
        "-jar",
        str(jar),
        "--port",
        str(port),
        "--bind-address",
        "127.0.0.1",
        "--root-dir",
        str(work / "wiremock"),
        "--no-request-journal",
        "--disable-banner",
        "--async-response-enabled",
        "false",
    ]


# --------------------------------------------------------------------------------------------------- Prism


def prism_bin() -> Path | None:
    binary = anchors_dir() / "node_modules" / ".bin" / "prism"
    return binary if binary.exists() and shutil.which("node") else None


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 with the one operation: the bundled contract as request body, the answer as example."""
    schema = bundled_schema()
    defs = schema.pop("$defs", {})
    text = json.dumps(schema).replace("#/$defs/", "#/components/schemas/")
    components = json.loads(json.dumps(defs).replace("#/$defs/", "#/components/schemas/"))
    return {
        "openapi": "3.1.0",
        "info": {"title": "PSRM MFFordringIndberet (anchor)", "version": "1"},
        "paths": {
            URL_PATH: {
                "post": {
                    "operationId": "MFFordringIndberet",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": json.loads(text)}},
                    },
                    "responses": {
                        "200": {
                            "description": "MODTAGET",
                            "content": {"application/json": {"example": ANSWER}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": components},
    }


def prism_argv(port: int, work: Path) -> list[str] | None:
    """The Prism command over the generated document under `work`, or None when it is not installed."""
    binary = prism_bin()
    if binary is None:
        return None
    spec = work / "prism-openapi.json"
    spec.write_text(json.dumps(openapi_document()), encoding="utf-8")
    return [str(binary), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port), "--errors", "-v", "warn"]


def argv(kind: str, port: int, work: Path) -> list[str] | None:
    """The command that serves anchor `kind` on `port`, its files under `work`; None when not installed."""
    work.mkdir(parents=True, exist_ok=True)
    return {"wiremock": wiremock_argv, "prism": prism_argv}[kind](port, work)


def missing(kind: str) -> str:
    needs = "java and the npm package wiremock" if kind == "wiremock" else "node and @stoplight/prism-cli"
    return f"skipped: {kind} is not installed (needs {needs}; see benchmarks/anchors.py)"
