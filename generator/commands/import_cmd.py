"""`gen import PATH...`: turn raw cables, WikiLeaks pages and cables.csv dumps into pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands import add_run_options
from generator.progress import Progress


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser(
        "import", help="import cables into content/",
        description="Import cables (raw .txt, WikiLeaks .html pages, cables.csv dumps; files "
                    "or folders) as Markdown pages under content/cables/YYYY/MM/REFID.md.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    parser.add_argument("--content", default="content", type=Path,
                        help="content folder to write to (default: content)")
    parser.add_argument("--force", action="store_true",
                        help="replace pages even if they were edited since they were imported")
    add_run_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from generator.importer import run_import  # (here: `gen build` need not load it)

    progress = Progress("importing", quiet=args.quiet)
    report = run_import(args.paths, args.content, force=args.force, jobs=args.jobs,
                        progress=progress)
    rate = progress.rate()
    print(f"{report.summary()} in {progress.elapsed():.1f}s ({rate:,.0f} cables/s)",
          file=sys.stderr)
    return 0 if report.ok else 1
