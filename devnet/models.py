"""Deterministic tiny models with the real BLOOM and Llama architectures, built offline.

The devnet, the tests and the benchmarks serve these through a real Petals swarm. Weights are random
(std 0.2, so greedy decoding does not collapse onto one token) and the tokenizer is a byte-level BPE
trained on a few sentences. A built model is cached under a folder named by a hash of everything
that shapes it, so the second request costs nothing.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

# Bump when the builder changes the bytes it writes, so stale caches are not reused.
BUILDER_VERSION = 2

Architecture = Literal["bloom", "llama"]

_CORPUS = [
    "Plumise lends idle computers to a network that serves large language models.",
    "Every node serves a few transformer blocks and earns PLM for the tokens it processes.",
    "The quick brown fox jumps over the lazy dog while the swarm keeps generating text.",
    "A signed report tells the oracle how many tokens passed through this node's blocks.",
    "Rewards are distributed at the end of each epoch in proportion to the contribution.",
    "Hello world! Numbers 0 1 2 3 4 5 6 7 8 9 and punctuation, too; all of it: done.",
]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """Everything that determines a tiny model's bytes."""

    arch: Architecture = "bloom"
    num_layers: int = 8
    hidden_size: int = 64
    num_heads: int = 4
    vocab_size: int = 512
    seed: int = 0
    init_std: float = 0.2
    dht_prefix: str = ""

    @property
    def cache_key(self) -> str:
        payload = json.dumps({**dataclasses.asdict(self), "builder": BUILDER_VERSION}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def model_id(self) -> str:
        """A Hugging Face-style id; also what the chain's modelHash is taken from."""
        return f"plumise-devnet/tiny-{self.arch}-{self.cache_key}"

    @property
    def prefix(self) -> str:
        """The DHT prefix servers and clients of this model share."""
        return self.dht_prefix or f"tiny-{self.arch}-{self.cache_key}"


# hidden 128: at 64 the random BLOOM decodes one token over and over, a weak comparison.
TINY_BLOOM = ModelSpec(arch="bloom", hidden_size=128)
TINY_LLAMA = ModelSpec(arch="llama")
# bloom-560m's shape (24 layers, hidden 1024, 16 heads, vocab 250880) for benchmarks.
BLOOM_560M_SHAPE = ModelSpec(arch="bloom", num_layers=24, hidden_size=1024, num_heads=16, vocab_size=250880)

SHAPES: dict[str, ModelSpec] = {
    "tiny-bloom": TINY_BLOOM,
    "tiny-llama": TINY_LLAMA,
    "bloom-560m-shape": BLOOM_560M_SHAPE,
}


def default_cache_dir() -> Path:
    """``$PLUMISE_MODEL_CACHE`` or the user's cache folder."""
    explicit = os.environ.get("PLUMISE_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "plumise-petals" / "models"


def build_model(spec: ModelSpec = TINY_BLOOM, cache_dir: Path | None = None) -> Path:
    """Return the folder of the model described by ``spec``, building it on first use.

    The folder holds ``config.json``, the weights in the layout Petals loads, the tokenizer files and
    ``plumise_model.json`` (the spec, the model id and the DHT prefix).
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = root / f"{spec.arch}-{spec.cache_key}"
    if (target / "plumise_model.json").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    try:
        _write_model(spec, staging)
        try:
            os.rename(staging, target)
        except OSError:
            # Another process finished the same build first; its result is identical.
            if not (target / "plumise_model.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def read_model_info(model_dir: Path) -> dict:
    """The ``plumise_model.json`` a built model carries (model id, DHT prefix, spec)."""
    return json.loads((Path(model_dir) / "plumise_model.json").read_text())


def _write_model(spec: ModelSpec, out: Path) -> None:
    import torch

    tokenizer = _train_tokenizer(spec.vocab_size)
    torch.manual_seed(spec.seed)
    if spec.arch == "bloom":
        from transformers import BloomConfig, BloomForCausalLM

        config = BloomConfig(
            vocab_size=spec.vocab_size,
            hidden_size=spec.hidden_size,
            n_layer=spec.num_layers,
            n_head=spec.num_heads,
            initializer_range=spec.init_std,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        model = BloomForCausalLM(config)
        # Petals' BLOOM loads the base model's keys (h.N.*), with the causal-LM architecture named;
        # save_pretrained writes the saved class's name, so the config is written again afterwards.
        model.transformer.save_pretrained(out, safe_serialization=True)
        config.architectures = ["BloomForCausalLM"]
        config.save_pretrained(out)
    elif spec.arch == "llama":
        from transformers import LlamaConfig, LlamaForCausalLM

        config = LlamaConfig(
            vocab_size=spec.vocab_size,
            hidden_size=spec.hidden_size,
            intermediate_size=spec.hidden_size * 2,
            num_hidden_layers=spec.num_layers,
            num_attention_heads=spec.num_heads,
            num_key_value_heads=spec.num_heads,
            max_position_embeddings=512,
            initializer_range=spec.init_std,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            tie_word_embeddings=False,
        )
        model = LlamaForCausalLM(config)
        model.save_pretrained(out, safe_serialization=True)
    else:
        raise ValueError(f"unknown architecture {spec.arch!r}: choose 'bloom' or 'llama'")
    tokenizer.save_pretrained(out)
    info = {"model_id": spec.model_id, "dht_prefix": spec.prefix, "spec": dataclasses.asdict(spec)}
    (out / "plumise_model.json").write_text(json.dumps(info, indent=2, sort_keys=True))


def _train_tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    special = ["<pad>", "<s>", "</s>", "<unk>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=min(vocab_size, 2048),
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
