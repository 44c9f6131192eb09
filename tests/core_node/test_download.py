"""core.download against a local server in the Hugging Face hub's URL layout (tests/core_node/hub_server.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from core import download as dl
from tests.core_node.hub_server import HubServer
from tests.helpers import REPO_ROOT

REPO = "plumise-test/tiny-llama-sharded"


@pytest.fixture(scope="module")
def sharded_model(tmp_path_factory, tiny_llama):
    """The devnet's tiny Llama re-saved as a sharded safetensors checkpoint (about one block per shard)."""
    from transformers import AutoTokenizer, LlamaForCausalLM

    out = tmp_path_factory.mktemp("hub") / "tiny-llama-sharded"
    model = LlamaForCausalLM.from_pretrained(tiny_llama)
    model.save_pretrained(out, safe_serialization=True, max_shard_size="200KB")
    AutoTokenizer.from_pretrained(tiny_llama).save_pretrained(out)
    index = json.loads((out / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) >= 6, "the test needs several shards"
    return out


@pytest.fixture
def hub(sharded_model):
    server = HubServer()
    server.add_repo(REPO, sharded_model)
    server.start()
    yield server
    server.stop()


def _shards_for(model_dir, blocks):
    index = json.loads((model_dir / "model.safetensors.index.json").read_text())["weight_map"]
    return {fn for key, fn in index.items() for b in blocks if key.startswith(f"model.layers.{b}.")}


def test_downloads_only_the_shards_of_the_chosen_blocks(hub, sharded_model, tmp_path):
    seen = []
    snapshot = dl.download_blocks(REPO, [2, 3], cache_dir=tmp_path, endpoint=hub.url, on_progress=seen.append)

    wanted = _shards_for(sharded_model, [2, 3])
    all_shards = set(json.loads((sharded_model / "model.safetensors.index.json").read_text())["weight_map"].values())
    fetched = {p.rsplit("/", 1)[-1] for _, p, _ in hub.gets() if p.startswith("/cdn/")}
    fetched_names = {hub._cdn[h].name for h in fetched}
    assert fetched_names == wanted and wanted < all_shards
    for name in wanted | {"config.json", "model.safetensors.index.json", "tokenizer.json"}:
        assert (snapshot / name).read_bytes() == (sharded_model / name).read_bytes()
    # Progress: starts at what resolve() already fetched (config, index), never goes down, ends at the total.
    done = [p.done_bytes for p in seen]
    small = sum((sharded_model / n).stat().st_size for n in ("config.json", "model.safetensors.index.json"))
    assert done[0] == small and done == sorted(done)
    assert seen[-1].done_bytes == seen[-1].total_bytes == sum((snapshot / n).stat().st_size for n in
                                                               {p.filename for p in seen if p.filename})
    assert seen[-1].files_done == seen[-1].files_total

    # The layout is huggingface_hub's own cache: it finds the files offline.
    from huggingface_hub import hf_hub_download

    path = hf_hub_download(REPO, sorted(wanted)[0], cache_dir=tmp_path, local_files_only=True)
    assert open(path, "rb").read() == (sharded_model / sorted(wanted)[0]).read_bytes()


def test_resumes_a_cut_connection_and_a_partial_file(hub, sharded_model, tmp_path, monkeypatch):
    # Small chunks, so the bytes received before the cut reach the disk (1 MiB chunks would lose them all).
    monkeypatch.setattr(dl, "CHUNK_BYTES", 4096)
    shards = sorted(_shards_for(sharded_model, [5, 6]))
    assert len(shards) >= 2
    hub.cut_once.add(shards[0])
    plan = dl.resolve(REPO, [5, 6], cache_dir=tmp_path, endpoint=hub.url)
    # A partial file from an earlier, interrupted run: the first 1000 bytes of the last shard.
    target = next(f for f in plan.files if f.filename == shards[-1])
    partial = plan.blob_path(target).with_name(target.etag + ".incomplete")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes((sharded_model / shards[-1]).read_bytes()[:1000])
    assert plan.missing_bytes == plan.total_bytes - 1000 - sum(
        f.size for f in plan.files if f.filename in ("config.json",) or f.filename.endswith(".index.json"))

    seen = []
    snapshot = dl.download(plan, on_progress=seen.append)
    for name in shards:
        assert (snapshot / name).read_bytes() == (sharded_model / name).read_bytes()
    ranges = [r for _, p, r in hub.gets() if p.startswith("/cdn/") and r]
    assert "bytes=1000-" in ranges  # the partial file was continued, not restarted
    assert any(r != "bytes=1000-" for r in ranges)  # the cut connection was resumed with a Range
    assert seen[0].done_bytes > 0 and seen[-1].done_bytes == seen[-1].total_bytes
    assert not list(plan.storage.glob("blobs/*.incomplete"))


def test_a_server_ignoring_range_restarts_the_file(hub, sharded_model, tmp_path):
    hub.ignore_range = True
    plan = dl.resolve(REPO, [1], cache_dir=tmp_path, endpoint=hub.url)
    shard = next(f for f in plan.files if f.filename.endswith(".safetensors"))
    partial = plan.blob_path(shard).with_name(shard.etag + ".incomplete")
    partial.write_bytes(b"x" * 500)  # wrong bytes: kept only if the Range were honoured
    snapshot = dl.download(plan)
    assert (snapshot / shard.filename).read_bytes() == (sharded_model / shard.filename).read_bytes()


def test_not_enough_disk_stops_before_any_weight_is_fetched(hub, tmp_path, monkeypatch):
    import core.hardware

    plan = dl.resolve(REPO, [0, 1, 2], cache_dir=tmp_path, endpoint=hub.url)
    monkeypatch.setattr(core.hardware, "free_disk_bytes", lambda path: 10_000)
    with pytest.raises(dl.NotEnoughDisk) as info:
        dl.download(plan)
    message = str(info.value)
    assert "free disk space" in message and str(tmp_path) in message and "blocks 0–2" in message
    assert not [p for _, p, _ in hub.gets() if p.startswith("/cdn/")]


def test_bad_requests_have_clear_messages(hub, tmp_path):
    with pytest.raises(dl.DownloadError, match="does not exist on the hub"):
        dl.resolve("nobody/no-such-model", [0], cache_dir=tmp_path, endpoint=hub.url)
    with pytest.raises(dl.DownloadError, match="has 8 blocks"):
        dl.resolve(REPO, [8], cache_dir=tmp_path, endpoint=hub.url)
    with pytest.raises(dl.DownloadError, match="cannot be reached"):
        dl.resolve(REPO, [0], cache_dir=tmp_path, endpoint="http://127.0.0.1:9")


def test_petals_loads_the_block_from_what_was_downloaded(hub, sharded_model, tmp_path):
    """petals' own loader, pointed at the same hub and cache, finds everything and fetches no weights."""
    dl.download_blocks(REPO, [4], cache_dir=tmp_path, endpoint=hub.url)
    before = len([e for e in hub.gets() if e[1].startswith("/cdn/")])
    code = textwrap.dedent(f"""
        import torch
        from core.petals_compat import import_petals
        import_petals()
        from petals.server.from_pretrained import load_pretrained_block
        block = load_pretrained_block({REPO!r}, 4, torch_dtype=torch.float32, cache_dir={str(tmp_path)!r})
        print("PARAMS", sum(p.numel() for p in block.parameters()))
    """)
    env = {"HF_ENDPOINT": hub.url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "PARAMS 41088" in proc.stdout  # 4·64² + 3·64·128 + 2·64: one tiny Llama block
    after = len([e for e in hub.gets() if e[1].startswith("/cdn/")])
    assert after == before
