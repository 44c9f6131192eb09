"""devnet's tiny models: deterministic, cached by their parameters, in the layout Petals loads."""
import dataclasses
import json

from safetensors import safe_open

from devnet.models import BLOOM_560M_SHAPE, TINY_BLOOM, TINY_LLAMA, build_model, read_model_info


def _weights(model_dir):
    tensors = {}
    for file in sorted(model_dir.glob("*.safetensors")):
        with safe_open(str(file), "pt") as f:
            for key in f.keys():
                tensors[key] = f.get_tensor(key)
    return tensors


def test_builds_are_deterministic_and_cached(tmp_path):
    first = build_model(TINY_BLOOM, tmp_path / "a")
    second = build_model(TINY_BLOOM, tmp_path / "b")
    a, b = _weights(first), _weights(second)
    assert a.keys() == b.keys()
    assert all((a[k] == b[k]).all() for k in a)
    mtime = (first / "plumise_model.json").stat().st_mtime_ns
    assert build_model(TINY_BLOOM, tmp_path / "a") == first
    assert (first / "plumise_model.json").stat().st_mtime_ns == mtime  # not rebuilt
    other = build_model(dataclasses.replace(TINY_BLOOM, seed=1), tmp_path / "a")
    assert other != first
    assert not all((a[k] == _weights(other)[k]).all() for k in a)


def test_bloom_layout_and_init(tiny_bloom):
    config = json.loads((tiny_bloom / "config.json").read_text())
    assert config["architectures"] == ["BloomForCausalLM"]
    weights = _weights(tiny_bloom)
    assert "h.0.self_attention.query_key_value.weight" in weights
    assert not any(k.startswith("transformer.") for k in weights)
    std = weights["h.0.mlp.dense_h_to_4h.weight"].std().item()
    assert 0.17 < std < 0.23
    info = read_model_info(tiny_bloom)
    assert info["dht_prefix"] and info["model_id"].startswith("plumise-devnet/")


def test_llama_layout(tiny_llama):
    config = json.loads((tiny_llama / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"]
    assert "model.layers.0.self_attn.q_proj.weight" in _weights(tiny_llama)


def test_tokenizer_round_trips(tiny_bloom):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_bloom)
    text = "Plumise lends idle computers"
    assert tok.decode(tok(text)["input_ids"]) == text


def test_bloom_560m_shape_is_described():
    spec = BLOOM_560M_SHAPE
    assert (spec.num_layers, spec.hidden_size, spec.num_heads, spec.vocab_size) == (24, 1024, 16, 250880)
