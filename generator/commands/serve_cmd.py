"""`gen serve`: build the site, serve it on 127.0.0.1, rebuild and reload pages on changes."""

from __future__ import annotations

import argparse
import traceback
from pathlib import Path

from generator.builder import BuildError, BuildSession
from generator.commands import add_run_options
from generator.commands.build_cmd import add_project_options
from generator.config import ConfigError, SiteConfig, load_config
from generator.progress import Progress
from generator.render.templates import ThemeError


def add_parser(verbs: argparse._SubParsersAction) -> None:
    parser = verbs.add_parser(
        "serve", help="build the site, serve it locally and rebuild it on changes",
        description="Build the site and serve it (on 127.0.0.1 unless told otherwise). When "
                    "content, the theme or the configuration changes, the site is rebuilt "
                    "and open pages reload; a failed build is shown in the browser over the "
                    "last good site.")
    add_project_options(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", "-p", type=int, default=8000,
                        help="port to listen on (default: 8000)")
    parser.add_argument("--open", action="store_true", help="open the site in a web browser")
    add_run_options(parser)
    parser.set_defaults(run=run)


def _site_dir(config: SiteConfig) -> Path:
    return (config.project_dir / config.output_dir).resolve()


def run(args: argparse.Namespace) -> int:
    # (Imported here: every other verb would load the server, 40 ms of each `gen build`.)
    from generator.livereload import Attempt, LiveSite, watched_paths

    # One session for all builds: it keeps the build cache in memory and is told what changed.
    session = BuildSession()

    def build(changes: list[str]) -> Attempt:
        # The configuration is read again for every build: gen.yaml is watched too.
        try:
            config = load_config(args.project, args.config)
        except ConfigError as error:
            return Attempt(error=str(error))
        where = {"site_dir": _site_dir(config), "root": config.root,
                 "watched": tuple(watched_paths(config, args.project, args.config))}
        try:
            report = session.build(config, jobs=args.jobs, changes=changes or None,
                                   progress=lambda label: Progress(label, quiet=args.quiet))
        except (BuildError, ThemeError) as error:
            return Attempt(error=str(error), **where)
        except Exception:  # noqa: BLE001 - a bug in a build must not stop the server
            return Attempt(error=f"internal error:\n{traceback.format_exc()}", **where)
        return Attempt(error=None, **where, summary=(
            f"built {report.pages:,} pages for {report.cables:,} cables into "
            f"{config.output_dir}/ in {report.seconds:.1f}s"))

    try:
        config: SiteConfig | None = load_config(args.project, args.config)
    except ConfigError:
        config = None  # the first build reports it, and the server waits for a fix
    site = LiveSite(build, watched=watched_paths(config, args.project, args.config),
                    site_dir=_site_dir(config) if config else None,
                    root=config.root if config else "/", save=session.save,
                    prepare=session.prepare)
    return site.run(host=args.host, port=args.port, open_browser=args.open)
