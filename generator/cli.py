"""The `gen` command line: one subcommand per verb, each in generator/commands/."""

from __future__ import annotations

import argparse
import sys

from generator import __version__
from generator.commands import build_cmd, import_cmd, serve_cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gen", description="Static archive site generator for diplomatic cables.")
    parser.add_argument("--version", action="version", version=f"gen {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    import_cmd.add_parser(verbs)
    build_cmd.add_parser(verbs)
    serve_cmd.add_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("gen: interrupted", file=sys.stderr)
        return 130
