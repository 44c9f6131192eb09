"""What this computer can give: memory, graphics cards, CPU cores and free disk.

Everything is read once into a plain :class:`Hardware` value so tiers can be computed (and tested) from
any hardware description. torch is imported only if it is already importable and only to ask about
CUDA/MPS; any failure there means "no usable GPU", never a crash.
"""
from __future__ import annotations

import dataclasses
import os
import platform
import shutil
from pathlib import Path
from typing import Optional

GIB = 1024**3


@dataclasses.dataclass(frozen=True)
class GpuInfo:
    """One CUDA device."""

    index: int
    name: str
    total_bytes: int
    free_bytes: int


@dataclasses.dataclass(frozen=True)
class Hardware:
    """A snapshot of the resources relevant to serving blocks."""

    total_ram_bytes: int
    available_ram_bytes: int
    cpu_cores_physical: int
    cpu_cores_logical: int
    gpus: tuple[GpuInfo, ...] = ()
    mps_available: bool = False
    disk_free_bytes: Optional[int] = None
    disk_path: Optional[str] = None
    system: str = dataclasses.field(default_factory=platform.system)
    machine: str = dataclasses.field(default_factory=platform.machine)

    @property
    def has_cuda(self) -> bool:
        return bool(self.gpus)

    @property
    def best_gpu(self) -> Optional[GpuInfo]:
        """The CUDA device with the most free memory (Petals serves on one device here)."""
        return max(self.gpus, key=lambda g: g.free_bytes, default=None)

    @property
    def apple_silicon(self) -> bool:
        return self.system == "Darwin" and self.machine in ("arm64", "aarch64")

    def describe(self) -> str:
        """One line for a person: memory, GPU, cores, disk."""
        parts = [f"{self.total_ram_bytes / GIB:.0f} GiB memory ({self.available_ram_bytes / GIB:.1f} GiB free)"]
        gpu = self.best_gpu
        if gpu is not None:
            parts.append(f"{gpu.name} with {gpu.total_bytes / GIB:.0f} GiB ({gpu.free_bytes / GIB:.1f} GiB free)")
        elif self.mps_available:
            parts.append("Apple GPU (shares the memory)")
        else:
            parts.append("no graphics card Petals can use")
        parts.append(f"{self.cpu_cores_physical} CPU cores")
        if self.disk_free_bytes is not None:
            parts.append(f"{self.disk_free_bytes / GIB:.0f} GiB free disk")
        return ", ".join(parts)


def _cuda_devices() -> tuple[GpuInfo, ...]:
    try:
        import torch

        if not torch.cuda.is_available():
            return ()
        out = []
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            try:
                free, total = torch.cuda.mem_get_info(index)
            except Exception:  # noqa: BLE001 - some drivers refuse; total is still a fair guess
                free, total = props.total_memory, props.total_memory
            out.append(GpuInfo(index=index, name=props.name, total_bytes=int(total), free_bytes=int(free)))
        return tuple(out)
    except Exception:  # noqa: BLE001 - a broken driver must not stop the node; it serves on CPU
        return ()


def _mps_available() -> bool:
    try:
        import torch

        backend = getattr(torch.backends, "mps", None)
        return bool(backend is not None and backend.is_available())
    except Exception:  # noqa: BLE001
        return False


def _existing_parent(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def free_disk_bytes(path: os.PathLike | str) -> int:
    """Free bytes on the file system that holds ``path`` (or its nearest existing parent)."""
    return shutil.disk_usage(_existing_parent(Path(path))).free


def detect(disk_path: Optional[os.PathLike | str] = None, *, probe_gpu: bool = True) -> Hardware:
    """Measure this computer. ``disk_path``: where models are stored (free space is read there).

    ``probe_gpu=False`` skips importing torch (about 1 s), for callers that only need memory and disk.
    """
    import psutil

    vm = psutil.virtual_memory()
    logical = psutil.cpu_count(logical=True) or os.cpu_count() or 1
    physical = psutil.cpu_count(logical=False) or logical
    disk_free = None
    if disk_path is not None:
        try:
            disk_free = free_disk_bytes(disk_path)
        except OSError:
            disk_free = None
    return Hardware(
        total_ram_bytes=int(vm.total),
        available_ram_bytes=int(vm.available),
        cpu_cores_physical=int(physical),
        cpu_cores_logical=int(logical),
        gpus=_cuda_devices() if probe_gpu else (),
        mps_available=_mps_available() if probe_gpu else False,
        disk_free_bytes=disk_free,
        disk_path=str(disk_path) if disk_path is not None else None,
    )
