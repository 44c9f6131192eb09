"""Download only the model files the served blocks need, with progress, resume and a disk check.

Petals loads each block's weights from the model's checkpoint on the Hugging Face hub: for a sharded
checkpoint it reads the index (``model.safetensors.index.json`` …) and opens only the shards holding
that block's tensors. This module resolves the same shards ahead of time, so a person serving 4 of 80
blocks downloads a few GB instead of 140, sees real progress (bytes done / total), resumes an
interrupted file with an HTTP Range request, and is told before anything starts when the disk is too
small.

Files land in the hub's cache layout under ``cache_dir`` (``models--org--name/blobs/<etag>``,
``snapshots/<commit>/<file>`` links, ``refs/<revision>``) — the layout petals' own loader reads — so
pass the same ``cache_dir`` to the server (petals' default is ``$PETALS_CACHE`` or ``~/.cache/petals``,
which :func:`default_cache_dir` returns too). The hub address is ``endpoint`` or ``$HF_ENDPOINT``
(read at call time, unlike huggingface_hub's import-time constant).

Each finished file is verified: LFS files against their sha256 (the hub's ETag), small files against
their git blob sha1.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

log = logging.getLogger(__name__)

INDEX_FILES = ("model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin")
# Config and tokenizer files a server or a client may read; absent ones are skipped.
OPTIONAL_FILES = (
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.model",
)
# Where each architecture's blocks live in the checkpoint (petals' config.block_prefix).
BLOCK_PREFIXES = {"bloom": "h", "llama": "model.layers", "mixtral": "model.layers", "falcon": "transformer.h"}
CHUNK_BYTES = 1 << 20
DISK_MARGIN_BYTES = 256 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


class DownloadError(Exception):
    """A download could not be done; ``str()`` is a sentence for a person, ``detail`` a line for support."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class NotEnoughDisk(DownloadError):
    """The files do not fit on the disk; ``needed_bytes``/``free_bytes`` say by how much."""

    def __init__(self, message: str, needed_bytes: int, free_bytes: int) -> None:
        super().__init__(message, f"need {needed_bytes} B, free {free_bytes} B")
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes


class DownloadCancelled(DownloadError):
    """``should_stop`` asked to stop; partial files are kept for a later resume."""


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file of the repository as the hub's HEAD describes it."""

    filename: str
    size: int
    etag: str
    url: str  # where to GET it (the CDN location for LFS files)


@dataclasses.dataclass(frozen=True)
class DownloadPlan:
    """The files needed for ``blocks`` of ``repo_id`` at ``commit_hash``."""

    repo_id: str
    revision: str
    commit_hash: str
    blocks: tuple[int, ...]
    files: tuple[RemoteFile, ...]
    cache_dir: Path
    endpoint: str = "https://huggingface.co"

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def storage(self) -> Path:
        return self.cache_dir / ("models--" + self.repo_id.replace("/", "--"))

    @property
    def snapshot_dir(self) -> Path:
        return self.storage / "snapshots" / self.commit_hash

    def blob_path(self, f: RemoteFile) -> Path:
        return self.storage / "blobs" / f.etag

    def present_bytes(self, f: RemoteFile) -> int:
        """Bytes of ``f`` already on disk (a complete blob or a partial ``.incomplete``)."""
        blob = self.blob_path(f)
        if blob.is_file() and blob.stat().st_size == f.size:
            return f.size
        partial = blob.with_name(blob.name + ".incomplete")
        return min(partial.stat().st_size, f.size) if partial.is_file() else 0

    @property
    def missing_bytes(self) -> int:
        return sum(f.size - self.present_bytes(f) for f in self.files)


@dataclasses.dataclass(frozen=True)
class DownloadProgress:
    """Reported through ``on_progress`` as bytes arrive (and once per finished file)."""

    done_bytes: int
    total_bytes: int
    filename: str
    files_done: int
    files_total: int


def default_cache_dir() -> Path:
    """petals' model cache: ``$PETALS_CACHE`` or ``~/.cache/petals``."""
    return Path(os.getenv("PETALS_CACHE") or Path.home() / ".cache" / "petals")


