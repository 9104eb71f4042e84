#!/usr/bin/env python3
"""Benchmark `gen serve` (issue #5): from saving a cable to the browser being told to reload,
and to the new page being served.

    python benchmarks/bench_serve.py --counts 10000,251287 --edits 5

For each size, the archive imported by bench_build.py is linked file by file into
benchmarks/out/serve-<count>-s<seed>/ (as bench_incremental.py does) and `gen serve` started on
a free port. After its first build, a livereload client connects (the handshake livereload.js
makes), then, `--edits` times: one random cable's subject is edited (write and rename, as
editors save), and the script times

- **reload**: from the save to the server's reload message;
- **served**: from the save to the cable's page, fetched right after the message, holding the
  new subject;

and reads the server's log for the rebuild's own duration (the rest is the file watcher
noticing the change, and ending the burst 0.2 s after its last event). Prints a table and
replaces its section of benchmarks/RESULTS.md.

Target: under 3 s from saving a cable to the browser showing it, at 251,287 cables.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from bench_build import OUT_DIR, ensure_archive
from bench_incremental import link_project, pages, replace_text
from common import add_size_options, default_python, verdict, write_results
from tornado.websocket import websocket_connect

HEADING = "## gen serve (bench_serve.py)"
TARGET = 3.0
FIRST_BUILD_TIMEOUT = 3600


class Server:
    """`gen serve` in a subprocess, its output collected line by line."""

    def __init__(self, python: str, project: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [python, "-m", "generator", "serve", "--project", str(project), "--port",
             str(self.port), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def builds(self) -> list[str]:
        return [line for line in self.lines if line.startswith("gen serve: built ")]

    def wait_builds(self, count: int, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while len(self.builds()) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gen serve failed:\n" + "\n".join(self.lines[-30:]))
            time.sleep(0.05)
        return self.builds()[count - 1]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def timed_edit(server: Server, path: Path, url: str, subject: str) -> dict:
    ws = await websocket_connect(f"ws://127.0.0.1:{server.port}/livereload")
    try:
        await ws.write_message(json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        await ws.read_message()
        await ws.write_message(json.dumps({"command": "info", "url": url}))
        text = path.read_text(encoding="utf-8")
        builds = len(server.builds())
        replace_text(path, re.sub(r"(?m)^subject: .*$", f"subject: {subject}", text, count=1))
        saved = time.perf_counter()
        while True:
            message = await asyncio.wait_for(ws.read_message(), 600)
            if message is None:
                raise SystemExit("gen serve closed the livereload connection")
            if json.loads(message).get("command") == "reload":
                break
        reload = time.perf_counter() - saved
        with urllib.request.urlopen(url, timeout=60) as response:
            page = response.read().decode("utf-8")
        served = time.perf_counter() - saved
        if subject not in page:
            raise SystemExit(f"{url} does not show the edit after the reload")
    finally:
        ws.close()
    line = server.wait_builds(builds + 1, 60)
    build = float(re.search(r" in ([\d.]+)s", line).group(1))
    return {"reload": reload, "served": served, "build": build}


def measure_size(python: str, count: int, seed: int, edits: int) -> dict:
    archive = ensure_archive(python, count, seed)
    project = link_project(archive, OUT_DIR / f"serve-{count}-s{seed}")
    rng = random.Random(seed)
    server = Server(python, project)
    try:
        started = time.perf_counter()
        first = server.wait_builds(1, FIRST_BUILD_TIMEOUT)
        print(f"  first build {time.perf_counter() - started:.1f} s: {first}", flush=True)
        runs = []
        for number in range(edits):
            path = rng.choice(pages(project))
            page = next((project / "site" / "cable").rglob(f"{path.stem}.html"))
            url = f"http://127.0.0.1:{server.port}/{page.relative_to(project / 'site')}"
            run = asyncio.run(timed_edit(server, path, url, f"SERVE BENCHMARK EDIT {number}"))
            print(f"  edit {number + 1}: reload {run['reload']:.2f} s, served "
                  f"{run['served']:.2f} s (rebuild {run['build']:.1f} s)", flush=True)
            runs.append(run)
            time.sleep(2)  # a separate change, not part of the last burst
    finally:
        server.stop()
        shutil.rmtree(project)
    return {"count": count, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark gen serve.")
    add_size_options(parser, "10000")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args(argv)
    python = args.python or default_python()
    sizes = []
    for count in (int(c) for c in args.counts.split(",")):
        print(f"\n== {count:,} cables", flush=True)
        sizes.append(measure_size(python, count, args.seed, args.edits))
    load = os.getloadavg()
    lines = [HEADING, "",
             f"`python benchmarks/bench_serve.py --counts {args.counts} --edits {args.edits}` "
             f"on {datetime.date.today().isoformat()}, 2-core VM (load average {load[0]:.1f} "
             "at the end). From saving a cable (its subject edited) to the reload message, and "
             "to its page served with the edit; medians and worst of the edits, and the "
             "rebuild's own time as `gen serve` reports it.", "",
             "| cables | edits | save → reload (median / worst) | save → page served | "
             "rebuild (median) |", "| ---: | ---: | ---: | ---: | ---: |"]
    for size in sizes:
        runs = size["runs"]
        reload = [r["reload"] for r in runs]
        served = [r["served"] for r in runs]
        lines.append(f"| {size['count']:,} | {len(runs)} | {statistics.median(reload):.2f} s / "
                     f"{max(reload):.2f} s | {statistics.median(served):.2f} s / "
                     f"{max(served):.2f} s | "
                     f"{statistics.median(r['build'] for r in runs):.1f} s |")
    largest = sizes[-1]
    served = statistics.median(r["served"] for r in largest["runs"])
    lines += ["", f"Target at 251,287 cables, judged at {largest['count']:,}: save → page "
              f"served < {TARGET:.0f} s: {served:.2f} s — {verdict(served < TARGET)}", ""]
    text = "\n".join(lines)
    print("\n" + text)
    if args.results:
        write_results(text, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
