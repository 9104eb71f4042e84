"""What the benchmarks share: the cached synthetic corpus, and measuring a child process's wall
time and peak memory (largest process via wait4, whole process tree sampled from /proc)."""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
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
    # user + system CPU seconds of the process and of the children it waited for (its
    # workers): much less sensitive than wall time to other work on a shared machine
    cpu: float = 0.0
    # peak sum of PSS over the tree (sampled less often): memory actually used, a page shared
    # by forked workers counted once, where the RSS sum counts it in every process
    tree_pss_mb: float = 0.0
    # peak sum of RSS of the spawned (not forked) worker processes: gen's search index bucket
    # writers, which share no pages with the rest of the build
    spawned_rss_mb: float = 0.0


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


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _is_spawned(pid: int) -> bool:
    """A multiprocessing worker started with the "spawn" method (a fresh interpreter)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"multiprocessing.spawn" in fh.read()
    except OSError:
        return False


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

    def __init__(self, pid: int, interval: float = 0.05, rescan: float = 1.0,
                 pss_every: int = 10) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.rescan = rescan
        self.pss_every = pss_every  # smaps_rollup costs the kernel a page-table walk
        self.peak = 0
        self.peak_pss = 0
        self.peak_spawned = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        members: set[int] = set()
        spawned: set[int] = set()
        scanned = 0.0
        samples = 0
        while not self._stop_event.is_set():
            now = time.monotonic()
            if now - scanned >= self.rescan:
                members = _descendants(self.pid)
                spawned = {pid for pid in members if _is_spawned(pid)}
                scanned = now
            rss = {pid: _rss(pid) for pid in members}
            self.peak = max(self.peak, sum(rss.values()))
            self.peak_spawned = max(self.peak_spawned, sum(rss[pid] for pid in spawned))
            if samples % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in members))
            samples += 1
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
                    exit_code=os.waitstatus_to_exitcode(status),
                    cpu=usage.ru_utime + usage.ru_stime, tree_pss_mb=sampler.peak_pss / 2**20,
                    spawned_rss_mb=sampler.peak_spawned / 2**20)


def measure_capped(cmd: list[str], log: Path, *, cwd: Path, mem_bytes: int, timeout: float,
                   env: dict[str, str] | None = None) -> tuple[Measured, str]:
    """Like measure, under RLIMIT_AS and a wall-time cap (the process group is killed when it
    is reached); `env` adds to the environment. Returns (measured, status), status "ok" or
    how the run ended."""
    def limit() -> None:
        import resource  # Unix only

        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))

    done = threading.Event()
    timed_out = threading.Event()
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=limit, start_new_session=True,
                                env={**os.environ, **env} if env else None)
        sampler = TreeSampler(proc.pid)
        sampler.start()

        def kill() -> None:
            if not done.is_set():
                timed_out.set()
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        done.set()
        timer.cancel()
        wall = time.perf_counter() - start
        sampler.stop()
    measured = Measured(wall=wall, rss_mb=usage.ru_maxrss / 1024,
                        tree_rss_mb=sampler.peak / 2**20,
                        exit_code=os.waitstatus_to_exitcode(status),
                        cpu=usage.ru_utime + usage.ru_stime,
                        tree_pss_mb=sampler.peak_pss / 2**20,
                        spawned_rss_mb=sampler.peak_spawned / 2**20)
    if timed_out.is_set():
        state = f"killed at {wall:.0f} s (wall-time cap)"
    elif measured.exit_code != 0:
        how = (f"signal {-measured.exit_code}" if measured.exit_code < 0
               else f"exit status {measured.exit_code}")
        state = f"killed at {wall:.0f} s ({how}; address-space cap {mem_bytes / 1e9:.0f} GB)"
    else:
        state = "ok"
    return measured, state


# --------------------------------------------------------------------------------------------
# Reporting


def write_results(text: str, heading: str) -> None:
    """Put `text` (which starts with `heading`) at the end of RESULTS.md, replacing the
    section under the same heading from an earlier run and keeping everything else."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start = current.find(heading)
    if start >= 0:
        following = current.find("\n## ", start + len(heading))
        current = current[:start] + (current[following + 1:] if following >= 0 else "")
    RESULTS.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def code_state() -> str:
    """The commit the generator and theme are at, and whether they had local changes."""
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "generator", "themes")
    return f"commit {commit}" + (" with uncommitted changes to generator/ or themes/"
                                 if dirty else "")


def mem_gb() -> float:
    """The machine's RAM in GiB (from /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return math.nan


def default_python() -> str:
    """The project's .venv interpreter if there is one (it has gen's dependencies)."""
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def add_size_options(parser: argparse.ArgumentParser, counts: str) -> None:
    """--counts, --seed, --python and --no-results, as the benchmarks of gen build share them."""
    parser.add_argument("--counts", default=counts)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python", default=None, help="interpreter (default: the .venv's)")
    parser.add_argument("--no-results", dest="results", action="store_false",
                        help="print only; do not write benchmarks/RESULTS.md")
