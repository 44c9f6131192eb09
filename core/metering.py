"""Exact metering of the work this node does for the Petals swarm, counted inside Petals' request handlers.

What is counted (cumulative since the node process started; the Oracle wants exactly that, PROTOCOL.md §6):

``tokens``
    Tokens whose hidden states passed through this node's blocks. One inference step that carries hidden
    states of shape ``[batch, n, hidden]`` counts ``batch × n``; one forward call (``rpc_forward`` /
    ``rpc_forward_stream``) of shape ``[batch, seq, hidden]`` counts ``batch × seq``. A token counts once per
    request however many of our blocks the request spans (the span is one unit of work for the swarm).
    Backward calls (fine-tuning) recompute the same tokens and are not counted again as tokens.
    For a greedy ``generate()`` of ``N`` new tokens from a prompt of ``P`` tokens (batch 1) in a fresh
    session, Petals' client sends one step of ``P`` tokens (prefill, which yields the first new token) and
    then ``N - 1`` steps of one token each (the last generated token is never fed back), so every server on
    the route counts ``P + N - 1`` tokens, ``N`` steps and ``1`` session.
``steps``
    Inference steps processed (each distinct step of every session: sent by the client or pushed by the
    previous server; a step that arrives twice, once pushed and once from the client, is processed once
    by Petals and counted once).
``forwards`` / ``backwards``
    Non-cached ``rpc_forward``/``rpc_forward_stream`` and ``rpc_backward``/``rpc_backward_stream`` calls.
``requests``
    ``steps + forwards + backwards``.
``sessions``
    Inference sessions (``rpc_inference`` streams) opened on this node.
``latency``
    Per request, the time this node spent on it: for an inference step, from the moment the step's input
    was handed to the compute until Petals asks for the next input (compute, serialisation and hand-off
    of the reply; not the wait for the client's next token); for forward/backward calls, the call's compute.

Where: Petals forks its connection handlers from the serving process (PETALS.md §4), so the counters live in
one shared-memory array created before the fork. Each handler process writes only its own row (its
``_handler_index``), so the hot path takes no lock: a few integer additions per request. Readers sum the
rows; a reading taken while a request is being counted may see its tokens before its step, never a lost
count. Hooks are installed on Petals' classes and module functions before ``Server.run()`` forks.

No rpc_* method is wrapped: hivemind builds its RPC table from those methods' own argument lists
(``inspect.getfullargspec`` does not follow ``__wrapped__``), so the hooks sit on what they call instead:
``_iterate_inference_steps`` (an async generator, not an RPC) and the module-level ``run_rpc_forward`` /
``run_rpc_backward`` names that ``petals.server.handler`` imported.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import multiprocessing
import threading
import time
from typing import Any, AsyncIterator, Callable, Deque, Optional, Tuple

# Column indices of one handler's row in the shared array.
_TOKENS, _STEPS, _FORWARDS, _BACKWARDS, _SESSIONS, _LATENCY_NS, _LATENCY_N = range(7)
_FIELDS = 7


@dataclasses.dataclass(frozen=True)
class MeterSnapshot:
    """Cumulative counters at one moment (see the module docstring for their exact meaning)."""

    tokens: int = 0
    steps: int = 0
    forwards: int = 0
    backwards: int = 0
    sessions: int = 0
    latency_ns: int = 0
    latency_count: int = 0
    taken_at: float = 0.0  # time.monotonic() of the reading

    @property
    def requests(self) -> int:
        return self.steps + self.forwards + self.backwards

    @property
    def avg_latency_ms(self) -> Optional[float]:
        """Mean per-request latency in milliseconds, ``None`` before the first request."""
        if self.latency_count == 0:
            return None
        return self.latency_ns / self.latency_count / 1e6


class Meter:
    """Shared counters, one row per handler process; create it before the server forks its handlers."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a meter needs at least one slot")
        self.slots = slots
        # RawArray: no lock; every row has exactly one writer (its handler process).
        self._cells = multiprocessing.RawArray("q", slots * _FIELDS)

    def add(self, slot: int, field: int, value: int) -> None:
        self._cells[(slot % self.slots) * _FIELDS + field] += value

    def record_step(self, slot: int, tokens: int, latency_ns: int) -> None:
        base = (slot % self.slots) * _FIELDS
        cells = self._cells
        cells[base + _TOKENS] += tokens
        cells[base + _STEPS] += 1
        cells[base + _LATENCY_NS] += latency_ns
        cells[base + _LATENCY_N] += 1

    def record_call(self, slot: int, field: int, tokens: int, latency_ns: int) -> None:
        base = (slot % self.slots) * _FIELDS
        cells = self._cells
        cells[base + _TOKENS] += tokens
        cells[base + field] += 1
        cells[base + _LATENCY_NS] += latency_ns
        cells[base + _LATENCY_N] += 1

    def snapshot(self) -> MeterSnapshot:
        """Sum of all rows."""
        values = list(self._cells)
        totals = [sum(values[i::_FIELDS]) for i in range(_FIELDS)]
        return MeterSnapshot(
            tokens=totals[_TOKENS],
            steps=totals[_STEPS],
            forwards=totals[_FORWARDS],
            backwards=totals[_BACKWARDS],
            sessions=totals[_SESSIONS],
            latency_ns=totals[_LATENCY_NS],
            latency_count=totals[_LATENCY_N],
            taken_at=time.monotonic(),
        )


