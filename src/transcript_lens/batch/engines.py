"""Engines run the labelling of many sources and stream outcomes back.

Both engines take an iterable of tasks ``(Source, content hash)`` and yield
the :meth:`Labeller.__call__` outcome for each, in completion order. Neither
touches the database; the coordinator does.

- ``local``: ``--jobs 1`` labels in this process; ``--jobs N`` starts N
  worker processes (spawned, so no thread state is forked) that each load
  the model once. At most ``2 * N`` tasks are in flight, so memory stays
  flat however many files there are.
- ``ray``: Ray Data, ``map_batches`` with a callable class on an actor pool
  (each actor loads the model once); reading happens in Ray tasks.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import datetime
from typing import Any

from ..errors import TranscriptLensError
from .sources import Source
from .work import Labeller, Settings

Task = tuple[Source, str]

_worker: Labeller | None = None
#: Why this worker could not load the model; reported to the coordinator.
_worker_error = ""


def _init_worker(settings: Settings, threads: int | None) -> None:
    # An initializer that raises breaks the whole pool with a traceback per
    # process; keep the reason and hand it over when asked instead.
    global _worker, _worker_error
    try:
        _worker = Labeller(settings, threads=threads)
    except TranscriptLensError as error:
        _worker_error = str(error)


def _worker_status() -> str:
    return _worker_error


def _run_one(source: Source, expected: str) -> dict[str, Any]:
    assert _worker is not None, "worker was not initialised"
    return _worker(source, expected)


class LocalEngine:
    name = "local"

    def __init__(self, settings: Settings, jobs: int) -> None:
        self.settings = settings
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._labeller: Labeller | None = None

    def start(self) -> None:
        """Load the model (in each worker); errors here stop the run before any file."""
        if self.jobs == 1:
            self._labeller = Labeller(self.settings)
            return
        threads = max(1, (os.cpu_count() or 1) // self.jobs)
        self._pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.settings, threads),
        )
        # Fail early (bad model, missing package) rather than on every file.
        try:
            pending = [self._pool.submit(_worker_status) for _ in range(self.jobs)]
            problems = [future.result() for future in pending]
        except Exception as error:  # noqa: BLE001 - a broken worker start is one clear error
            self.stop()
            raise TranscriptLensError(f"batch workers failed to start: {error}") from None
        problem = next((p for p in problems if p), "")
        if problem:
            self.stop()
            raise TranscriptLensError(problem)

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        if self._labeller is not None:
            for source, expected in tasks:
                yield self._labeller(source, expected)
            return
        assert self._pool is not None, "start() first"
        pending: set[Future[dict[str, Any]]] = set()
        window = 2 * self.jobs
        for source, expected in tasks:
            pending.add(self._pool.submit(_run_one, source, expected))
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._labeller = None


def _ray_read(row: dict[str, Any]) -> dict[str, Any]:
    """A Ray read task: the bytes and modification time of one source."""
    source = Source(row["path"], row["member"] or None, row["relative"])
    try:
        row["data"] = source.read(row.get("max_bytes") or None)
        row["modified"] = source.modified().isoformat()
        row["error"] = ""
    except (TranscriptLensError, OSError) as error:
        row["data"], row["modified"], row["error"] = b"", "", str(error)
    return row


class _RayLabellerBase:
    """The callable class Ray Data puts on each actor: one model per actor."""

    settings: Settings

    def __init__(self) -> None:
        self.labeller = Labeller(self.settings, threads=1)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        outcomes = []
        for i in range(len(batch["path"])):
            source = Source(batch["path"][i], batch["member"][i] or None, batch["relative"][i])
            if batch["error"][i]:
                outcome = {"source": source.name, "ok": False, "error": batch["error"][i]}
            else:
                outcome = self.labeller(
                    source,
                    batch["hash"][i],
                    data=bytes(batch["data"][i]),
                    modified=datetime.fromisoformat(batch["modified"][i]),
                )
            outcomes.append(json.dumps(outcome))
        return {"outcome": outcomes}


def _ray_labeller(settings: Settings) -> type[_RayLabellerBase]:
    # The settings ride on the class (pickled with it) rather than as
    # constructor arguments, which Ray would park in its object store.
    return type("RayLabeller", (_RayLabellerBase,), {"settings": settings})


class RayEngine:
    name = "ray"

    def __init__(self, settings: Settings, jobs: int, address: str | None) -> None:
        self.settings = settings
        self.jobs = jobs
        self.address = address
        self._started_ray = False

    def start(self) -> None:
        try:
            import ray
        except ImportError:
            raise TranscriptLensError(
                "the ray engine needs Ray", hint="pip install 'transcript-lens[ray]'"
            ) from None
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if not ray.is_initialized():
            try:
                if self.address:
                    ray.init(address=self.address, logging_level=logging.ERROR, log_to_driver=False)
                else:
                    ray.init(
                        num_cpus=os.cpu_count() or 1,
                        include_dashboard=False,
                        logging_level=logging.ERROR,
                        log_to_driver=False,
                    )
            except Exception as error:  # noqa: BLE001 - one clear line for any start failure
                raise TranscriptLensError(
                    f"cannot start or reach Ray: {str(error).splitlines()[0]}"
                ) from None
            self._started_ray = True
        for name in ("ray", "ray.data", "ray.data._internal.execution.streaming_executor"):
            logging.getLogger(name).setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False

    def run(self, tasks: Iterable[Task]) -> Iterator[dict[str, Any]]:
        import ray

        items = [
            {
                "path": s.path,
                "member": s.member or "",
                "relative": s.relative,
                "hash": h,
                "max_bytes": self.settings.max_bytes or 0,
            }
            for s, h in tasks
        ]
        if not items:
            return
        dataset = ray.data.from_items(items, override_num_blocks=min(len(items), 64)).map(
            _ray_read, num_cpus=0.25
        )
        # The actors hold the model and take most of a core each; a fraction
        # of a CPU is left so the read tasks feeding them are never starved.
        labelled = dataset.map_batches(
            _ray_labeller(self.settings),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=self.jobs),
            num_cpus=0.75,
        )
        for row in labelled.iter_rows():
            yield json.loads(row["outcome"])

    def stop(self) -> None:
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False


def make_engine(name: str, settings: Settings, jobs: int, address: str | None) -> Any:
    if name == "local":
        return LocalEngine(settings, jobs)
    if name == "ray":
        return RayEngine(settings, jobs, address)
    raise TranscriptLensError(f"unknown engine {name!r}; choose local or ray")
