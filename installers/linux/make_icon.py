"""Write a PNG icon for the Linux packages: resources/icons/plumise-petals.png when the app ships one, else
the app's SVG (resources/icons/plumise-petals.svg) rendered with Qt, else a stand-in drawn here with the
standard library only (five petals around a disc, in the SVG's colours).

``python installers/linux/make_icon.py OUT.png [SIZE]``
"""
from __future__ import annotations

import math
import shutil
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "resources" / "icons" / "plumise-petals.png"
SVG = ROOT / "resources" / "icons" / "plumise-petals.svg"
PURPLE = (0x2F, 0x80, 0xED)
CENTRE = (0xF2, 0xC9, 0x4C)


def _pixel(x: float, y: float) -> tuple[int, int, int, int]:
    r = math.hypot(x, y)
    if r < 0.22:
        return (*CENTRE, 255)
    angle = math.atan2(y, x)
    # A five-petal rose: r = 0.9·|cos(5θ/2)|, filled.
    if r < 0.92 * abs(math.cos(2.5 * angle)) + 0.05:
        return (*PURPLE, 255)
    return (0, 0, 0, 0)


def draw_png(size: int = 256) -> bytes:
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # filter: none
        for i in range(size):
            x = (i + 0.5) / size * 2 - 1
            y = 1 - (j + 0.5) / size * 2
            rows.extend(_pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def render_svg(svg: Path, out: Path, size: int) -> bool:
    """Render ``svg`` to a ``size``² PNG with Qt (offscreen); False when Qt or its SVG plugin is missing."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtGui import QGuiApplication, QIcon
    except ImportError:
        return False
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - pixmaps need an application
    pixmap = QIcon(str(svg)).pixmap(size, size)
    return not pixmap.isNull() and pixmap.width() == size and pixmap.save(str(out), "PNG")


def write_icon(out: Path, size: int = 256) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if SHIPPED.is_file():
        shutil.copyfile(SHIPPED, out)
    elif not (SVG.is_file() and render_svg(SVG, out, size)):
        out.write_bytes(draw_png(size))
    return out


if __name__ == "__main__":
    write_icon(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 256)
