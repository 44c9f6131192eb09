"""Evidence that Llama 3.1 ("llama3" rope scaling) is served correctly on transformers 4.34.1 + petals 2.2.

The reference below is written from Meta's published algorithm (llama-models ``apply_scaling``: keep
high frequencies, divide low ones by ``factor``, blend in between) and a plain float64 Llama decoder
layer (RMSNorm, rotate-half RoPE with the HF weight layout, grouped-query causal attention, SwiGLU).
It shares no code with core.llama3_rope or transformers' attention. The block under test is built by
petals' own server loader (``load_pretrained_block``) from a checkpoint on disk, as a server does.
"""
from __future__ import annotations

import math

import pytest
import torch

from core import llama3_rope

LLAMA31_SCALING = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
# Tiny: head_dim 16, theta 10000 -> wavelengths 6.3 … 19 869; with original context 64 the
# thresholds are 16 and 64, so kept, blended and divided frequencies all occur.
TINY_SCALING = {**LLAMA31_SCALING, "original_max_position_embeddings": 64}


def meta_apply_scaling(freqs: list[float], scaling: dict) -> list[float]:
    """Meta's published llama3 frequency scaling, one frequency at a time, in float64."""
    scale_factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    new_freqs = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            new_freqs.append(freq)
        elif wavelen > low_freq_wavelen:
            new_freqs.append(freq / scale_factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            new_freqs.append((1 - smooth) * freq / scale_factor + smooth * freq)
    return new_freqs


def base_freqs(head_dim: int, theta: float) -> list[float]:
    return [1.0 / theta ** (2 * i / head_dim) for i in range(head_dim // 2)]


def reference_layer(x: torch.Tensor, w: dict, *, heads: int, kv_heads: int, eps: float, freqs: list[float]):
    """A Llama decoder layer in float64 for one sequence ``x`` [T, hidden]; positions 0..T-1."""
    x = x.double()
    w = {k: v.double() for k, v in w.items()}
    t_len, hidden = x.shape
    hd = hidden // heads

    def rms(h, weight):
        return h / torch.sqrt((h * h).mean(-1, keepdim=True) + eps) * weight

    def rope(h):  # h: [T, n, hd]; HF layout pairs dimension i with i + hd/2
        out = torch.empty_like(h)
        half = hd // 2
        for pos in range(t_len):
            for i in range(half):
                c, s = math.cos(pos * freqs[i]), math.sin(pos * freqs[i])
                a, b = h[pos, :, i], h[pos, :, i + half]
                out[pos, :, i] = a * c - b * s
                out[pos, :, i + half] = b * c + a * s
        return out

    h = rms(x, w["input_layernorm.weight"])
    q = rope((h @ w["self_attn.q_proj.weight"].T).view(t_len, heads, hd))
    k = rope((h @ w["self_attn.k_proj.weight"].T).view(t_len, kv_heads, hd))
    v = (h @ w["self_attn.v_proj.weight"].T).view(t_len, kv_heads, hd)
    group = heads // kv_heads
    out = torch.zeros(t_len, heads, hd, dtype=torch.float64)
    causal = torch.triu(torch.full((t_len, t_len), float("-inf"), dtype=torch.float64), 1)
    for head in range(heads):
        kv = head // group
        scores = q[:, head] @ k[:, kv].T / math.sqrt(hd) + causal
        out[:, head] = torch.softmax(scores, -1) @ v[:, kv]
    x = x + out.reshape(t_len, hidden) @ w["self_attn.o_proj.weight"].T
    h = rms(x, w["post_attention_layernorm.weight"])
    gate = h @ w["mlp.gate_proj.weight"].T
    mlp = (gate * torch.sigmoid(gate) * (h @ w["mlp.up_proj.weight"].T)) @ w["mlp.down_proj.weight"].T
    return x + mlp


def test_frequencies_match_meta_for_llama31_8b():
    freqs = base_freqs(128, 500000.0)  # Llama 3.1 8B/70B: head_dim 128, rope_theta 500000
    expected = torch.tensor(meta_apply_scaling(freqs, LLAMA31_SCALING), dtype=torch.float64)
    got = llama3_rope.llama3_inv_freq(torch.tensor(freqs, dtype=torch.float64), LLAMA31_SCALING)
    assert torch.allclose(got, expected, rtol=1e-12, atol=0)
    # The scaling really changes something (else the comparison would prove nothing).
    assert not torch.allclose(got, torch.tensor(freqs, dtype=torch.float64))


def test_tiny_frequencies_cover_all_three_regimes():
    freqs = base_freqs(16, 10000.0)
    scaled = meta_apply_scaling(freqs, TINY_SCALING)
    kinds = {"kept" if s == f else "divided" if math.isclose(s, f / 8) else "blended" for f, s in zip(freqs, scaled)}
    assert kinds == {"kept", "divided", "blended"}
    got = llama3_rope.llama3_inv_freq(torch.tensor(freqs, dtype=torch.float64), TINY_SCALING)
    assert torch.allclose(got, torch.tensor(scaled, dtype=torch.float64), rtol=1e-12, atol=0)


def test_stock_transformers_refuses_llama3_config():
    from transformers import LlamaConfig

    config = LlamaConfig.__new__(LlamaConfig)
    config.rope_scaling = dict(LLAMA31_SCALING)
    with pytest.raises(ValueError, match="rope_scaling"):
        llama3_rope.original_validation()(config)


@pytest.fixture(scope="module")
def llama3_checkpoint(tmp_path_factory):
    llama3_rope.apply()
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,  # grouped-query attention, as Llama 3.1
        max_position_embeddings=512,
        rope_theta=10000.0,
        rope_scaling=dict(TINY_SCALING),
        initializer_range=0.1,
        tie_word_embeddings=False,
    )
    out = tmp_path_factory.mktemp("tiny-llama31")
    LlamaForCausalLM(config).save_pretrained(out, safe_serialization=True)
    return out


def _petals_block(path, index=1):
    llama3_rope.apply()
    from core.petals_compat import import_petals

    import_petals()
    from petals.server.from_pretrained import load_pretrained_block
    from petals.utils.auto_config import AutoDistributedConfig

    config = AutoDistributedConfig.from_pretrained(str(path), dht_prefix="tiny-llama31")
    assert config.rope_scaling["rope_type"] == "llama3"
    block = load_pretrained_block(str(path), index, config=config, torch_dtype=torch.float32, cache_dir=str(path))
    return block.eval(), config


def test_petals_block_matches_reference_beyond_original_context(llama3_checkpoint):
    block, config = _petals_block(llama3_checkpoint)
    weights = {k: v.detach().clone() for k, v in block.state_dict().items() if k.endswith("weight")}
    torch.manual_seed(1)
    seq = 96  # > original_max_position_embeddings (64): the cos/sin cache must grow
    x = torch.randn(1, seq, config.hidden_size)
    with torch.no_grad():
        got = block(x)[0][0].double()
    scaled = meta_apply_scaling(base_freqs(16, 10000.0), TINY_SCALING)
    unscaled = base_freqs(16, 10000.0)
    kwargs = dict(heads=4, kv_heads=2, eps=config.rms_norm_eps)
    want = reference_layer(x[0], weights, freqs=scaled, **kwargs)
    wrong = reference_layer(x[0], weights, freqs=unscaled, **kwargs)
    err = (got - want).abs().max().item()
    err_if_unscaled = (got - wrong).abs().max().item()
    assert err < 1e-4, err
    # What serving with rope_scaling dropped would have produced is far off: the test can tell.
    assert err_if_unscaled > 100 * max(err, 1e-7), (err, err_if_unscaled)


def test_petals_block_incremental_inference_matches_reference(llama3_checkpoint):
    """Server-side inference path: a prefix, then tokens one by one with the KV cache (layer_past)."""
    block, config = _petals_block(llama3_checkpoint, index=0)
    weights = {k: v.detach().clone() for k, v in block.state_dict().items() if k.endswith("weight")}
    torch.manual_seed(2)
    seq = 80
    x = torch.randn(1, seq, config.hidden_size)
    outputs = []
    with torch.inference_mode():
        out, past = block(x[:, :60], use_cache=True)
        outputs.append(out)
        for t in range(60, seq):
            out, past = block(x[:, t : t + 1], layer_past=past, use_cache=True)
            outputs.append(out)
    got = torch.cat(outputs, dim=1)[0].double()
    want = reference_layer(x[0], weights, heads=4, kv_heads=2, eps=config.rms_norm_eps,
                           freqs=meta_apply_scaling(base_freqs(16, 10000.0), TINY_SCALING))
    assert (got - want).abs().max().item() < 1e-4


def test_rotary_cache_starts_at_original_context(llama3_checkpoint):
    block, _ = _petals_block(llama3_checkpoint)
    rotary = block.self_attn.rotary_emb
    assert rotary.max_seq_len_cached == 64 and rotary.max_position_embeddings == 512


_SERVER = r"""
import json, sys, threading, time
from core import llama3_rope
llama3_rope.apply()
from core.petals_compat import import_petals
import_petals()
from petals.server.server import Server
server = Server(converted_model_name_or_path=sys.argv[1], dht_prefix="tiny-llama31", block_indices="0:2",
                initial_peers=[], throughput=1.0, torch_dtype="float32", device="cpu", num_handlers=2,
                host_maddrs=["/ip4/127.0.0.1/tcp/0"], skip_reachability_check=True, use_relay=False,
                use_auto_relay=False)
maddrs = [str(m) for m in server.dht.get_visible_maddrs()]
threading.Thread(target=server.run, daemon=True).start()
while getattr(server, "module_container", None) is None or not server.module_container.ready.is_set():
    time.sleep(0.05)
print("READY " + json.dumps(maddrs), flush=True)
sys.stdin.read()
server.shutdown()
"""


def reference_logits(path, ids: list[int], scaling: dict, heads=4, kv_heads=2, eps=1e-6) -> torch.Tensor:
    from safetensors.torch import load_file

    w = {}
    for shard in path.glob("*.safetensors"):
        w.update(load_file(shard))
    freqs = meta_apply_scaling(base_freqs(16, 10000.0), scaling)
    h = w["model.embed_tokens.weight"][ids].double()
    for layer in range(2):
        prefix = f"model.layers.{layer}."
        lw = {k[len(prefix):]: v for k, v in w.items() if k.startswith(prefix)}
        h = reference_layer(h, lw, heads=heads, kv_heads=kv_heads, eps=eps, freqs=freqs)
    h = h / torch.sqrt((h * h).mean(-1, keepdim=True) + eps) * w["model.norm.weight"].double()
    return h @ w["lm_head.weight"].double().T


@pytest.mark.timeout(120)
def test_served_through_a_real_petals_server_matches_reference(llama3_checkpoint):
    """A Petals server process (with core.llama3_rope applied) and a Petals client: the swarm's logits
    for a 70-token prompt (past the original context of 64) and its greedy continuation equal the reference."""
    import json
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT

    proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(llama3_checkpoint)], cwd=REPO_ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        seen = []
        for line in proc.stdout:  # other libraries print to stdout too (bitsandbytes' CPU notice)
            seen.append(line)
            if line.startswith("READY "):
                break
        assert line.startswith("READY "), f"server did not start: {seen[-5:]!r}"
        maddrs = json.loads(line[len("READY "):])
        llama3_rope.apply()
        from core.petals_compat import import_petals

        import_petals()
        from petals import AutoDistributedModelForCausalLM

        model = AutoDistributedModelForCausalLM.from_pretrained(
            str(llama3_checkpoint), initial_peers=maddrs, dht_prefix="tiny-llama31", torch_dtype=torch.float32)
        torch.manual_seed(3)
        ids = torch.randint(0, 64, (1, 70))
        with torch.inference_mode():
            logits = model(ids).logits[0].double()
            generated = model.generate(ids, max_new_tokens=4, do_sample=False)[0, 70:].tolist()
        want = reference_logits(llama3_checkpoint, ids[0].tolist(), TINY_SCALING)
        assert (logits - want).abs().max().item() < 1e-3
        wrong = reference_logits(llama3_checkpoint, ids[0].tolist(), {**TINY_SCALING, "factor": 1.0,
                                                                       "high_freq_factor": 1e9, "low_freq_factor": 1e-9})
        assert (logits - wrong).abs().max().item() > 1e-2  # the unscaled rope would differ visibly
        seq = ids[0].tolist()
        for _ in range(4):
            seq.append(int(reference_logits(llama3_checkpoint, seq, TINY_SCALING)[-1].argmax()))
        assert generated == seq[70:]
        model.transformer.h.sequence_manager.dht.shutdown()
    finally:
        proc.stdin.close()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
