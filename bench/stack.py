"""The stack a benchmark runs against: the embedded services and the application as real
processes (the Procfile's), or services of your own given by their URLs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from adapters.bootstrap import bootstrap
from adapters.config import Config
from core.model import Role
from core.services.deps import Deps
from devstack.accounts import token_accounts
from devstack.services import ServiceHandle, free_port
from devstack.stack import WORKERS, Infra, prepare, start_api, start_infra, start_worker


@dataclass
class BenchStack:
    """Where the benchmark sends requests, how it reads results, and which processes it watches."""

    config: Config
    api_url: str
    deps: Deps
    processes: dict[str, ServiceHandle] = field(default_factory=dict)
    infra: Infra | None = None

    def stop(self) -> None:
        """Stop what this benchmark started (nothing when it ran against given URLs)."""
        if self.infra is not None:
            self.infra.stop()

    def peak_memory_mib(self) -> dict[str, float]:
        """Each watched process's peak resident memory (Linux ``VmHWM``), in MiB."""
        peaks = {}
        for name, handle in self.processes.items():
            try:
                status = Path(f"/proc/{handle.process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[name] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each watched process has used so far, children included."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, handle in self.processes.items():
            try:
                fields = Path(f"/proc/{handle.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime, stime, cutime, cstime: fields 14-17 of stat(5), 12-15 after the command name
            used[name] = sum(int(v) for v in fields[11:15]) / ticks
        return used


def embedded(api_workers: int = 1) -> BenchStack:
    """Start the embedded services, the API and one process per worker group, on free ports."""
    run_dir = Path(tempfile.mkdtemp(prefix="marketplace-bench-"))
    infra = start_infra(run_dir)
    try:
        port = free_port()
        config = infra.config(port, log_level="WARNING", mongodb_database=f"bench_{uuid.uuid4().hex[:8]}")
        prepare(infra, config)
        processes = {"broker": infra.broker, "mongo": infra.mongo, "stripe": infra.stripe, "smtp": infra.smtp}
        processes["api"] = start_api(infra, config, port)
        for group in WORKERS:
            processes[group] = start_worker(infra, config, group)
        return BenchStack(config, f"http://127.0.0.1:{port}", bootstrap(config), processes, infra)
    except BaseException:
        infra.stop()
        raise


def external() -> BenchStack:
    """Services of your own: the same variables as the application, plus ``BENCH_API_URL``."""
    config = Config.from_env()
    return BenchStack(config, os.environ.get("BENCH_API_URL", config.public_base_url), bootstrap(config))


def accounts(stack: BenchStack, role: Role, count: int, prefix: str) -> list[dict[str, str]]:
    """Accounts with a token valid for the run, written through the repositories."""
    return token_accounts(stack.deps, role, count, prefix, timedelta(hours=6))


@contextmanager
def profiled(stack: BenchStack, names: list[str], out_dir: Path | None, stage: str) -> Iterator[None]:
    """Sample the named processes with py-spy while the block runs: one flame graph (SVG) each."""
    if out_dir is None or stack.infra is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    spies = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(stack.processes[name].process.pid),
                "--rate",
                "50",
                "--output",
                str(out_dir / f"{stage}-{name}.svg"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in names
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)  # py-spy writes the flame graph on SIGINT
        for spy in spies:
            spy.wait(timeout=60)
