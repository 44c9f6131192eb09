"""The hivemind re-export shim (../shared/PETALS.md §2) is what makes `import petals` work."""
from tests.helpers import run_python


def test_import_petals_fails_without_the_shim():
    result = run_python("import petals")
    assert result.returncode != 0
    assert "cannot import name" in result.stderr and "from 'hivemind'" in result.stderr


def test_import_petals_works_with_the_shim_and_exits_quietly():
    code = (
        "from core.petals_compat import import_petals\n"
        "petals = import_petals()\n"
        "from petals import AutoDistributedModelForCausalLM\n"
        "from petals.server.server import Server\n"
        "import petals.cli.run_server\n"
        "import hivemind\n"
        "# a live P2P daemon, dropped at exit: hivemind 1.1.12 prints 'no current event loop' here\n"
        "dht = hivemind.DHT(start=True, host_maddrs=['/ip4/127.0.0.1/tcp/0'])\n"
        "client = dht.replicate_p2p()\n"
        "print('imported', petals.__version__)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "imported 2.2.0.post1" in result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert "no current event loop" not in result.stderr


def test_version_check_is_skipped_offline():
    code = (
        "from core.petals_compat import import_petals\n"
        "import_petals()\n"
        "import petals.utils.version as v\n"
        "v.validate_version()\n"
        "print('ok')\n"
    )
    result = run_python(code)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr
    assert "Traceback" not in result.stderr


def test_session_garbage_collected_on_the_worker_loop_does_not_deadlock():
    # Unpatched, __del__ on the worker's own loop thread waits for that same loop: the child hangs.
    code = (
        "from core.petals_compat import import_petals\n"
        "import_petals()\n"
        "from hivemind.moe.client.remote_expert_worker import RemoteExpertWorker\n"
        "from petals.client.inference_session import _ServerInferenceSession\n"
        "session = _ServerInferenceSession.__new__(_ServerInferenceSession)\n"
        "session._outputs_stream, session._inputs_queue, session.stepped, session.closed = object(), None, False, False\n"
        "async def collect_here():\n"
        "    session.__del__()\n"
        "    return 'returned'\n"
        "print(RemoteExpertWorker.run_coroutine(collect_here()), flush=True)\n"
        "session._outputs_stream = None  # the exit-time __del__ has nothing left to close\n"
    )
    result = run_python(code, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "returned" in result.stdout