class RateWindow:
    """Tokens per second over the last ``window_s`` seconds, from snapshots taken by the serving process.

    Kept out of the handlers: the hot path only adds; rates are differences of readings.
    """

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self._samples: Deque[Tuple[float, int]] = collections.deque()

    def add(self, snapshot: MeterSnapshot) -> None:
        self._samples.append((snapshot.taken_at, snapshot.tokens))
        while len(self._samples) > 2 and snapshot.taken_at - self._samples[1][0] >= self.window_s:
            self._samples.popleft()

    def tokens_per_s(self) -> float:
        """0.0 until two readings at least 0.5 s apart exist."""
        if len(self._samples) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 0.5:
            return 0.0
        return (n1 - n0) / (t1 - t0)


# --- hooks -------------------------------------------------------------------------------------------------

_meter: Optional[Meter] = None
# The row this process writes; a handler process sets it to its handler index right after the fork.
_slot = 0
_installed = False
_install_lock = threading.Lock()


def active_meter() -> Optional[Meter]:
    return _meter


def _tokens_of_proto(tensor: Any) -> int:
    """batch × length of a serialized [batch, length, hidden] tensor, read from its header (no decoding)."""
    size = tensor.size
    if len(size) < 2:
        return 0
    return int(size[0]) * int(size[1])


def _tokens_of_tensor(tensor: Any) -> int:
    shape = getattr(tensor, "shape", ())
    if len(shape) < 2:
        return 0
    return int(shape[0]) * int(shape[1])


def _wrap_handler_run(original: Callable) -> Callable:
    @functools.wraps(original)
    def run(self, *args, **kwargs):
        # Runs in the forked handler process: from now on this process writes its own row.
        global _slot
        _slot = int(getattr(self, "_handler_index", 0))
        return original(self, *args, **kwargs)

    return run


def _wrap_iterate_inference_steps(original: Callable) -> Callable:
    @functools.wraps(original)
    async def _iterate_inference_steps(self, *args, **kwargs) -> AsyncIterator[Any]:
        meter = _meter
        if meter is None:
            async for item in original(self, *args, **kwargs):
                yield item
            return
        meter.add(_slot, _SESSIONS, 1)
        steps = original(self, *args, **kwargs)
        clock = time.perf_counter_ns
        try:
            async for item in steps:
                request = item[0]
                tokens = _tokens_of_proto(request.tensors[0]) if request.tensors else 0
                started = clock()
                # The consumer computes this step before it asks for the next one.
                yield item
                meter.record_step(_slot, tokens, clock() - started)
        finally:
            await steps.aclose()

    return _iterate_inference_steps


def _wrap_rpc_function(original: Callable, field: int, count_tokens: bool) -> Callable:
    @functools.wraps(original)
    async def wrapper(*flat_tensors, **kwargs):
        meter = _meter
        if meter is None:
            return await original(*flat_tensors, **kwargs)
        # The first flat tensor is the hidden states (also when args_structure packs args and kwargs).
        tokens = _tokens_of_tensor(flat_tensors[0]) if (count_tokens and flat_tensors) else 0
        started = time.perf_counter_ns()
        result = await original(*flat_tensors, **kwargs)
        meter.record_call(_slot, field, tokens, time.perf_counter_ns() - started)
        return result

    return wrapper


def install(meter: Meter) -> None:
    """Point the handler hooks at ``meter``, installing them on first use. Call before ``Server.run()``."""
    global _meter, _installed
    with _install_lock:
        _meter = meter
        if _installed:
            return
        from core.petals_compat import import_petals

        import_petals()
        from petals.server import handler

        cls = handler.TransformerConnectionHandler
        cls.run = _wrap_handler_run(cls.run)
        cls._iterate_inference_steps = _wrap_iterate_inference_steps(cls._iterate_inference_steps)
        handler.run_rpc_forward = _wrap_rpc_function(handler.run_rpc_forward, _FORWARDS, count_tokens=True)
        handler.run_rpc_backward = _wrap_rpc_function(handler.run_rpc_backward, _BACKWARDS, count_tokens=False)
        _installed = True


def uninstall() -> None:
    """Stop counting (hooks stay in place but do nothing but call through)."""
    global _meter
    _meter = None
