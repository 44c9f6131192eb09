"""The meter's shared counters across forked processes, its rate window, and hooks that leave Petals' RPCs intact."""
from __future__ import annotations

import asyncio
import multiprocessing

from core.metering import Meter, MeterSnapshot, RateWindow


def _hammer(meter: Meter, slot: int, steps: int) -> None:
    for _ in range(steps):
        meter.record_step(slot, tokens=3, latency_ns=1000)


def test_counts_from_forked_processes_add_up():
    meter = Meter(slots=3)  # created before the fork, like the node does before Petals forks its handlers
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(meter, slot, 5000)) for slot in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    snap = meter.snapshot()
    assert snap.steps == 15000 and snap.tokens == 45000 and snap.requests == 15000
    assert snap.avg_latency_ms == 0.001


def test_empty_meter_has_no_latency():
    snap = Meter(slots=1).snapshot()
    assert snap.tokens == 0 and snap.avg_latency_ms is None


def test_rate_window_uses_recent_readings_only():
    window = RateWindow(window_s=10)
    for t, tokens in [(0, 0), (5, 500), (10, 1000), (20, 1000), (30, 1000)]:
        window.add(MeterSnapshot(tokens=tokens, taken_at=float(t)))
    assert window.tokens_per_s() == 0.0  # idle for the last 10+ seconds
    window.add(MeterSnapshot(tokens=1200, taken_at=32.0))
    assert 0 < window.tokens_per_s() <= 200 / 2


def test_hooks_keep_petals_rpc_table_and_count_inference_steps():
    """hivemind builds its RPC table from rpc_* signatures; the hooks must not change it, and must count."""
    from core import metering
    from core.petals_compat import import_petals

    import_petals()
    from hivemind.proto import runtime_pb2
    from hivemind.utils import MSGPackSerializer
    from petals.server.handler import TransformerConnectionHandler

    def table():
        TransformerConnectionHandler._rpc_handlers = None
        TransformerConnectionHandler._collect_rpc_handlers()
        return sorted(repr(h) for h in TransformerConnectionHandler._rpc_handlers)

    before = table()
    meter = Meter(slots=1)
    metering.install(meter)
    try:
        assert table() == before
        # Drive the hooked step iterator as Petals' iterate_rpc_inference would: two steps of a batch of 2.
        import torch
        from hivemind import serialize_torch_tensor

        def step(n_tokens: int, step_id: str) -> runtime_pb2.ExpertRequest:
            hidden = serialize_torch_tensor(torch.zeros(2, n_tokens, 4))
            return runtime_pb2.ExpertRequest(tensors=[hidden], metadata=MSGPackSerializer.dumps({"step_id": step_id}))

        async def requests():
            yield step(1, "b")
            yield step(1, "b")  # the same step again (pushed and sent): processed and counted once
            yield runtime_pb2.ExpertRequest()  # no tensors: the client ends the session

        handler = TransformerConnectionHandler.__new__(TransformerConnectionHandler)
        handler.step_timeout = 5
        handler._log_request = lambda *a, **k: None

        async def drive():
            seen = []
            async for request, _ in handler._iterate_inference_steps(step(5, "a"), requests(), None, ["x"], None):
                seen.append(request)
            return seen

        seen = asyncio.run(drive())
        assert len(seen) == 2
        snap = meter.snapshot()
        assert (snap.sessions, snap.steps, snap.tokens) == (1, 2, 2 * 5 + 2 * 1)
        assert snap.avg_latency_ms is not None
    finally:
        metering.uninstall()
