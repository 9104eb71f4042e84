#!/usr/bin/env python3
"""Compare `gen build` with Hugo building the same cables (issue #5).

    .venv/bin/python benchmarks/bench_hugo.py                        # 10,000, 50,000, 251,287
    .venv/bin/python benchmarks/bench_hugo.py --counts 1000 --no-results

For each archive size (benchmarks/out/archive-<count>-s<seed>, imported by bench_build.py's
ensure_archive when it is not there yet) it measures wall time, peak RSS of the whole process
tree and the output (bytes, files, pages by kind) of

1. ours: `python -m generator build --quiet --clean --project <archive>`, as bench_build.py
   runs it (a full build, the build cache ignored; every page kind, the search index included);
2. Hugo (Debian's `hugo`, a benchmark-only tool installed with apt-get when it is missing) on a
   project in benchmarks/out/hugo-<count>-s<seed>/: hugo.yaml and layouts/ from
   benchmarks/hugo/ (minimal templates equivalent to ours for the cable page, the tag and post
   list pages paginated at 100, the tag and post index pages, the home page and the feeds) and
   content/cables, the archive's pages with one front matter line added (see README.md: a Hugo
   taxonomy cannot read our `tags`), run as `hugo --quiet --source <project> --destination
   <project>/public` under an address-space cap and a wall-time cap. When that run is killed,
   it runs again with GOMEMLIMIT set (Go's soft memory limit) and both are reported;
3. ours again with the page kinds Hugo does not build switched off (`pages: {search: false,
   classifications: false, dates: false}`), the closest like-for-like (--no-same-pages skips
   it). These runs come after the others of every size.

Hugo's output is checked against ours: cable pages (they must equal the number of Markdown
pages), tag and post list pages, feeds; Markdown that Hugo renders differently is counted on a
sample of cable pages. Tables go to stdout and, unless --no-results, into a section of
benchmarks/RESULTS.md (replacing this script's earlier section), rewritten after each size so
that an interrupted run keeps what it measured. Every run is recorded in
benchmarks/out/hugo-<count>-s<seed>/state.json; `--reuse` takes recorded runs from there
instead of running them again (to resume an interrupted run, or to redo only the report).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench_build import OUT_DIR, ensure_archive
from common import (
    BENCH_DIR,
    REPO,
    RESULTS,
    code_state,
    default_python,
    measure,
    measure_capped,
    mem_gb,
    write_results,
)

HEADING = "## Hugo comparison (bench_hugo.py)"
HUGO_PROJECT = BENCH_DIR / "hugo"  # hugo.yaml and layouts/, copied into each size's project
CONTENT_VERSION = 1  # bump when the Hugo copy of the content changes
SAMPLE = 2000  # cable pages checked for Markdown rendered differently
SAME_PAGES = {"search": False, "classifications": False, "dates": False}
RUNS = ("ours", "hugo", "hugo_gomemlimit", "ours_same")
LABELS = {"ours": "gen build (all pages, search index)",
          "hugo": "Hugo",
          "hugo_gomemlimit": "Hugo, GOMEMLIMIT={gomemlimit}",
          "ours_same": "gen build, Hugo's page kinds only"}


# --------------------------------------------------------------------------------------------
# Hugo and its project


def ensure_hugo(hugo: str) -> str:
    """`hugo version`; installs Debian's hugo with apt-get when it is missing (as root)."""
    if shutil.which(hugo) is None:
        if hugo != "hugo" or os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise SystemExit(f"{hugo} not found: install Hugo (Debian: apt-get install hugo)")
        print("installing hugo with apt-get (benchmark-only tool)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    out = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _scalar(value: str) -> str:
    """A plain or quoted YAML scalar as PyYAML writes a tag code."""
    if value.startswith("'") and value.endswith("'"):
        return value[1:-1].replace("''", "'")
    if value.startswith('"'):
        return json.loads(value)
    return value


def tag_codes(text: str) -> list[str]:
    """The codes of the `tags` list in a page's front matter (our importer's layout:
    `tags:` then `- code: X` items with `kind` and `name`; `tags: []` when there are none)."""
    end = text.find("\n---", 3)
    codes: list[str] = []
    inside = False
    for line in text[4:end].split("\n"):
        if inside:
            if line.startswith("- code: "):
                codes.append(_scalar(line[8:]))
                continue
            if line.startswith("  ") or line.startswith("- "):
                continue
            break
        if line == "tags:":
            inside = True
    return codes


def hugo_content(archive: Path, work: Path) -> int:
    """content/cables for Hugo: every page of the archive with `tag: [codes]` added at the top
    of its front matter, the rest byte for byte. Made once (marker file); returns the pages."""
    source = archive / "content" / "cables"
    target = work / "content" / "cables"
    marker = work / "content" / ".made"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("version") == CONTENT_VERSION:
            return info["pages"]
    if target.exists():
        shutil.rmtree(target)
    print(f"  copying the archive's pages for Hugo into {target.relative_to(REPO)}", flush=True)
    start = time.perf_counter()
    pages = 0
    for root, dirs, names in os.walk(source):
        dirs.sort()
        out_dir = target / Path(root).relative_to(source)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            text = (Path(root) / name).read_text(encoding="utf-8")
            if not text.startswith("---\n"):
                raise SystemExit(f"{Path(root) / name}: no front matter")
            line = "tag: " + json.dumps(tag_codes(text), ensure_ascii=False) + "\n"
            (out_dir / name).write_text("---\n" + line + text[4:], encoding="utf-8")
            pages += 1
    marker.write_text(json.dumps({"version": CONTENT_VERSION, "pages": pages}))
    print(f"  {pages:,} pages in {time.perf_counter() - start:.0f} s", flush=True)
    return pages


def write_hugo_project(archive: Path, work: Path) -> None:
    """hugo.yaml (title and base URL from the archive's gen.yaml), layouts/, static/style.css."""
    config = {"title": "Cable archive", "base_url": "/"}
    for line in (archive / "gen.yaml").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip() in config and value.strip():
            config[key.strip()] = value.strip()
    text = (HUGO_PROJECT / "hugo.yaml").read_text(encoding="utf-8")
    text = text.replace("{base_url}", json.dumps(config["base_url"]))
    text = text.replace("{title}", json.dumps(config["title"]))
    (work / "hugo.yaml").write_text(text, encoding="utf-8")
    if (work / "layouts").exists():
        shutil.rmtree(work / "layouts")
    shutil.copytree(HUGO_PROJECT / "layouts", work / "layouts")
    (work / "static").mkdir(exist_ok=True)
    shutil.copy2(REPO / "themes" / "default" / "static" / "style.css", work / "static")


# --------------------------------------------------------------------------------------------
# Output


def output_stats(root: Path, cable_dir: str) -> dict:
    """Files and bytes of a built site, and its pages by kind."""
    stats = {"files": 0, "bytes": 0, "cable_pages": 0, "tags": 0, "tag_pages": 0, "posts": 0,
             "post_pages": 0, "feeds": 0, "aliases": 0}
    for dirpath, _dirs, names in os.walk(root):
        rel = Path(dirpath).relative_to(root).parts
        for name in names:
            stats["files"] += 1
            stats["bytes"] += os.stat(os.path.join(dirpath, name)).st_size
            if name.endswith(".xml") and rel[:1] != ("search",) and "sitemap" not in name:
                stats["feeds"] += 1
            if not rel:
                continue
            if rel[0] == cable_dir and name.endswith(".html"):
                stats["cable_pages"] += 1
            elif rel[0] in ("tag", "origin") and name == "index.html" and len(rel) > 1:
                kind = "tag" if rel[0] == "tag" else "post"
                if rel[2:] == ("page", "1"):  # Hugo's redirect from page/1/ to the first page
                    stats["aliases"] += 1
                    continue
                stats[f"{kind}_pages"] += 1
                if len(rel) == 2:
                    stats[f"{kind}s"] += 1
    return stats


MARKUP_CHECKS = {
    "`{.marking …}` span attributes shown as text": re.compile(r"\]\{\.marking"),
    "`{#pN …}` paragraph attributes shown as text": re.compile(r"\{#p\d+"),
}


def markup_sample(site: Path, cable_dir: str) -> dict:
    """On the first SAMPLE cable pages (in path order): how many show our Markdown attribute
    syntax as literal text, and how many have paragraph anchors (id="p1")."""
    pages = 0
    found = dict.fromkeys(MARKUP_CHECKS, 0)
    anchors = 0
    for dirpath, dirs, names in os.walk(site / cable_dir):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".html") or pages >= SAMPLE:
                continue
            text = Path(dirpath, name).read_text(encoding="utf-8", errors="replace")
            pages += 1
            for label, pattern in MARKUP_CHECKS.items():
                found[label] += bool(pattern.search(text))
            anchors += 'id="p1"' in text
        if pages >= SAMPLE:
            break
    return {"pages": pages, "literal": found, "anchors": anchors}


