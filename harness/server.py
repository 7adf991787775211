"""Run the test kommune: in a background thread (demo, certify, tests) or in the foreground (serve)."""

from __future__ import annotations

import gc
import logging
import logging.handlers
import multiprocessing
import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from testkommune.contracts import privacy
from testkommune.contracts.clock import ClockState
from testkommune.contracts.errors import UsageError
from testkommune.harness import dashboard
from testkommune.harness.evidence.publish import PublishKey
from testkommune.harness.evidence.signing import load_or_create
from testkommune.harness.http_limits import BoundedHttpToolsProtocol
from testkommune.simulators.access import AccessPolicy
from testkommune.simulators.app import create_app
from testkommune.simulators.store import DEFAULT_URL, Store

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Tls:
    """Serve HTTPS and require a client certificate issued by `client_ca` (mTLS, as on Serviceplatformen)."""

    certfile: Path
    keyfile: Path
    client_ca: Path


@dataclass
class RunningKommune:
    """A test kommune serving on loopback; `stop()` shuts it down."""

    base_url: str
    server: uvicorn.Server
    thread: threading.Thread
    store_url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> RunningKommune:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(host: str, port: int, *, reuse_port: bool = False, listen: bool = True) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(1024)
    return sock


def _config(
    store_url: str,
    start_clock: ClockState | None,
    log_level: str,
    access_log: bool,
    access: AccessPolicy | None,
    tls: Tls | None = None,
    signing_key: Path | None = None,
) -> uvicorn.Config:
    kommune = create_app(store_url, start_clock=start_clock, access=access)
    app: Any = dashboard.mount(kommune)
    if signing_key is not None:  # publish the evidence key (GET /evidence/public-key) and attest with it
        key = load_or_create(signing_key)
        kommune.state.evidence_key = key
        app = PublishKey(app, key.public_key())
    secure: dict[str, Any] = {}
    if tls is not None:
        secure = {
            "ssl_certfile": str(tls.certfile),
            "ssl_keyfile": str(tls.keyfile),
            "ssl_ca_certs": str(tls.client_ca),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    return uvicorn.Config(
        app,
        **secure,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
        http=BoundedHttpToolsProtocol,  # httptools, with a bounded request head (harness/http_limits.py)
        timeout_keep_alive=30,
    )


def start_in_thread(
    store_url: str = DEFAULT_URL,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    start_clock: ClockState | None = None,
    log_level: str = "warning",
    access: AccessPolicy | None = None,
    tls: Tls | None = None,
    signing_key: Path | None = None,
) -> RunningKommune:
    """Start a test kommune in a daemon thread and return once it accepts connections; with `signing_key`
    it publishes that key's public half at /evidence/public-key."""
    sock = _bind(host, port)
    server = uvicorn.Server(
        _config(
            store_url,
            start_clock,
            log_level,
            access_log=False,
            access=access,
            tls=tls,
            signing_key=signing_key,
        )
    )
    privacy.install()
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="testkommune")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test kommune did not start")
        time.sleep(0.01)
    bound_port = sock.getsockname()[1]
    scheme = "https" if tls is not None else "http"
    return RunningKommune(f"{scheme}://{host}:{bound_port}", server, thread, store_url)


def serve_forever(
    store_url: str,
    *,
    host: str,
    port: int,
    start_clock: ClockState | None,
    log_level: str = "info",
    access: AccessPolicy | None = None,
    debug_personal_data: bool = False,
    tls: Tls | None = None,
    log_file: LogFile | None = None,
    signing_key: Path | None = None,
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C)."""
    config = _config(
        store_url,
        start_clock,
        log_level,
        access_log=log_level == "debug",
        access=access,
        tls=tls,
        signing_key=signing_key,
    )
    sock = _bind(host, port)  # only once the app is built: a connection accepted earlier would just wait
    if log_file is not None:
        log_file.install()
    privacy.install(debug_personal_data)
    _settle_heap()
    uvicorn.Server(config).run(sockets=[sock])


def _settle_heap() -> None:
    """Put what start-up built (modules, contracts, filter tables, compiled statements) out of the garbage
    collector's reach: a full collection then walks only what requests made since, and no longer holds
    the event loop for 80-110 ms (measured with `benchmarks/stall_probe.py --case masse`)."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True, slots=True)