def _endpoint(endpoint: Optional[str]) -> str:
    return (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _token(token: Optional[str]) -> Optional[str]:
    if token:
        return token
    env = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if env:
        return env
    try:
        from huggingface_hub import HfFolder

        return HfFolder.get_token()
    except Exception:  # noqa: BLE001 - no stored token is the normal case
        return None


def _url(endpoint: str, repo_id: str, revision: str, filename: str) -> str:
    from urllib.parse import quote

    return f"{endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"


def _head(endpoint: str, repo_id: str, revision: str, filename: str, token: Optional[str]):
    """(commit_hash, RemoteFile) or None when the file does not exist; errors become DownloadError."""
    from huggingface_hub import get_hf_file_metadata
    from huggingface_hub.utils import (
        EntryNotFoundError,
        GatedRepoError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    import requests

    url = _url(endpoint, repo_id, revision, filename)
    try:
        meta = get_hf_file_metadata(url, token=token or False)
    except EntryNotFoundError:
        return None
    except GatedRepoError as exc:
        raise DownloadError(
            f"{repo_id} is gated: accept its license on huggingface.co with your account, then set HF_TOKEN "
            "(or run huggingface-cli login) and try again.",
            f"HEAD {url}: {exc}",
        ) from None
    except RepositoryNotFoundError as exc:
        raise DownloadError(
            f"The model {repo_id} does not exist on the hub (or needs a token you do not have). Check its name.",
            f"HEAD {url}: {exc}",
        ) from None
    except RevisionNotFoundError as exc:
        raise DownloadError(f"The model {repo_id} has no revision {revision!r}.", f"HEAD {url}: {exc}") from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise DownloadError(
            f"The model hub ({endpoint}) cannot be reached. Check your internet connection and try again.",
            f"HEAD {url}: {type(exc).__name__}: {exc}",
        ) from None
    except requests.HTTPError as exc:
        raise DownloadError(
            f"The model hub answered with an error for {filename}; try again later.", f"HEAD {url}: {exc}"
        ) from None
    if not meta.commit_hash or not meta.etag or meta.size is None:
        raise DownloadError(
            f"{endpoint} does not look like a Hugging Face hub (no commit, ETag or size for {filename}).",
            f"HEAD {url}: commit={meta.commit_hash} etag={meta.etag} size={meta.size}",
        )
    return meta.commit_hash, RemoteFile(filename=filename, size=int(meta.size), etag=meta.etag, url=meta.location)


def _fetch_small(plan_like: DownloadPlan, f: RemoteFile, token: Optional[str]) -> bytes:
    """Download a small file (config, index) into the cache and return its bytes."""
    _download_file(plan_like, f, token, lambda n: None, None)
    _link(plan_like, f)
    return plan_like.blob_path(f).read_bytes()


def resolve(
    repo_id: str,
    blocks: Iterable[int],
    *,
    cache_dir: Optional[os.PathLike | str] = None,
    revision: str = "main",
    endpoint: Optional[str] = None,
    token: Optional[str] = None,
) -> DownloadPlan:
    """Work out which files ``blocks`` of ``repo_id`` need (fetches config.json and the index only).

    Raises :class:`DownloadError` for an unknown repository, an unsupported architecture, a checkpoint
    without weights in a format petals reads, or blocks the checkpoint does not hold.
    """
    ep = _endpoint(endpoint)
    tok = _token(token)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    wanted = tuple(sorted(set(int(b) for b in blocks)))
    if not wanted:
        raise DownloadError("No blocks were chosen to download.")
    head = _head(ep, repo_id, revision, "config.json", tok)
    if head is None:
        raise DownloadError(f"{repo_id} has no config.json: it is not a model repository petals can serve.")
    commit, config_file = head
    # Every later HEAD names the commit, so a push during the download cannot mix two versions.
    base = DownloadPlan(repo_id, revision, commit, wanted, (config_file,), cache, ep)
    config = json.loads(_fetch_small(base, config_file, tok))
    model_type = config.get("model_type", "")
    prefix = BLOCK_PREFIXES.get(model_type)
    if prefix is None:
        raise DownloadError(f"{repo_id} is a {model_type!r} model, which petals cannot serve.")
    layers = config.get("num_hidden_layers") or config.get("n_layer")
    if layers is not None and wanted[-1] >= int(layers):
        raise DownloadError(f"{repo_id} has {layers} blocks (0–{int(layers) - 1}); block {wanted[-1]} does not exist.")

    files: list[RemoteFile] = [config_file]
    weights: list[RemoteFile] = []
    for index_name in INDEX_FILES:
        found = _head(ep, repo_id, commit, index_name, tok)
        if found is None:
            continue
        index_file = found[1]
        if index_name.endswith(".index.json"):
            files.append(index_file)
            index = json.loads(_fetch_small(base, index_file, tok))
            shard_names = set()
            missing = []
            for block in wanted:
                block_prefix = f"{prefix}.{block}."
                names = {fn for key, fn in index["weight_map"].items() if key.startswith(block_prefix)}
                if not names:
                    missing.append(block)
                shard_names |= names
            if missing:
                raise DownloadError(
                    f"The checkpoint of {repo_id} has no weights for block(s) {missing}; it cannot serve them.",
                    f"no key starting with {prefix}.<n>. in {index_name}",
                )
            for shard in sorted(shard_names):
                meta = _head(ep, repo_id, commit, shard, tok)
                if meta is None:
                    raise DownloadError(f"{repo_id} lists {shard} in its index but the file is missing on the hub.")
                weights.append(meta[1])
        else:
            weights.append(index_file)  # one file holds every block
        break
    if not weights:
        raise DownloadError(
            f"{repo_id} has no weights in a format petals reads ({', '.join(INDEX_FILES)})."
        )
    for name in OPTIONAL_FILES:
        meta = _head(ep, repo_id, commit, name, tok)
        if meta is not None:
            files.append(meta[1])
    return DownloadPlan(repo_id, revision, commit, wanted, tuple(files + weights), cache, ep)


def check_disk(plan: DownloadPlan) -> None:
    """Raise :class:`NotEnoughDisk` unless the missing bytes (plus a margin) fit in ``plan.cache_dir``."""
    from core.hardware import free_disk_bytes

    needed = plan.missing_bytes
    if needed == 0:
        return
    free = free_disk_bytes(plan.cache_dir)
    if free < needed + DISK_MARGIN_BYTES:
        short = needed + DISK_MARGIN_BYTES - free
        raise NotEnoughDisk(
            f"Downloading {plan.repo_id} (blocks {plan.blocks[0]}–{plan.blocks[-1]}) needs {_gb(needed)} of free "
            f"disk space in {plan.cache_dir}, but only {_gb(free)} is free. Free up {_gb(short)}, serve fewer "
            "blocks, or choose a smaller model.",
            needed,
            free,
        )


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _hasher(etag: str):
    if _SHA256.match(etag):
        return hashlib.sha256(), None
    if _SHA1.match(etag):
        return hashlib.sha1(), "git"
    return None, None


def _verify(plan: DownloadPlan, f: RemoteFile, path: Path) -> None:
    h, kind = _hasher(f.etag)
    if h is None:
        return
    if kind == "git":
        h.update(b"blob %d\0" % f.size)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK_BYTES), b""):
            h.update(chunk)
    if h.hexdigest() != f.etag:
        path.unlink(missing_ok=True)
        raise DownloadError(
            f"{f.filename} arrived damaged (its checksum does not match); it was removed, try again.",
            f"{kind or 'sha256'} {h.hexdigest()} != etag {f.etag}",
        )


