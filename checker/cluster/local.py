"""A real Ray cluster on this machine's loopback: a head node and worker nodes, each its own
`ray start --block` process, for the multi-node test and `bench/ray_speed.py`.

Every node gets an address of its own in 127.0.0.0/8 (head 127.0.0.2, workers 127.0.0.3 and
on): Ray would turn "127.0.0.1" into the machine's outward address, and nothing here may
leave loopback. The dashboard and usage statistics are off, each node has one CPU and a small
object store, and node deaths are noticed within seconds rather than Ray's default half
minute, so that a test that kills a node stays short. Each node is started in its own session
and stopped by killing that process group (and the worker processes its raylet started), never
with `ray stop`, which would stop every Ray process of the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checker.errors import ClusterUnavailable

HEAD_IP = "127.0.0.2"
# Small enough for a 2-core, 24 GB machine running two nodes beside the test suite.
OBJECT_STORE_BYTES = 256 * 2**20
# How fast the head notices that a node died: 1 s between health checks, 3 misses.
_FAST_HEALTH_CHECKS = {
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "1000",
    "RAY_health_check_timeout_ms": "1000",
    "RAY_health_check_failure_threshold": "3",
}


def free_port(host: str = HEAD_IP) -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ray_environment() -> dict[str, str]:
    """The environment every node and driver of the local cluster runs with."""
    env = dict(os.environ)
    env.update(_FAST_HEALTH_CHECKS)
    env.update(
        RAY_USAGE_STATS_ENABLED="0",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        RAY_DEDUP_LOGS="0",
    )
    return env


class LocalCluster:
    """`with LocalCluster(workers=1) as cluster:` ... `cluster.address` ...; stopped on exit.

    `cpus`: CPUs each node offers Ray. `timeout`: seconds any one wait may take (a node to
    start, to join, to stop)."""

    def __init__(self, workers: int = 1, cpus: int = 1, timeout: float = 120.0) -> None:
        self.workers = workers
        self.cpus = cpus
        self.timeout = timeout
        self.port = free_port()
        self.address = f"{HEAD_IP}:{self.port}"
        # Short: Ray's socket paths live under it and a Unix socket path has 107 bytes.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
        self.log_dir = self.temp_dir / "node-logs"
        self.log_dir.mkdir()
        self.env = ray_environment()
        self._nodes: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> LocalCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- starting --------------------------------------------------------------------------

    def start(self) -> None:
        head = [
            "--head",
            "--port",
            str(self.port),
            "--node-ip-address",
            HEAD_IP,
            "--include-dashboard",
            "false",
            "--temp-dir",
            str(self.temp_dir),
        ]
        self._start_node("head", head)
        self._wait_for_port(HEAD_IP, self.port)
        for number in range(self.workers):
            self.add_worker(number)
        self.wait_for_nodes(1 + self.workers)

    def add_worker(self, number: int) -> str:
        """Start worker node `number` (address 127.0.0.{3 + number}); its name."""
        name = f"worker-{number}"
        ip = f"127.0.0.{3 + number}"
        self._start_node(name, ["--address", self.address, "--node-ip-address", ip])
        return name

    def _start_node(self, name: str, arguments: list[str]) -> None:
        command = [
            str(Path(sys.executable).with_name("ray")),
            "start",
            "--block",
            "--num-cpus",
            str(self.cpus),
            "--object-store-memory",
            str(OBJECT_STORE_BYTES),
            "--disable-usage-stats",
            *arguments,
        ]
        log = (self.log_dir / f"{name}.log").open("wb")
        with log:
            self._nodes[name] = subprocess.Popen(
                command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )

    def _wait_for_port(self, host: str, port: int) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self._check_running()
            with contextlib.suppress(OSError), socket.create_connection((host, port), 1):
                return
            time.sleep(0.2)
        raise ClusterUnavailable(f"the local Ray head did not open {host}:{port} in time")

    def wait_for_nodes(self, count: int) -> None:
        """Until `count` nodes are alive (asked of the head by a short-lived driver)."""
        script = (
            "import sys, time, ray\n"
            f"ray.init(address={self.address!r}, log_to_driver=False, logging_level='ERROR')\n"
            f"deadline = time.monotonic() + {self.timeout}\n"
            "while time.monotonic() < deadline:\n"
            "    alive = sum(node['Alive'] for node in ray.nodes())\n"
            f"    if alive >= {count}:\n"
            "        sys.exit(0)\n"
            "    time.sleep(0.2)\n"
            "sys.exit(1)\n"
        )
        try:
            done = subprocess.run(
                [sys.executable, "-c", script],
                env=self.env,
                capture_output=True,
                timeout=self.timeout + 30,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ClusterUnavailable(
                f"the local Ray cluster had no {count} nodes in time"
            ) from None
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace")[-2000:]
            raise ClusterUnavailable(f"the local Ray cluster had no {count} nodes: {tail}")

    def _check_running(self) -> None:
        for name, process in self._nodes.items():
            if process.poll() is not None:
                log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise ClusterUnavailable(f"Ray node {name} exited ({process.returncode}): {log}")

    # -- stopping ----------------------------------------------------------------------------

    def kill_node(self, name: str) -> None:
        """SIGKILL node `name` as a crash would: its processes and the workers it started."""
        process = self._nodes[name]
        victims = _descendants(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in victims:  # Ray's worker processes each lead a process group of their own
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(self.timeout)
        deadline = time.monotonic() + self.timeout
        while any(_running(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.1)

    def node_processes(self, name: str) -> list[tuple[int, str]]:
        """(pid, process title) of every process of node `name` (its raylet's workers too)."""
        found = []
        for pid in _descendants(self._nodes[name].pid):
            with contextlib.suppress(OSError):
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                if title.strip():  # not a zombie, whose command line is gone
                    found.append((pid, title.decode(errors="replace").strip()))
        return found

    def stop(self) -> None:
        """Stop every node (workers first) and remove the temporary directory."""
        for name in sorted(self._nodes, key=lambda n: n == "head"):
            self.kill_node(name)
        self._nodes.clear()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie waiting for its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (children before their own children)."""
    found: list[int] = []
    queue = [pid]
    while queue:
        parent = queue.pop()
        children: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{parent}/task").iterdir():
                text = (task / "children").read_text()
                children += [int(child) for child in text.split()]
        found += children
        queue += children
    return found