class LogFile:
    """Where the log goes besides stderr: a size-rotated file (`path`, `path.1` … `path.<backups>`)."""

    path: Path
    max_bytes: int = 10 * 1024 * 1024
    backups: int = 5

    def for_worker(self, index: int) -> LogFile:
        """Each worker process rotates a file of its own (one file cannot be rotated by several processes)."""
        return LogFile(
            self.path.with_name(f"{self.path.stem}.worker-{index}{self.path.suffix}"),
            self.max_bytes,
            self.backups,
        )

    def install(self) -> None:
        """Add the rotating handler to the server's loggers (after uvicorn configured its own)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            self.path, maxBytes=self.max_bytes, backupCount=self.backups, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("uvicorn.error", "uvicorn.access", "testkommune.simulators"):
            logging.getLogger(name).addHandler(handler)


class WorkersRefusedError(UsageError, ValueError):
    """Several worker processes were asked for on a database they cannot share."""


def serve_workers(
    store_url: str,
    *,
    workers: int,
    host: str,
    port: int,
    start_clock: ClockState | None,
    log_level: str = "info",
    access: AccessPolicy | None = None,
    debug_personal_data: bool = False,
    tls: Tls | None = None,
    log_file: LogFile | None = None,
    signing_key: Path | None = None,
) -> int:
    """Serve with `workers` processes on one port (a socket each), sharing their state in PostgreSQL.

    The schema is created (or checked) once here, before any worker starts; each worker then builds its own
    app and engine (nothing database-related crosses the fork). SIGINT/SIGTERM stop every worker; if one
    worker dies, the others are stopped too and the exit code is 1.
    """
    if not store_url.startswith("postgresql"):
        raise WorkersRefusedError(
            "--workers > 1 needs a PostgreSQL --db (postgresql+psycopg://…): SQLite has one writer at a time"
        )
    Store(store_url).close()
    sock, listener = _port_for_workers(host, port)
    fork = multiprocessing.get_context("fork")
    args = (listener, store_url, start_clock, log_level, access, debug_personal_data, tls)
    if signing_key is not None:
        load_or_create(signing_key)  # made once here, not raced by the workers
    children = [
        fork.Process(
            target=_worker,
            args=(*args, log_file.for_worker(i) if log_file else None, signing_key),
            name=f"testkommune-{i}",
        )
        for i in range(workers)
    ]
    return 0 if _supervise(children, sock) else 1


def _port_for_workers(host: str, port: int) -> tuple[socket.socket, socket.socket | tuple[str, int]]:
    """The socket holding the port, and what each worker listens on: the port's address to bind its own
    socket (SO_REUSEPORT) or else the one shared listening socket."""
    if hasattr(socket, "SO_REUSEPORT"):
        # one listening socket per worker on the same port: the kernel spreads new connections over them.
        # On one shared socket, whichever worker won accept() kept most of a client's keep-alive connections
        # (2,570 vs 458 answers in benchmarks/run_pg_scaling.py). This socket only holds the port, unlistened.
        sock = _bind(host, port, reuse_port=True, listen=False)
        listener: socket.socket | tuple[str, int] = (host, sock.getsockname()[1])
    else:
        sock = listener = _bind(host, port)
    return sock, listener


def _supervise(children: Sequence[multiprocessing.process.BaseProcess], sock: socket.socket) -> bool:
    """Start the workers, wait for a signal or a worker's death, stop them all and restore the signal
    handlers; True when a signal asked for the stop, False when a worker died."""
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        sock.close()  # the workers hold it now
        while not stopping and all(child.is_alive() for child in children):
            time.sleep(0.2)
        asked = stopping  # a signal asked us to stop; otherwise a worker died
        stop(signal.SIGTERM, None)
        for child in children:
            child.join(timeout=15)
            if child.is_alive():
                child.kill()
                child.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return asked


def _worker(
    listener: socket.socket | tuple[str, int],
    store_url: str,
    start_clock: ClockState | None,
    log_level: str,
    access: AccessPolicy | None,
    debug_personal_data: bool,
    tls: Tls | None,
    log_file: LogFile | None = None,
    signing_key: Path | None = None,
) -> None:
    """One worker process: its own app, engine and socket (or the shared socket), until SIGTERM/SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us with SIGTERM
    # not the parent's handler inherited through fork: uvicorn re-raises the SIGTERM it caught once it has
    # shut down, and that handler would send this process SIGTERM again, without end (RecursionError)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sock = listener if isinstance(listener, socket.socket) else _bind(*listener, reuse_port=True)
    config = _config(
        store_url,
        start_clock,
        log_level,
        access_log=log_level == "debug",
        access=access,
        tls=tls,
        signing_key=signing_key,
    )
    if log_file is not None:
        log_file.install()
    privacy.install(debug_personal_data)
    _settle_heap()
    uvicorn.Server(config).run(sockets=[sock])
