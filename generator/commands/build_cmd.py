"""`gen build`: render content/ into site/ through the theme."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.builder import BuildError, BuildReport, build_site
from generator.commands import add_run_options
from generator.config import ConfigError, load_config
from generator.progress import Progress
from generator.render.templates import ThemeError


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser(
        "build", help="build the site from content/ into site/",
        description="Render the cable pages in content/ through the theme into a static site. "
                    "The previous site/ stays in place until the new one is complete.")
    add_project_options(parser)
    parser.add_argument("--clean", action="store_true",
                        help="ignore the build cache: read, render and write everything")
    add_run_options(parser)
    parser.set_defaults(run=run)


def add_project_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, default=Path("."),
                        help="project folder holding gen.yaml, content/ and themes/ "
                             "(default: the current folder)")
    parser.add_argument("--config", type=Path, default=None,
                        help="configuration file (default: PROJECT/gen.yaml if it exists)")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.project, args.config)
        report = build_site(config, jobs=args.jobs, clean=args.clean,
                            progress=lambda label: Progress(label, quiet=args.quiet))
    except (BuildError, ConfigError, ThemeError) as error:
        print(f"gen build: {error}", file=sys.stderr)
        print("gen build: failed; the previous site was left as it was", file=sys.stderr)
        return 1
    print(summary(report, config.output_dir), file=sys.stderr)
    return 0


def summary(report: BuildReport, output_dir: str) -> str:
    """One line: what was built, and for an incremental build what it changed."""
    line = (f"built {report.pages:,} pages for {report.cables:,} cables into {output_dir}/ "
            f"in {report.seconds:.1f}s")
    if report.incremental:
        return (f"{line}: {report.rendered:,} pages rendered, {report.changed:,} files "
                f"changed, {report.removed:,} removed, {report.indexed:,} "
                f"cable{'s' if report.indexed != 1 else ''} indexed for search")
    return f"{line} ({report.pages / max(report.seconds, 1e-9):,.0f} pages/s)"
