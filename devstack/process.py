"""The child processes devstack supervises: started, probed until ready, stopped, restarted.

mirakuru's ``Executor`` does the supervision: it spawns the process in a session (process
group) of its own, waits for a readiness check with a deadline, stops with SIGTERM to the
group then SIGKILL, and also ends any process the service left behind (it marks each
child with an environment variable). What stays here is ours: every service logs to
``run_dir/logs/NAME.log``, refuses a port that is already taken, and fails with the end
of its log.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import mirakuru.base
from mirakuru import Executor
from mirakuru.exceptions import (
    AlreadyRunning,
    ExecutorError,
    ProcessExitedWithError,
    ProcessFinishedWithError,
    TimeoutExpired,
)

DEFAULT_TIMEOUT = 60.0
# How often readiness probes are retried while waiting for a service.
_POLL_INTERVAL = 0.1
# The project root, put on the children's PYTHONPATH so `-m devstack.X` works
# whatever the caller's working directory is.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent

# At exit, mirakuru kills every process whose marker merely *contains* this process's pid
# (pid 4321 matches another session's "14321:..."): on a machine shared by several test
# runs that can be someone else's service. Every caller stops what it started, so do
# without that hook.
atexit.unregister(mirakuru.base.cleanup_subprocesses)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def python_env() -> dict[str, str]:
    """Extra env letting a child `python -m devstack.X` (or `-m workers.X`) import this project."""
    current = os.environ.get("PYTHONPATH", "")
    path = str(_PROJECT_ROOT) + (os.pathsep + current if current else "")
    # Unbuffered output so the log file shows what happened before a crash.
    return {"PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def _log_tail(path: Path, max_bytes: int = 4000) -> str:
    """Return the last `max_bytes` of a log file (empty if it is missing)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - max_bytes))
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


class _Executor(Executor):
    """mirakuru's executor for one service: its readiness probe, its log file, its port."""

    def __init__(self, handle: ServiceHandle) -> None:
        super().__init__(handle.argv, cwd=str(handle.cwd), envvars=handle.env, timeout=handle.timeout,
                         sleep=_POLL_INTERVAL, stdin=subprocess.DEVNULL, stdout=None)  # fmt: skip
        self.handle = handle
        # The latest process, kept after mirakuru lets go of it, for its pid and exit code.
        self.popen: subprocess.Popen[Any] | None = None
        self._log: IO[bytes] | None = None

    def pre_start_check(self) -> bool:
        # A busy port fails the start: the probe would otherwise happily talk to whatever
        # already listens there and report a service that is not ours as ready.
        return port_accepts(self.handle.port)

    def check_subprocess(self) -> bool:
        self.popen = self.process
        return super().check_subprocess()

    def after_start_check(self) -> bool:
        assert self.process is not None
        # mirakuru waits on after an exit with 0 (a daemon's parent); ours never daemonize.
        if self.process.poll() is not None:
            raise ProcessExitedWithError(self, self.process.returncode)
        return self.handle.ready_check()

    @property
    def _popen_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super()._popen_kwargs
        # start_new_session is the same new session as mirakuru's preexec_fn=os.setsid,
        # without running Python between fork and exec (unsafe with threads; tests have many).
        kwargs.pop("preexec_fn", None)
        kwargs.update(start_new_session=True, stdout=self._log, stderr=subprocess.STDOUT)
        return kwargs

    def start(self) -> _Executor:
        """Spawn the service with its output appended to its log, and wait until it is ready."""
        if self.pre_start_check():
            raise AlreadyRunning(self)
        log_path = self.handle.log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            # A banner separates the runs when a service is restarted.
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"\n=== {stamp} starting {self.handle.name}: {' '.join(self.handle.argv)}\n".encode())
            log.flush()
            self._log = log
            self._timeout = self.handle.timeout  # mirakuru's one deadline serves start and stop
            try:
                super().start()
            finally:
                self._log = None  # the child holds its own copy of the descriptor
        return self

    def stop_within(self, seconds: float) -> None:
        """SIGTERM to the group, SIGKILL after `seconds`; any exit code counts as stopped."""
        if self.process is None or self.process.poll() is not None:
            # Already ended (or reaped by a caller): no signal to a pid that may be someone
            # else's by now, only an end to what it may have left behind.
            self.kill()
            return
        self._timeout = seconds
        try:
            self.stop()
        except ProcessFinishedWithError:
            pass  # a JVM exits with 143 on SIGTERM, a process killed earlier with -9: stopped all the same


