"""Engines run the labelling of many meetings and stream outcomes back.

Both engines take an iterable of meetings the coordinator has read
(:class:`~..analyzer.ReadMeeting`) and yield an :class:`~..analyzer.Analysis`
or a :class:`~.work.Failed` for each, in completion order. Neither reads a
file or touches the database; the coordinator does.

- ``local``: ``--jobs 1`` labels in this process; ``--jobs N`` starts N
  worker processes (spawned, so no thread state is forked) that each load
  the model once. At most ``2 * N`` tasks are in flight, so memory stays
  flat however many files there are.
- ``ray``: Ray Data, ``map_batches`` with a callable class on an actor pool
  (each actor loads the model once).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from ..analyzer import Analysis, Analyzer, ReadMeeting
from ..errors import TranscriptLensError
from .work import Failed, Settings, label_safely, make_analyzer

Outcome = Analysis | Failed

_worker: Analyzer | None = None
#: Why this worker could not load the model; reported to the coordinator.
_worker_error = ""


def _init_worker(settings: Settings, threads: int | None) -> None:
    # An initializer that raises breaks the whole pool with a traceback per
    # process; keep the reason and hand it over when asked instead.
    global _worker, _worker_error
    try:
        _worker = make_analyzer(settings, threads=threads)
        _worker.warm()
    except TranscriptLensError as error:
        _worker_error = str(error)


def _worker_status() -> str:
    return _worker_error


def _run_one(meeting: ReadMeeting) -> Outcome:
    assert _worker is not None, "worker was not initialised"
    return label_safely(_worker, meeting)


class LocalEngine:
    name = "local"

    def __init__(self, settings: Settings, jobs: int, analyzer: Analyzer | None = None) -> None:
        self.settings = settings
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        #: With one job, the coordinator's own analyzer labels in this process.
        self._given = analyzer
        self._analyzer: Analyzer | None = None

    def start(self) -> None:
        """Load the model (in each worker); errors here stop the run before any file."""
        if self.jobs == 1:
            analyzer = self._given or make_analyzer(self.settings)
            analyzer.warm()
            self._analyzer = analyzer
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

    def run(self, tasks: Iterable[ReadMeeting]) -> Iterator[Outcome]:
        if self._analyzer is not None:
            for meeting in tasks:
                yield label_safely(self._analyzer, meeting)
            return
        assert self._pool is not None, "start() first"
        pending: set[Future[Outcome]] = set()
        window = 2 * self.jobs
        for meeting in tasks:
            pending.add(self._pool.submit(_run_one, meeting))
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
        self._analyzer = None


class _RayLabellerBase:
    """The callable class Ray Data puts on each actor: one model per actor.

    Meetings travel pickled (the coordinator's own objects, between its own
    processes), so an actor gets the transcript the coordinator parsed.
    """

    settings: Settings

    def __init__(self) -> None:
        self.analyzer = make_analyzer(self.settings, threads=1)
        self.analyzer.warm()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        outcomes = []
        for blob in batch["meeting"]:
            meeting: ReadMeeting = pickle.loads(bytes(blob))  # noqa: S301 - our own object
            outcomes.append(pickle.dumps(label_safely(self.analyzer, meeting)))
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

    def run(self, tasks: Iterable[ReadMeeting]) -> Iterator[Outcome]:
        import ray

        items = [{"meeting": pickle.dumps(meeting)} for meeting in tasks]
        if not items:
            return
        dataset = ray.data.from_items(items, override_num_blocks=min(len(items), 64))
        labelled = dataset.map_batches(
            _ray_labeller(self.settings),
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=self.jobs),
            num_cpus=1,
        )
        for row in labelled.iter_rows():
            yield pickle.loads(row["outcome"])  # noqa: S301 - made by our own actors

    def stop(self) -> None:
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False


def make_engine(
    name: str,
    settings: Settings,
    jobs: int,
    address: str | None,
    analyzer: Analyzer | None = None,
) -> Any:
    """``analyzer``: the coordinator's, which a one-job local run labels with."""
    if name == "local":
        return LocalEngine(settings, jobs, analyzer)
    if name == "ray":
        return RayEngine(settings, jobs, address)
    raise TranscriptLensError(f"unknown engine {name!r}; choose local or ray")
