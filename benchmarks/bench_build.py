#!/usr/bin/env python3
"""Benchmark `gen build` on synthetic archives of several sizes.

    python benchmarks/bench_build.py                       # 1,000, 10,000 and 100,000 cables
    python benchmarks/bench_build.py --counts 1000 --repeat 3

For each size the synthetic CSV (synth.py, cached in benchmarks/corpus/) is imported once into
benchmarks/out/archive-<count>/content (kept for later runs), then

    python -m generator build --quiet --clean --project benchmarks/out/archive-<count>

runs `--repeat` times with `--clean` (a full build each time, the build cache ignored; see
bench_incremental.py for builds that use it). The
report gives the wall time (median), pages written and pages/s, peak RSS (largest process and
the whole process tree) and the size of site/. It reports; it does not assert.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
from pathlib import Path

from common import BENCH_DIR, REPO, default_python, ensure_corpus, measure, tree_size

OUT_DIR = BENCH_DIR / "out"


def ensure_archive(python: str, count: int, seed: int) -> Path:
    """A project folder with the imported synthetic archive and a gen.yaml."""
    project = OUT_DIR / f"archive-{count}-s{seed}"
    done = project / ".imported"
    if done.exists():
        return project
    source = ensure_corpus(count, "csv", seed)
    project.mkdir(parents=True, exist_ok=True)
    (project / "gen.yaml").write_text(
        "title: Synthetic archive\nbase_url: https://bench.example.org/\n", encoding="utf-8")
    print(f"importing {count:,} cables into {project.relative_to(REPO)}/content")
    subprocess.run([python, "-m", "generator", "import", "--quiet", "--content",
                    str(project / "content"), str(source)], cwd=REPO, check=True)
    done.write_text("ok\n")
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `gen build` on synthetic archives.")
    parser.add_argument("--counts", default="1000,10000,100000",
                        help="comma-separated archive sizes (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="builds per size (default 3 below 100,000 cables, else 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-args", default="", help="extra options for gen build")
    parser.add_argument("--python", default=None, help="interpreter (default: the .venv's)")
    args = parser.parse_args(argv)
    python = args.python or default_python()
    rows = []
    for count in (int(c) for c in args.counts.split(",")):
        project = ensure_archive(python, count, args.seed)
        repeat = args.repeat or (1 if count >= 100_000 else 3)
        runs = []
        for attempt in range(repeat):
            log = Path(tempfile.mkstemp(prefix="bench-build-", suffix=".log")[1])
            cmd = [python, "-m", "generator", "build", "--quiet", "--clean", "--project",
                   str(project), *args.build_args.split()]
            measured = measure(cmd, log)
            summary = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            if measured.exit_code != 0:
                print("\n".join(summary[-20:]))
                raise SystemExit(f"gen build failed on {count} cables (log: {log})")
            log.unlink()
            runs.append(measured)
            print(f"{count:>8,} cables, run {attempt + 1}/{repeat}: {measured.wall:7.1f} s, "
                  f"tree RSS {measured.tree_rss_mb:7.1f} MB   {summary[-1] if summary else ''}")
        files, size = tree_size(project / "site")
        wall = statistics.median(r.wall for r in runs)
        rows.append((count, wall, files, size, max(r.rss_mb for r in runs),
                     max(r.tree_rss_mb for r in runs), repeat))
    print()
    print("| cables | runs | wall (median) | files | pages/s | site size | peak RSS (largest "
          "process) | peak RSS (process tree) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, wall, files, size, rss, tree, repeat in rows:
        print(f"| {count:,} | {repeat} | {wall:.1f} s | {files:,} | {files / wall:,.0f} | "
              f"{size / 1e6:,.0f} MB | {rss:,.0f} MB | {tree:,.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