class ServiceHandle:
    """A running service process and how to reach, stop and restart it."""

    def __init__(self, name: str, url: str, port: int, argv: list[str], env: dict[str, str], log_path: Path,
                 ready_check: Callable[[], bool], cwd: Path, timeout: float = DEFAULT_TIMEOUT,
                 data: dict[str, Any] | None = None) -> None:  # fmt: skip
        self.name, self.url, self.port = name, url, port
        self.argv, self.env, self.log_path, self.cwd = list(argv), env, log_path, cwd
        self.ready_check, self.timeout = ready_check, timeout
        # Service-specific extras, e.g. {"maildir": Path} for the SMTP sink.
        self.data: dict[str, Any] = dict(data or {})
        self._executor = _Executor(self)

    def __repr__(self) -> str:
        return f"ServiceHandle({self.name!r}, {self.url!r}, port={self.port})"

    @property
    def process(self) -> subprocess.Popen[Any]:
        """The service's latest process; its pid and exit code stay readable after it ended."""
        if self._executor.popen is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._executor.popen

    def alive(self) -> bool:
        """Tell whether the service process is still running."""
        return self._executor.popen is not None and self._executor.popen.poll() is None

    def start(self) -> None:
        """Spawn the service and wait until its readiness probe succeeds.

        Raises RuntimeError (with the end of the log) if the port is taken, or if the
        process exits or is not ready within the handle's timeout; nothing is left running.
        """
        try:
            self._executor.start()
        except BaseException as error:
            self._executor.kill()  # never leave a half-started process, or what it spawned, behind
            if isinstance(error, ExecutorError):
                raise RuntimeError(self._failure(error)) from error
            raise

    def _failure(self, error: ExecutorError) -> str:
        if isinstance(error, AlreadyRunning):
            return f"cannot start {self.name}: port {self.port} is already in use"
        if isinstance(error, ProcessExitedWithError):
            what = f"{self.name} exited with code {error.exit_code} before becoming ready"
        elif isinstance(error, TimeoutExpired):
            what = f"{self.name} not ready on {self.url} after {self.timeout:.0f}s"
        else:
            what = f"{self.name} did not start: {error}"
        return f"{what}; log {self.log_path}:\n{_log_tail(self.log_path)}"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL if not gone within `timeout`."""
        self._executor.stop_within(timeout)

    def kill(self) -> None:
        """Kill the service at once (SIGKILL), as a crash would, and reap it."""
        self._executor.kill()

    def restart(self) -> None:
        """Start the service again (same argv, env and port) and wait until ready.

        Used after stop()/kill() to check that data and clients survive a
        server restart or crash. A still-running process is stopped first.
        """
        self.stop()  # a dead process too: mirakuru lets go of it only once stopped
        self.start()


def start_process(
    name: str,
    argv: list[str],
    run_dir: Path,
    env: Mapping[str, str] | None,
    ready: Callable[[], bool],
    url: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cwd: Path | None = None,
    data: dict[str, Any] | None = None,
) -> ServiceHandle:
    """Start `argv` as service `name` and return its handle once `ready()` is true.

    `env` is added on top of os.environ. Output goes to run_dir/logs/NAME.log
    (appended). `cwd` defaults to `run_dir`, so stray files a service writes
    in its working directory stay in the run directory. Raises RuntimeError
    with the log tail if the port is already taken, or if the process exits
    or is not ready within `timeout` seconds.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    handle = ServiceHandle(
        name, url, port, argv, {**os.environ, **(env or {})}, run_dir / "logs" / f"{name}.log",
        ready, run_dir if cwd is None else Path(cwd), timeout, data,
    )  # fmt: skip
    handle.start()
    return handle
