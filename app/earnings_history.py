"""The local earnings history: claims, and the pending reward sampled once a day.

Kept in ``earnings.json`` in the app data folder, written atomically (temp file, fsync, rename), so a crash
mid-write leaves the previous file intact. A file that cannot be read is moved aside and reported, never
silently replaced. No Qt here: the chart and the dashboard read :meth:`EarningsHistory.daily_points`.
Amounts are wei as decimal strings (JSON numbers lose precision above 2**53).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from chain.files import atomic_write_text

log = logging.getLogger(__name__)

FILENAME = "earnings.json"
VERSION = 1
MAX_DAYS = 400


@dataclass(frozen=True)
class Claim:
    at: float  # unix seconds
    amount_wei: int
    tx_hash: Optional[str]


@dataclass(frozen=True)
class DayPoint:
    day: dt.date
    pending_wei: Optional[int]  # last sample of the day, None on a day with only claims
    claimed_wei: int  # sum of the day's claims


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("plumise-petals", appauthor=False) / FILENAME


class EarningsHistory:
    """Thread-safe: the GUI thread records, a background save may run at the same time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.warning: Optional[str] = None
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._pending_by_day: dict[str, int] = {}
        self._claims: list[Claim] = []
        self._load()

    # -- reading the file
    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            pending = {str(day): int(value) for day, value in dict(data.get("pending_by_day", {})).items()}
            for day in pending:
                dt.date.fromisoformat(day)
            claims = [
                Claim(float(c["at"]), int(c["amount_wei"]), c.get("tx_hash")) for c in list(data.get("claims", []))
            ]
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{dt.datetime.now():%Y%m%d-%H%M%S}")
            try:
                os.replace(self.path, aside)
            except OSError:
                aside = self.path
            self.warning = f"The earnings history could not be read and was moved to {aside}: {exc}"
            log.warning(self.warning)
            return
        self._pending_by_day, self._claims = pending, claims

    # -- recording
    def record_pending(self, pending_wei: int, when: Optional[float] = None) -> bool:
        """Keep the latest pending amount of the day; True when this changed what is stored."""
        day = _day(when).isoformat()
        with self._lock:
            if self._pending_by_day.get(day) == pending_wei:
                return False
            self._pending_by_day[day] = int(pending_wei)
            if len(self._pending_by_day) > MAX_DAYS:
                for old in sorted(self._pending_by_day)[: len(self._pending_by_day) - MAX_DAYS]:
                    del self._pending_by_day[old]
        return True

    def record_claim(self, amount_wei: int, tx_hash: Optional[str], when: Optional[float] = None) -> None:
        with self._lock:
            if tx_hash and any(c.tx_hash == tx_hash for c in self._claims):
                return  # the node's claim event and our own result can both report the same claim
            self._claims.append(Claim(float(when if when is not None else dt.datetime.now().timestamp()),
                                      int(amount_wei), tx_hash))

    def save(self) -> None:
        # Saves run in background threads; one at a time, each taking its snapshot inside the save lock,
        # so an older snapshot can never be written after a newer one.
        with self._save_lock:
            with self._lock:
                data = {
                    "version": VERSION,
                    "pending_by_day": dict(sorted(self._pending_by_day.items())),
                    "claims": [{"at": c.at, "amount_wei": str(c.amount_wei), "tx_hash": c.tx_hash}
                               for c in self._claims],
                }
            atomic_write_text(self.path, json.dumps(data, indent=1))  # 0600: it says what this wallet earns

    # -- queries
    @property
    def claims(self) -> list[Claim]:
        with self._lock:
            return list(self._claims)

    def total_claimed_wei(self) -> int:
        return sum(c.amount_wei for c in self.claims)

    def daily_points(self, days: int = 30, today: Optional[dt.date] = None) -> list[DayPoint]:
        """One point per day with data, among the last ``days`` days, oldest first."""
        today = today or dt.date.today()
        first = today - dt.timedelta(days=days - 1)
        claimed: dict[dt.date, int] = {}
        for claim in self.claims:
            day = _day(claim.at)
            claimed[day] = claimed.get(day, 0) + claim.amount_wei
        with self._lock:
            pending = {dt.date.fromisoformat(d): v for d, v in self._pending_by_day.items()}
        points = []
        for day in sorted(set(pending) | set(claimed)):
            if first <= day <= today:
                points.append(DayPoint(day, pending.get(day), claimed.get(day, 0)))
        return points


def _day(when: Optional[float]) -> dt.date:
    return dt.date.today() if when is None else dt.datetime.fromtimestamp(when).date()
