"""What the benchmarks share: the cached synthetic corpus, and measuring a child process's wall
time and peak memory (largest process via wait4, whole process tree sampled from /proc)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CORPUS_DIR = BENCH_DIR / "corpus"
FULL_COUNT = 251_287
VENV_PYTHON = REPO / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Measured:
    wall: float
    rss_mb: float  # peak RSS of the largest single process (wait4)
    tree_rss_mb: float  # peak sum of RSS over the process tree (sampled)
    exit_code: int


# --------------------------------------------------------------------------------------------
# Corpus


def synth_version() -> int:
    """GENERATOR_VERSION of synth.py (read from the file: importing it is not needed)."""
    for line in (BENCH_DIR / "synth.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("GENERATOR_VERSION = "):
            return int(line.split("=", 1)[1])
    return 0


def corpus_path(count: int, fmt: str, seed: int) -> Path:
    name = f"synth-v{synth_version()}-{count}-s{seed}"
    return CORPUS_DIR / (f"{name}.csv" if fmt == "csv" else f"{name}-{fmt}")


def ensure_corpus(count: int, fmt: str, seed: int) -> Path:
    """The cached corpus, generated (atomically) if it is not there yet."""
    path = corpus_path(count, fmt, seed)
    if path.exists():
        print(f"corpus: {path.relative_to(REPO)} (cached)")
        return path
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    target = path if fmt == "csv" else path.with_name(path.name + ".partial")
    if target != path and target.exists():
        shutil.rmtree(target)
    print(f"corpus: generating {count} cables ({fmt}) -> {path.relative_to(REPO)}")
    cmd = [sys.executable, str(BENCH_DIR / "synth.py"), "--count", str(count), "--format", fmt,
           "--out", str(target), "--seed", str(seed), "--quiet"]
    result = subprocess.run(cmd, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"synth.py failed with exit status {result.returncode}")
    if target != path:
        target.rename(path)
    return path


def tree_size(path: Path) -> tuple[int, int]:
    """(files, bytes) of a file or a folder tree."""
    if path.is_file():
        return 1, path.stat().st_size
    files = total = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            files += 1
            total += os.stat(os.path.join(root, name)).st_size
    return files, total


# --------------------------------------------------------------------------------------------
# Measuring one run


def _children_table() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        table.setdefault(int(fields[1]), []).append(int(entry))
    return table


def _descendants(root: int) -> set[int]:
    children = _children_table()
    found = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak.

    Reading every process's stat to find the tree costs a few ms, so the tree is re-discovered
    only every `rescan` seconds; in between, only the known members' RSS is read.
    """

    def __init__(self, pid: int, interval: float = 0.05, rescan: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.rescan = rescan
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        members: set[int] = set()
        scanned = 0.0
        while not self._stop_event.is_set():
            now = time.monotonic()
            if now - scanned >= self.rescan:
                members = _descendants(self.pid)
                scanned = now
            self.peak = max(self.peak, sum(_rss(pid) for pid in members))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(cmd: list[str], log: Path) -> Measured:
    """Run `cmd` from the repository root, output to `log`; time it and sample its memory."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
    return Measured(wall=wall, rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
                    tree_rss_mb=sampler.peak / 2**20,
                    exit_code=os.waitstatus_to_exitcode(status))


def default_python() -> str:
    """The project's .venv interpreter if there is one (it has gen's dependencies)."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
