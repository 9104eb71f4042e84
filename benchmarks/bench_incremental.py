#!/usr/bin/env python3
"""Benchmark incremental builds (issue #5): how long `gen build` takes, with its cache, after
nothing changed, after one cable was edited, and after 100 cables were added.

    python benchmarks/bench_incremental.py --counts 10000,100000

For each size, the archive imported by bench_build.py (benchmarks/out/archive-<count>-s<seed>)
is linked file by file (hard links: nothing copied) into benchmarks/out/incremental-<count>/,
whose gen.yaml is the archive's; edits replace files (write and rename), so the archive's own
files never change. Then, each step measured like bench_build (wall time, peak RSS of the
process tree):

1. a clean build (`--clean`: it writes the cache the next steps use);
2. a rebuild with nothing changed;
3. a rebuild after one cable's subject was edited;
4. a rebuild after 100 new cables (copies of random cables under new reference IDs, their
   dates kept, so they land all over the archive).

The targets at 251,287 cables: nothing changed < 15 s, one edit < 3 s, 100 added < 20 s. The
script prints a markdown table and replaces its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import shutil
import sys
from pathlib import Path

from bench_build import OUT_DIR, ensure_archive
from common import FULL_COUNT, add_size_options, default_python, measure, write_results

HEADING = "## Incremental builds (bench_incremental.py)"
TARGETS = {"nothing changed": 15, "one cable edited": 3, "100 cables added": 20}


def link_project(archive: Path, work: Path) -> Path:
    """A project whose content files are hard links to the archive's."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(archive / "content", work / "content", copy_function=os.link)
    shutil.copy(archive / "gen.yaml", work / "gen.yaml")
    return work


def replace_text(path: Path, text: str) -> None:
    """Write by rename: a hard-linked original keeps its content."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def pages(project: Path) -> list[Path]:
    return sorted((project / "content" / "cables").rglob("*.md"))


def edit_one(project: Path, rng: random.Random) -> str:
    path = rng.choice(pages(project))
    text = path.read_text(encoding="utf-8")
    replace_text(path, re.sub(r"(?m)^subject: .*$", "subject: EDITED BY THE BENCHMARK", text,
                              count=1))
    return path.stem


def add_cables(project: Path, rng: random.Random, count: int) -> None:
    for number, source in enumerate(rng.sample(pages(project), count)):
        text = source.read_text(encoding="utf-8")
        old = re.search(r"(?m)^reference_id: (\S+)$", text)
        assert old, source
        new_id = f"{old.group(1)}X{number}"
        target = source.with_name(f"{new_id}.md")
        replace_text(target, text.replace(f"reference_id: {old.group(1)}",
                                          f"reference_id: {new_id}", 1))


def dirty_mb() -> float:
    """Written data not yet on disk (Linux; 0 elsewhere)."""
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="ascii")
    except OSError:
        return 0.0
    found = re.search(r"^Dirty:\s+(\d+) kB", meminfo, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


def build(python: str, project: Path, label: str, *extra: str) -> dict:
    log = project.parent / f"{project.name}-{label.replace(' ', '-')}.log"
    dirty = dirty_mb()  # the previous step's writes the kernel has still to write out
    measured = measure([python, "-m", "generator", "build", "--quiet", "--project",
                        str(project), *extra], log)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if measured.exit_code != 0:
        print("\n".join(lines[-20:]))
        raise SystemExit(f"gen build failed ({label}; log: {log})")
    summary = lines[-1] if lines else ""
    print(f"  {label:18} {measured.wall:7.1f} s, tree RSS {measured.tree_rss_mb:6.0f} MB, "
          f"PSS {measured.tree_pss_mb:6.0f} MB, {dirty:5.0f} MB dirty at the start   "
          f"{summary}", flush=True)
    return {"wall": measured.wall, "tree_rss_mb": measured.tree_rss_mb,
            "tree_pss_mb": measured.tree_pss_mb, "summary": summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark incremental builds.")
    add_size_options(parser, "10000,100000")
    args = parser.parse_args(argv)
    python = args.python or default_python()
    rows = []
    for count in (int(c) for c in args.counts.split(",")):
        print(f"\n== {count:,} cables", flush=True)
        archive = ensure_archive(python, count, args.seed)
        project = link_project(archive, OUT_DIR / f"incremental-{count}-s{args.seed}")
        rng = random.Random(args.seed)
        steps = {"clean build": build(python, project, "clean build", "--clean")}
        steps["nothing changed"] = build(python, project, "nothing changed")
        edited = edit_one(project, rng)
        steps["one cable edited"] = build(python, project, "one cable edited")
        add_cables(project, rng, 100)
        steps["100 cables added"] = build(python, project, "100 cables added")
        rows.append((count, edited, steps))
        shutil.rmtree(project)
    load = os.getloadavg()
    lines = [HEADING, "",
             f"`python benchmarks/bench_incremental.py --counts {args.counts}` on "
             f"{datetime.date.today().isoformat()}, 2-core VM shared with other work (load "
             f"average {load[0]:.1f} at the end). Wall time, and the peak over the steps of "
             f"the whole process tree's memory: RSS summed (counting the pages forked workers "
             f"share with the main process once in each) and PSS (each shared page split "
             f"among its sharers); each step is one build with the cache the previous one "
             f"left.", "",
             "| cables | clean build | nothing changed | one cable edited | 100 cables added "
             "| peak RSS (sum) | peak PSS |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for count, _edited, steps in rows:
        cells = [f"{steps[name]['wall']:.1f} s" for name in
                 ("clean build", "nothing changed", "one cable edited", "100 cables added")]
        rss = max(step["tree_rss_mb"] for step in steps.values())
        pss = max(step["tree_pss_mb"] for step in steps.values())
        lines.append(f"| {count:,} | {' | '.join(cells)} | {rss:,.0f} MB | {pss:,.0f} MB |")
    largest = rows[-1]
    lines += ["", f"Targets at {FULL_COUNT:,} cables, judged at {largest[0]:,}"
              + (" (not the full size: a verdict at the target size needs --counts "
                 f"{FULL_COUNT})" if largest[0] < FULL_COUNT else "") + ":", ""]
    for name, limit in TARGETS.items():
        wall = largest[2][name]["wall"]
        lines.append(f"- {name} < {limit} s: {wall:.1f} s — {'met' if wall < limit else 'MISSED'}")
    pss = max(step["tree_pss_mb"] for step in largest[2].values())
    lines.append(f"- peak memory < 2 GB, taken as 2,000 MB (PSS of the process tree): "
                 f"{pss:,.0f} MB — {'met' if pss < 2000 else 'MISSED'}")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if args.results:
        write_results(text, HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
