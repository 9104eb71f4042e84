#!/usr/bin/env python3
"""What the disk costs per file: creating, rewriting, renaming over and deleting files the size
of a cable page, in folders of a few hundred, as a build does. A clean 251k build creates
~376k files and an incremental one moves every changed file over the old one, so these costs
put a floor under the build times measured on the same machine.

    python benchmarks/bench_files.py [--files 5000] [--folder benchmarks/out/files-probe]

Prints wall and CPU time (this process's, system time included) per operation, the median of
--runs runs, and what creating 376,000 files would take at that rate. The folder is deleted
afterwards. Use a folder on the disk the project's site/ is on.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench_build import OUT_DIR
from common import write_results

HEADING = "## Cost of a file on this disk (bench_files.py)"
PAGE = b"x" * 6000  # a cable page is ~6 KB of HTML
PER_FOLDER = 250
CLEAN_BUILD_FILES = 376_000  # files of a 251,287-cable site (pages, feeds, search index)


def _paths(root: Path, count: int) -> list[str]:
    for number in range(0, count, PER_FOLDER):
        (root / str(number // PER_FOLDER)).mkdir(parents=True, exist_ok=True)
    return [str(root / str(number // PER_FOLDER) / f"{number}.html") for number in range(count)]


def _create(path: str) -> None:
    with open(path, "wb") as file:
        file.write(PAGE)


def _timed(paths: list[str], operation: Callable[[str], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        operation(path)
    return ((time.perf_counter() - wall) / len(paths) * 1e6,
            (time.process_time() - cpu) / len(paths) * 1e6)


def run_once(folder: Path, count: int) -> dict[str, tuple[float, float]]:
    shutil.rmtree(folder, ignore_errors=True)
    site, staging = _paths(folder / "site", count), _paths(folder / "staging", count)
    costs = {"create": _timed(site, _create), "rewrite in place": _timed(site, _create)}
    for path in staging:
        _create(path)
    moves = dict(zip(staging, site, strict=True))
    costs["rename over an existing file"] = _timed(staging, lambda path: os.replace(
        path, moves[path]))
    costs["delete"] = _timed(site, os.unlink)
    shutil.rmtree(folder)
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure the disk's cost per file.")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=OUT_DIR / "files-probe")
    parser.add_argument("--no-results", dest="results", action="store_false",
                        help="print only; do not write benchmarks/RESULTS.md")
    args = parser.parse_args()
    runs = [run_once(args.folder, args.files) for _ in range(args.runs)]
    lines = [HEADING, "",
             f"`python benchmarks/bench_files.py --files {args.files} --runs {args.runs}`, "
             f"{time.strftime('%Y-%m-%d')}, folder {args.folder}. Per file of {len(PAGE):,} "
             f"bytes, {PER_FOLDER} to a folder; medians of the runs.", "",
             "| operation | wall | CPU (system included) |", "| --- | ---: | ---: |"]
    for operation in runs[0]:
        wall = statistics.median(run[operation][0] for run in runs)
        cpu = statistics.median(run[operation][1] for run in runs)
        lines.append(f"| {operation} | {wall:,.0f} µs | {cpu:,.0f} µs |")
    create = statistics.median(run["create"][1] for run in runs)
    lines += ["", f"Creating the {CLEAN_BUILD_FILES:,} files of a 251,287-cable site at this "
              f"rate: {create * CLEAN_BUILD_FILES / 1e6:,.0f} s of CPU."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        write_results(text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
