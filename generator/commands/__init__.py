"""One module per `gen` verb; options several verbs share are defined here once."""

from __future__ import annotations

import argparse


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="worker processes (default: one per core)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print only errors and the summary")
