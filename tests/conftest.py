"""Shared fixtures. Qt must see QT_QPA_PLATFORM=offscreen before any QApplication exists."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """Where tiny models are built: the user's cache (shared across runs) unless overridden."""
    from devnet.models import default_cache_dir

    return default_cache_dir()


@pytest.fixture(scope="session")
def tiny_bloom(model_cache) -> Path:
    from devnet.models import TINY_BLOOM, build_model

    return build_model(TINY_BLOOM, model_cache)


@pytest.fixture(scope="session")
def tiny_llama(model_cache) -> Path:
    from devnet.models import TINY_LLAMA, build_model

    return build_model(TINY_LLAMA, model_cache)