def _download_file(
    plan: DownloadPlan,
    f: RemoteFile,
    token: Optional[str],
    on_bytes: Callable[[int], None],
    should_stop: Optional[Callable[[], bool]],
    attempts: int = 5,
) -> None:
    """Bring ``f``'s blob to disk, resuming a partial file; ``on_bytes(n)`` for each new chunk."""
    import requests

    blob = plan.blob_path(f)
    if blob.is_file() and blob.stat().st_size == f.size:
        return
    blob.parent.mkdir(parents=True, exist_ok=True)
    partial = blob.with_name(blob.name + ".incomplete")
    headers = {"Accept-Encoding": "identity"}
    # The hub redirects LFS files to a CDN; the token goes to the hub only, never to the CDN.
    if token and f.url.startswith(plan.endpoint + "/"):
        headers["authorization"] = f"Bearer {token}"
    last_error: Optional[BaseException] = None
    for attempt in range(attempts):
        have = partial.stat().st_size if partial.is_file() else 0
        if have > f.size:  # a different file was here: start over
            partial.unlink()
            have = 0
        if have < f.size:
            req_headers = dict(headers)
            if have:
                req_headers["Range"] = f"bytes={have}-"
            try:
                with requests.get(f.url, headers=req_headers, stream=True, timeout=(10, 60)) as r:
                    if r.status_code == 416:  # we already hold everything the server has
                        pass
                    else:
                        r.raise_for_status()
                        mode = "ab"
                        if have and r.status_code != 206:
                            # The server ignored the Range: take the whole file from the start.
                            log.info("%s: server ignored the Range request; restarting the file", f.filename)
                            on_bytes(-have)
                            mode, have = "wb", 0
                        with open(partial, mode) as out:
                            for chunk in r.iter_content(CHUNK_BYTES):
                                if should_stop is not None and should_stop():
                                    raise DownloadCancelled("The download was stopped; it resumes where it left off.")
                                if chunk:
                                    out.write(chunk)
                                    on_bytes(len(chunk))
            except DownloadCancelled:
                raise
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                last_error = exc
                log.info("%s: download interrupted (%s); resuming", f.filename, type(exc).__name__)
                time.sleep(min(8.0, 0.5 * 2**attempt))
                continue
            except requests.HTTPError as exc:
                raise DownloadError(f"The model hub refused {f.filename}; try again later.", str(exc)) from None
        size = partial.stat().st_size if partial.is_file() else 0
        if size < f.size:
            last_error = IOError(f"short read: {size} of {f.size} bytes")
            continue
        if size > f.size:
            partial.unlink()
            raise DownloadError(f"{f.filename} came out larger than the hub announced; try again.")
        _verify(plan, f, partial)
        os.replace(partial, blob)
        return
    raise DownloadError(
        f"The download of {f.filename} kept failing; check your connection and start again (it will resume).",
        f"{type(last_error).__name__}: {last_error}",
    )


