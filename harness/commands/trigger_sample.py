"""`testkommune trigger-sample`: a runnable HTTP trigger in front of a built-in fagsystem.

It is the shape a Java or .NET team copies (docs/trigger.md): six small JSON endpoints, each checked
against `contracts/harness/trigger/<action>.schema.json`, each answering `{"done": true}` once the system
has sent what the action asks for. Point `certify --driver http --trigger-url` at it.
"""

from __future__ import annotations

import argparse
from typing import IO, Any

from testkommune.harness.commands.common import EXIT_OK, epilog, port, resolve_fagsystem

HELP = "serve a sample HTTP trigger (the shape a non-Python vendor copies) for a built-in fagsystem"
DESCRIPTION = (
    "Serve the HTTP trigger protocol (contract: contracts/harness/trigger/, walkthrough: docs/trigger.md) "
    "in front of a built-in fagsystem variant, so `certify --driver http` can drive it. Every request is "
    "checked against its schema; a request outside the protocol gets 400 with the failing fields."
)
EXAMPLES = """\
  testkommune trigger-sample --port 9000
  testkommune certify --driver http --trigger-url http://127.0.0.1:9000   # in a second shell
  testkommune trigger-sample --port 9001 --fagsystem periode-omvendt"""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("trigger-sample", help=HELP, description=DESCRIPTION, epilog=epilog(EXAMPLES))
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=9000, help="port (default 9000; 0 picks a free one)")
    parser.add_argument(
        "--fagsystem", default="reference", help="the built-in variant (or module:attribute) behind it"
    )


def run(args: argparse.Namespace, stdout: IO[str]) -> int:
    import socket

    import uvicorn
    from testkommune.contracts.errors import SetupError
    from testkommune.scenarios.fagsystemer.trigger import trigger_app

    fagsystem = resolve_fagsystem(args.fagsystem)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        raise SetupError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}", hint="pick another --port"
        ) from None
    bound = sock.getsockname()[1]
    print(
        f"sample trigger for {fagsystem.name} {fagsystem.version} on http://{args.host}:{bound} "
        "(Ctrl-C stops)",
        file=stdout,
        flush=True,
    )
    config = uvicorn.Config(trigger_app(fagsystem, checked=True), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return EXIT_OK
