"""A guard for app tests: whatever a test started — node children, devnet processes, supervisor threads,
background operations — is gone when its teardown ends, so nothing fires into a later test."""
from __future__ import annotations

import threading

import psutil


class LeftoverGuard:
    def __init__(self) -> None:
        self.me = psutil.Process()
        self.children_before = {p.pid for p in self._children()}
        self.threads_before = set(threading.enumerate())

    def _children(self) -> list[psutil.Process]:
        try:
            return self.me.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def problems(self, timeout_s: float = 10.0) -> list[str]:
        from app.background import pending_operations, wait_for_pending
        from app.node_supervisor import running_supervisor_threads

        found = []
        if not wait_for_pending(int(timeout_s * 1000)):
            found.append(f"{pending_operations()} background operation(s) still running")
        new = [p for p in self._children() if p.pid not in self.children_before]
        _gone, alive = psutil.wait_procs(new, timeout=timeout_s)
        for proc in alive:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(f"child process left running: {proc.pid} {' '.join(proc.cmdline()[:4])}")
            except psutil.NoSuchProcess:
                pass
        threads = running_supervisor_threads()
        if threads:
            found.append(f"{len(threads)} node supervisor thread(s) still running")
        stray = [t for t in threading.enumerate() if t not in self.threads_before and t.is_alive() and not t.daemon]
        if stray:
            found.append(f"Python threads left running: {[t.name for t in stray]}")
        return found