def _link(plan: DownloadPlan, f: RemoteFile) -> None:
    """Create ``snapshots/<commit>/<file>`` → blob and ``refs/<revision>`` as huggingface_hub does."""
    pointer = plan.snapshot_dir / f.filename
    pointer.parent.mkdir(parents=True, exist_ok=True)
    blob = plan.blob_path(f)
    if pointer.is_symlink() or pointer.exists():
        if pointer.resolve() == blob.resolve() or (pointer.is_file() and pointer.stat().st_size == f.size):
            pass
        else:
            pointer.unlink()
    if not (pointer.is_symlink() or pointer.exists()):
        relative = os.path.relpath(blob, pointer.parent)
        try:
            os.symlink(relative, pointer)
        except OSError:  # Windows without symlink rights: a copy, as huggingface_hub falls back to
            shutil.copyfile(blob, pointer)
    if plan.revision != plan.commit_hash:
        ref = plan.storage / "refs" / plan.revision
        ref.parent.mkdir(parents=True, exist_ok=True)
        if not ref.is_file() or ref.read_text() != plan.commit_hash:
            ref.write_text(plan.commit_hash)


def download(
    plan: DownloadPlan,
    *,
    token: Optional[str] = None,
    on_progress: Optional[Callable[[DownloadProgress], None]] = None,
    should_stop: Optional[Callable[[], bool]] = None,
) -> Path:
    """Fetch every file of ``plan`` (after :func:`check_disk`); returns the snapshot folder.

    ``on_progress`` gets :class:`DownloadProgress` after each chunk (1 MiB) and each finished file;
    ``done_bytes`` counts bytes already on disk from an earlier, interrupted run.
    """
    check_disk(plan)
    tok = _token(token)
    total = plan.total_bytes
    done = sum(plan.present_bytes(f) for f in plan.files)
    state = {"done": done, "files": 0}

    def report(name: str) -> None:
        if on_progress is not None:
            on_progress(DownloadProgress(state["done"], total, name, state["files"], len(plan.files)))

    report("")
    for f in plan.files:
        def on_bytes(n: int, _name: str = f.filename) -> None:
            state["done"] += n
            report(_name)

        _download_file(plan, f, tok, on_bytes, should_stop)
        _link(plan, f)
        state["files"] += 1
        report(f.filename)
    return plan.snapshot_dir


def download_blocks(
    repo_id: str,
    blocks: Sequence[int] | range,
    *,
    cache_dir: Optional[os.PathLike | str] = None,
    revision: str = "main",
    endpoint: Optional[str] = None,
    token: Optional[str] = None,
    on_progress: Optional[Callable[[DownloadProgress], None]] = None,
    should_stop: Optional[Callable[[], bool]] = None,
) -> Path:
    """:func:`resolve` then :func:`download`: the one call the node makes before serving hub models."""
    plan = resolve(repo_id, blocks, cache_dir=cache_dir, revision=revision, endpoint=endpoint, token=token)
    return download(plan, token=token, on_progress=on_progress, should_stop=should_stop)