# --------------------------------------------------------------------------------------------
# Runs


def load_state(work: Path) -> dict:
    path = work / "state.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_state(work: Path, state: dict) -> None:
    (work / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")


def settle() -> float:
    """Flush written files (the previous run's output, Hugo's content copy) so that their
    write-back does not fall into the next measurement; returns the 1-minute load average."""
    if hasattr(os, "sync"):
        os.sync()
    return os.getloadavg()[0]


def run_ours(python: str, project: Path, log: Path) -> dict:
    load = settle()
    cmd = [python, "-m", "generator", "build", "--quiet", "--clean", "--project", str(project)]
    measured = measure(cmd, log)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if measured.exit_code != 0:
        print("\n".join(lines[-20:]))
        raise SystemExit(f"gen build failed (log: {log})")
    site = project / "site"
    return asdict(measured) | {"status": "ok", "load": load, "summary": lines[-1] if lines else "",
                               "output": output_stats(site, "cable"),
                               "markup": markup_sample(site, "cable"),
                               "date": datetime.date.today().isoformat()}


def run_hugo(hugo: str, work: Path, log: Path, *, mem_gb_cap: float, timeout: float,
             gomemlimit: str | None) -> dict:
    public = work / "public"
    if public.exists():
        shutil.rmtree(public)  # Hugo does not clean its destination
    load = settle()
    cmd = [hugo, "--quiet", "--source", str(work), "--destination", str(public)]
    env = {"GOMEMLIMIT": gomemlimit} if gomemlimit else None
    measured, status = measure_capped(cmd, log, cwd=work, mem_bytes=int(mem_gb_cap * 1e9),
                                      timeout=timeout, env=env)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if status != "ok" and any("out of memory" in line for line in tail):
        status = (f"out of memory at {measured.wall:.0f} s (address-space cap "
                  f"{mem_gb_cap:.0f} GB)")
    result = asdict(measured) | {"status": status, "load": load, "log_tail": tail[-5:],
                                 "gomemlimit": gomemlimit, "mem_cap_gb": mem_gb_cap,
                                 "timeout": timeout,
                                 "date": datetime.date.today().isoformat()}
    if status == "ok":
        result["output"] = output_stats(public, "cables")
        result["markup"] = markup_sample(public, "cables")
    return result


def same_pages_project(archive: Path, work: Path) -> Path:
    """A project building the archive's content with only the page kinds Hugo builds."""
    project = work / "ours-same"
    project.mkdir(parents=True, exist_ok=True)
    config = (archive / "gen.yaml").read_text(encoding="utf-8").rstrip("\n")
    config += f"\ncontent_dir: {json.dumps(str((archive / 'content').resolve()))}\n"
    config += "output_dir: site\npages:\n"
    config += "".join(f"  {kind}: {str(on).lower()}\n" for kind, on in SAME_PAGES.items())
    (project / "gen.yaml").write_text(config, encoding="utf-8")
    return project


def show_run(count: int, name: str, run: dict, gomemlimit: str) -> None:
    out = run.get("output") or {}
    print(f"  {count:>8,} {LABELS[name].format(gomemlimit=gomemlimit):40} {run['status']:>6}  "
          f"{run['wall']:7.1f} s  tree RSS {run['tree_rss_mb']:8,.0f} MB  "
          f"{out.get('files', 0):>9,} files {out.get('bytes', 0) / 1e6:9,.0f} MB", flush=True)


def measure_size(args, python: str, hugo: str, count: int, phase: str) -> dict:
    """Phase "main": ours and Hugo (and Hugo with GOMEMLIMIT when needed); phase "same": ours
    with Hugo's page kinds. Returns the size's state (runs recorded in state.json)."""
    archive = ensure_archive(python, count, args.seed)
    work = OUT_DIR / f"hugo-{count}-s{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    state = load_state(work) if args.reuse else {}
    state.setdefault("runs", {})
    runs = state["runs"]
    state["count"] = count
    state["pages"] = sum(1 for _ in (archive / "content" / "cables").rglob("*.md"))

    def keep(name: str, result: dict) -> None:
        runs[name] = result
        save_state(work, state)
        show_run(count, name, result, args.gomemlimit)

    if phase == "main":
        if "ours" not in runs:
            keep("ours", run_ours(python, archive, work / "ours.log"))
        else:
            show_run(count, "ours", runs["ours"], args.gomemlimit)
        write_hugo_project(archive, work)
        state["hugo_pages"] = hugo_content(archive, work)
        save_state(work, state)
        if "hugo" not in runs:
            keep("hugo", run_hugo(hugo, work, work / "hugo.log", mem_gb_cap=args.hugo_mem,
                                  timeout=args.hugo_timeout, gomemlimit=None))
        else:
            show_run(count, "hugo", runs["hugo"], args.gomemlimit)
        if runs["hugo"]["status"] != "ok" and args.gomemlimit:
            if "hugo_gomemlimit" not in runs:
                keep("hugo_gomemlimit",
                     run_hugo(hugo, work, work / "hugo-gomemlimit.log", mem_gb_cap=args.hugo_mem,
                              timeout=args.hugo_timeout, gomemlimit=args.gomemlimit))
            else:
                show_run(count, "hugo_gomemlimit", runs["hugo_gomemlimit"], args.gomemlimit)
    elif "ours_same" not in runs:
        project = same_pages_project(archive, work)
        keep("ours_same", run_ours(python, project, work / "ours-same.log"))
        shutil.rmtree(project / "site")  # only its measurements are needed
    return state


# --------------------------------------------------------------------------------------------
# Report


def hugo_run(state: dict) -> dict | None:
    """The Hugo run that finished (the default one, else the one with GOMEMLIMIT)."""
    for name in ("hugo", "hugo_gomemlimit"):
        run = state["runs"].get(name)
        if run and run["status"] == "ok":
            return run
    return None


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "–"


def report(args, states: list[dict], command: str, versions: dict) -> str:
    out: list[str] = []
    add = out.append
    load = os.getloadavg()
    caps = {(run.get("mem_cap_gb", args.hugo_mem), run.get("timeout", args.hugo_timeout))
            for state in states for name, run in state["runs"].items() if "hugo" in name}
    mem_cap, timeout = caps.pop() if len(caps) == 1 else (args.hugo_mem, args.hugo_timeout)
    limits = (f"under `RLIMIT_AS` {mem_cap:.0f} GB and a {timeout / 60:.0f} min cap"
              if not caps else "under an address-space cap and a time cap (they varied)")
    add(HEADING)
    add("")
    add(f"`{command}` on {datetime.date.today().isoformat()}, the 2-core VM "
        f"({platform.machine()}, {os.cpu_count()} CPUs, {mem_gb():.0f} GB RAM, Python "
        f"{platform.python_version()}; load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} at the end; the table gives the 1-minute load when each run "
        f"started). {versions['hugo']} (Debian's `hugo` package, a benchmark-only tool, not "
        f"a project dependency), run as `hugo --quiet --source "
        f"<project> --destination <project>/public` {limits}; when that run is killed it is "
        f"run again with "
        f"`GOMEMLIMIT={args.gomemlimit}`. Ours: `python -m generator build --quiet --clean "
        f"--project <archive>` (a full build), {versions['code']}. One run of each; wall "
        f"time, peak RSS summed over the process tree (sampled every 50 ms) and of the largest "
        f"process, output as written "
        f"(files, bytes). Synthetic archives of bench_build.py (seed {args.seed}); Hugo builds "
        f"the same pages (each with one front matter line added, `tag: [codes]`, since a "
        f"Hugo taxonomy cannot read our list of tag maps) through the minimal templates of "
        f"`benchmarks/hugo/` (see README.md for what they render and where they differ).")
    add("")
    add("| cables | generator | wall | peak RSS (tree) | peak RSS (largest process) | "
        "output | files | cable pages | tag / post list pages | feeds | load at start |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for state in states:
        for name in RUNS:
            run = state["runs"].get(name)
            if not run:
                continue
            label = LABELS[name].format(gomemlimit=args.gomemlimit)
            o = run.get("output")
            wall = f"{run['wall']:.1f} s" if run["status"] == "ok" else run["status"]
            if o:
                cells = (f"{o['bytes'] / 1e6:,.0f} MB | {o['files']:,} | {o['cable_pages']:,} | "
                         f"{o['tag_pages']:,} / {o['post_pages']:,} | {o['feeds']:,}")
            else:
                cells = "– | – | – | – | –"
            seen = "" if run["status"] == "ok" else " seen"
            add(f"| {state['count']:,} | {label} | {wall} | {run['tree_rss_mb']:,.0f} MB{seen} | "
                f"{run['rss_mb']:,.0f} MB{seen} | {cells} | {run['load']:.1f} |")
    add("")
    add("Ratios (Hugo ÷ ours; above 1 Hugo is slower or larger). Hugo is the run that finished "
        "(with GOMEMLIMIT when the default run was killed); \"same pages\" is ours without the "
        "page kinds Hugo does not build:")
    add("")
    add("| cables | Hugo wall | ours wall | time Hugo ÷ ours | RSS Hugo ÷ ours | "
        "time Hugo ÷ ours, same pages | RSS Hugo ÷ ours, same pages |")
    add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for state in states:
        hugo = hugo_run(state)
        ours = state["runs"].get("ours")
        same = state["runs"].get("ours_same")
        if hugo:
            hugo_wall = f"{hugo['wall']:.1f} s" + (" (GOMEMLIMIT)" if hugo["gomemlimit"] else "")
        elif state["runs"].get("hugo"):
            hugo_wall = "did not finish"
        else:
            hugo_wall = "not run"
        ours_wall = f"{ours['wall']:.1f} s" if ours else "–"
        add(f"| {state['count']:,} | {hugo_wall} | {ours_wall} | "
            f"**{ratio(hugo and hugo['wall'], ours and ours['wall'])}** | "
            f"**{ratio(hugo and hugo['tree_rss_mb'], ours and ours['tree_rss_mb'])}** | "
            f"{ratio(hugo and hugo['wall'], same and same['wall'])} | "
            f"{ratio(hugo and hugo['tree_rss_mb'], same and same['tree_rss_mb'])} |")
    add("")
    add(checks(states))
    return "\n".join(out).rstrip() + "\n"


def checks(states: list[dict]) -> str:
    lines = ["Checks of Hugo's output against ours:", ""]
    for state in states:
        hugo, ours = hugo_run(state), state["runs"].get("ours")
        if not (hugo and ours):
            continue
        h, o = hugo["output"], ours["output"]
        # List pages: Hugo's are numbered, ours content-defined (paging.py: about page_size
        # cables a page, on average), so their counts are close, not equal.
        same = all(h[k] == o[k] for k in ("cable_pages", "tags", "posts"))
        words = [f"{state['pages']:,} Markdown pages; cable pages Hugo {h['cable_pages']:,}, "
                 f"ours {o['cable_pages']:,}; tags {h['tags']:,} / {o['tags']:,}, their list "
                 f"pages {h['tag_pages']:,} / {o['tag_pages']:,}; posts {h['posts']:,} / "
                 f"{o['posts']:,}, their list pages {h['post_pages']:,} / {o['post_pages']:,}"]
        words.append("all equal" if same and h["cable_pages"] == state["pages"]
                     else "**they differ**")
        words.append(f"Hugo also writes {h['aliases']:,} redirect pages (`page/1/`)")
        lines.append(f"- {state['count']:,} cables: " + "; ".join(words) + ".")
        sample = hugo["markup"]
        if sample["pages"]:
            found = ", ".join(f"{label} on {n:,}" for label, n in sample["literal"].items())
            ours_anchors = ours["markup"]["anchors"]
            lines.append(f"  Markdown on the first {sample['pages']:,} cable pages (path "
                         f"order): in Hugo's, {found}; paragraph anchors (`id=\"p1\"`) on "
                         f"{sample['anchors']:,} of Hugo's and {ours_anchors:,} of ours.")
    return "\n".join(lines) + "\n" if len(lines) > 2 else ""


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare gen build with Hugo.")
    parser.add_argument("--counts", default="10000,50000,251287",
                        help="comma-separated archive sizes (default 10000,50000,251287)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python", default=None, help="interpreter (default: the .venv's)")
    parser.add_argument("--hugo", default="hugo", help="the Hugo binary (default: hugo)")
    parser.add_argument("--hugo-mem", type=float, default=21,
                        help="Hugo's address-space cap in GB (21: Go maps ~1.2 GB more than "
                             "it uses, so about 20 GB of RSS at most)")
    parser.add_argument("--hugo-timeout", type=float, default=1800,
                        help="Hugo's wall-time cap in seconds (1800)")
    parser.add_argument("--gomemlimit", default="16GiB",
                        help="GOMEMLIMIT for the second Hugo run when the first is killed "
                             "(16GiB; empty: no second run)")
    parser.add_argument("--no-same-pages", dest="same_pages", action="store_false",
                        help="skip ours with Hugo's page kinds only")
    parser.add_argument("--reuse", action="store_true",
                        help="take runs recorded in state.json instead of running them again")
    parser.add_argument("--no-results", dest="results", action="store_false",
                        help="print only; do not write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    python = args.python or default_python()
    command = "python benchmarks/bench_hugo.py " + " ".join(argv if argv is not None
                                                            else sys.argv[1:])
    versions = {"hugo": ensure_hugo(args.hugo), "code": code_state()}
    print(versions["hugo"], flush=True)
    counts = [int(c) for c in args.counts.split(",")]
    states: dict[int, dict] = {}

    def publish() -> str:
        text = report(args, [states[c] for c in counts if c in states], command.strip(),
                      versions)
        if args.results:
            write_results(text, HEADING)
        return text

    for count in counts:
        states[count] = measure_size(args, python, args.hugo, count, "main")
        publish()
    if args.same_pages:
        args.reuse = True  # the main runs of this invocation are in state.json
        for count in counts:
            states[count] = measure_size(args, python, args.hugo, count, "same")
            publish()
    text = publish()
    print()
    print(text)
    if args.results:
        print(f"written to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
