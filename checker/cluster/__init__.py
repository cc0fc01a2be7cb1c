"""Running ingest's and the scan's model work on a Ray cluster (`pip install 'checker[cluster]'`).

    pipeline  `RayCluster`: windows of sentences or pairs through Ray Data `map_batches`
              stages, results streamed back to the one process that writes the index
    work      the stages: actors that load the embedder and analyser, or the judges, once
    local     a real multi-node cluster on this machine's loopback (tests, the bench)

`connect(settings)` is the only way in: it checks that the address answers before Ray is
asked (an unreachable address is one clear error, fast, before the index is opened), joins
the cluster as a driver, and checks that the cluster has CPUs enough for one model worker.
Nothing here is imported unless `CHECKER_RAY_ADDRESS` or `--ray` asks for a cluster, and
Ray itself is imported only inside `connect`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator

from checker.cluster.pipeline import RayCluster
from checker.errors import ClusterUnavailable, InvalidInput
from checker.settings import Settings

__all__ = ["ClusterUnavailable", "RayCluster", "connect"]

# Seconds to wait for the head's port before calling the address unreachable, and for Ray
# to join the cluster once the port answers (a port that is not a Ray head never answers).
CONNECT_TIMEOUT_S = 5.0
JOIN_TIMEOUT_S = 60.0


def connect(settings: Settings) -> RayCluster:
    """Join the Ray cluster at `settings.ray_address` (`HOST:PORT` of its head)."""
    address = settings.ray_address.strip()
    host, port = _host_port(address)
    if settings.ray_actor_cpus < 1:
        raise InvalidInput(
            f"CHECKER_RAY_ACTOR_CPUS must be 1 or more, not {settings.ray_actor_cpus}",
            field="ray_actor_cpus",
        )
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterUnavailable(
            f"cannot reach the Ray cluster at {address} ({reason}); start its head with "
            "`ray start --head --port PORT` or correct --ray / CHECKER_RAY_ADDRESS"
        ) from None
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable(
            "--ray / CHECKER_RAY_ADDRESS needs Ray: pip install 'checker[cluster]'"
        ) from None
    _join(address)
    cpus = float(ray.cluster_resources().get("CPU", 0))
    _quiet_ray_data()
    if cpus < settings.ray_actor_cpus:
        ray.shutdown()
        raise ClusterUnavailable(
            f"the Ray cluster at {address} has {cpus:g} CPUs; a model worker needs "
            f"{settings.ray_actor_cpus} (CHECKER_RAY_ACTOR_CPUS)"
        )
    return RayCluster(address, settings, cpus)


def _join(address: str) -> None:
    """`ray.init` as a driver of the cluster, within JOIN_TIMEOUT_S; what Ray's own code
    logs meanwhile (retries, a port that speaks another protocol) is kept off stderr, so a
    failure is the one line of the error."""
    import ray

    failure: list[BaseException] = []

    def join() -> None:
        try:
            ray.init(
                address=address,
                log_to_driver=False,
                logging_level=logging.WARNING,
                namespace="checker",
                ignore_reinit_error=True,  # joined already (a second Checker in a process)
            )
        except Exception as exc:  # reported below, as the cluster's error
            failure.append(exc)

    # Ray's core logs its own notices to stderr at ERROR (one per pipeline about how Ray Data
    # passes actor arguments); they stay in the cluster's session logs unless asked for.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    # A daemon thread: a join that never returns must not keep the command from exiting.
    thread = threading.Thread(target=join, name="checker-ray-join", daemon=True)
    with _stderr_aside():
        thread.start()
        thread.join(JOIN_TIMEOUT_S)
    if thread.is_alive():
        raise ClusterUnavailable(
            f"{address} answers but did not let us join it as a Ray cluster within "
            f"{JOIN_TIMEOUT_S:.0f} s; is it the head's port (`ray start --head --port`)?"
        )
    if failure:
        with contextlib.suppress(Exception):
            ray.shutdown()
        raise ClusterUnavailable(
            f"cannot join the Ray cluster at {address}: {_first_line(failure[0])}"
        )


@contextlib.contextmanager
def _stderr_aside() -> Iterator[None]:
    """File descriptor 2 goes to a scratch file (Ray's C++ core writes there directly)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (an embedding host): nothing to set aside
        yield
        return
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _host_port(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(
            f"a Ray address is HOST:PORT of the cluster's head (e.g. 10.0.0.5:6379), "
            f"got {address!r}",
            field="ray_address",
        )
    return host.strip("[]"), int(port)


def _quiet_ray_data() -> None:
    """Results in order; no progress bars or per-run banners on a cron job's stderr."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    # Nor its logs: a failure it logs (with Ray's stack) ends the command with one line of
    # ours (checker.cluster.pipeline), and the whole story is in the cluster's logs.
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
