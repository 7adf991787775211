"""The baseline of the HTTP benchmarks: a bare Starlette route on the simulators' own server stack.

`POST /bare` reads the body, parses it as JSON and answers a small JSON document with status 201: no
contract check, no rules, no database. It is served exactly as `harness.server` serves the test kommune
(uvicorn, httptools, the same event loop choice, no access log, lifespan off, keep-alive 30 s), so the
difference between this and a simulator route is the simulator's own work.

Run (the benchmark runner does this for you, pinned with `taskset -c 0`):

    python benchmarks/bare_app.py --port 8600
"""

from __future__ import annotations

import argparse
import json
import socket

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LOOPBACK = "127.0.0.1"


async def bare(request: Request) -> Response:
    """Parse the JSON body and acknowledge it, echoing one small field so the parse is not optimised away."""
    message = json.loads(await request.body())
    kind = type(message).__name__
    return JSONResponse({"status": "MODTAGET", "received": kind}, status_code=201)


app = Starlette(routes=[Route("/bare", bare, methods=["POST"])])


def serve(port: int, host: str = LOOPBACK) -> None:
    """Serve `app` in the foreground with the same uvicorn settings as `harness.server`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="httptools",
        timeout_keep_alive=30,
    )
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve(args.port)


if __name__ == "__main__":
    main()
