#!/usr/bin/env python3
"""Benchmark the client-side search index of `gen build` against Pagefind (issue #4).

    .venv/bin/python benchmarks/bench_search.py                    # 10,000 and 100,000 cables
    .venv/bin/python benchmarks/bench_search.py --counts 1000 --queries 50 --no-results

For each archive size (benchmarks/out/archive-<count>-s<seed>, imported by bench_build.py's
ensure_archive) it

1. builds the archive twice into benchmarks/out/search-<count>-s<seed>/{on,off}/site, with
   project folders whose gen.yaml is the archive's plus `content_dir` (the archive's content,
   not copied) and, for `off`, `pages: {search: false}`; the index cost is the difference of
   the wall times (both builds, their peak RSS and the index size are reported too);
2. runs Pagefind (PyPI `pagefind[bin]`, a benchmark-only extra installed into the venv on
   demand, not a project dependency) over the search-on site, cable pages only
   (`--glob "cable/**/*.html" --root-selector main`), under an address-space cap and a wall
   time cap; a run that is killed is reported as such;
3. makes a query set: `--queries` random cables (seeded), each with a query of 2-3 words of
   its subject (the rarest words of 4+ letters by our index's document frequency), plus a
   fixed list of typical 1-2 word queries;
4. evaluates every query with our reference engine (generator/search/query.py, reading the
   files under site/search/ and counting their bytes: a fresh Searcher per query is a cold
   page, the next query on the same Searcher a warm one), and with Pagefind's JS API in
   headless Chromium, bytes counted by the local HTTP server;
5. if the search page is there (site/search/index.html driven by search.js), measures in
   Chromium what the page fetches (cold and warm) and the keystroke -> results time;
6. prints markdown tables and appends them to benchmarks/RESULTS.md (unless --no-results),
   replacing an earlier section of this script.

Standard library and playwright only. Builds and Pagefind runs are recorded in
benchmarks/out/search-<count>-s<seed>/state.json; `--reuse` takes them from there instead of
running them again (handy when only the query part changed).
"""

from __future__ import annotations

import argparse
import datetime
import http.server
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench_build import OUT_DIR, ensure_archive
from common import (
    FULL_COUNT,
    REPO,
    RESULTS,
    code_state,
    default_python,
    measure,
    measure_capped,
    mem_gb,
    tree_size,
    write_results,
)

sys.path.insert(0, str(REPO))
from generator.search.query import Searcher  # noqa: E402
from generator.search.tokens import tokens  # noqa: E402

HEADING = "## bench_search.py (search index vs Pagefind)"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGEFIND_ARGS = ["--glob", "cable/**/*.html", "--root-selector", "main"]
# Typical 1-2 word queries: topics of the synthetic vocabulary (synth_vocab.txt), countries
# and generic surnames of synth_data.py.
FIXED_QUERIES = [
    "nuclear", "human rights", "election fraud", "oil", "terrorism financing", "corruption",
    "refugees", "sanctions", "Iran", "China", "trade", "visa", "police", "drug trafficking",
    "energy security", "prime minister", "opposition", "military", "Hassan", "Petrov",
    "Garcia",
]
REFID_QUERIES = 10  # reference IDs of the first known-item targets, typed as queries
KINDS = ("known", "fixed", "refid")
KEY_DELAY_MS = 120  # between keystrokes when typing a query character by character


# --------------------------------------------------------------------------------------------
# Running things


def folder_stats(path: Path) -> dict:
    """Files, bytes, folders and the largest number of entries in one folder."""
    files = total = folders = widest = 0
    for root, dirs, names in os.walk(path):
        folders += 1
        widest = max(widest, len(dirs) + len(names))
        for name in names:
            files += 1
            total += os.stat(os.path.join(root, name)).st_size
    return {"files": files, "bytes": total, "folders": folders, "widest": widest}


def load_state(work: Path) -> dict:
    path = work / "state.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_state(work: Path, state: dict) -> None:
    (work / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")


def build_both(python: str, archive: Path, work: Path, repeat: int) -> dict:
    """Build the archive with search off and on, alternately (so that a change in the load of
    the machine hits both alike); the search-on site stays in work/on/site."""
    for variant in ("off", "on"):
        project = work / variant
        project.mkdir(parents=True, exist_ok=True)
        config = (archive / "gen.yaml").read_text(encoding="utf-8").rstrip("\n")
        config += f"\ncontent_dir: {json.dumps(str((archive / 'content').resolve()))}\n"
        config += "output_dir: site\n"
        if variant == "off":
            config += "pages:\n  search: false\n"
        (project / "gen.yaml").write_text(config, encoding="utf-8")
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for attempt in range(repeat):
        for variant in ("off", "on"):
            log = work / f"build-{variant}.log"
            load = os.getloadavg()[0]
            cmd = [python, "-m", "generator", "build", "--quiet", "--clean", "--project",
                   str(work / variant)]
            measured = measure(cmd, log)
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            if measured.exit_code != 0:
                print("\n".join(lines[-20:]))
                raise SystemExit(f"gen build ({variant}) failed (log: {log})")
            runs[variant].append(asdict(measured) | {"load": load})
            print(f"  build search {variant:3} run {attempt + 1}/{repeat}: "
                  f"{measured.wall:6.1f} s, RSS {measured.rss_mb:6.0f} MB (tree "
                  f"{measured.tree_rss_mb:6.0f} MB), load {load:.1f}   "
                  f"{lines[-1] if lines else ''}", flush=True)
    result = {}
    for variant, measured_runs in runs.items():
        files, size = tree_size(work / variant / "site")
        result[variant] = {"runs": measured_runs,
                           "wall": statistics.median(r["wall"] for r in measured_runs),
                           "rss_mb": max(r["rss_mb"] for r in measured_runs),
                           "tree_rss_mb": max(r["tree_rss_mb"] for r in measured_runs),
                           "tree_pss_mb": max(r.get("tree_pss_mb", 0) for r in measured_runs),
                           "site_files": files, "site_bytes": size,
                           "date": datetime.date.today().isoformat()}
    # the index cost: the median of the differences of the pairs of runs
    result["cost"] = statistics.median(on["wall"] - off["wall"]
                                       for off, on in zip(runs["off"], runs["on"], strict=True))
    # the same in CPU seconds spread over the cores: robust to other work on the machine
    result["cpu_cost"] = statistics.median(
        (on["cpu"] - off["cpu"]) / (os.cpu_count() or 1)
        for off, on in zip(runs["off"], runs["on"], strict=True))
    shutil.rmtree(work / "off" / "site")  # only its measurements are needed
    return result


def ensure_pagefind(python: str) -> str:
    probe = subprocess.run([python, "-m", "pagefind", "--version"], capture_output=True,
                           text=True)
    if probe.returncode != 0:
        print("installing pagefind[bin] into the venv (benchmark-only extra)", flush=True)
        pip = [python, "-m", "pip", "install", "--quiet", "pagefind[bin]"]
        subprocess.run(pip, check=True)
        probe = subprocess.run([python, "-m", "pagefind", "--version"], capture_output=True,
                               text=True, check=True)
    return probe.stdout.strip()


def run_pagefind(python: str, site: Path, work: Path, mem_bytes: int, timeout: float) -> dict:
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    log = work / "pagefind.log"
    load = os.getloadavg()[0]
    cmd = [python, "-m", "pagefind", "--site", str(site), *PAGEFIND_ARGS]
    measured, status = measure_capped(cmd, log, cwd=REPO, mem_bytes=mem_bytes, timeout=timeout)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    print(f"  pagefind: {status}, {measured.wall:.1f} s, RSS {measured.rss_mb:.0f} MB "
          f"(tree {measured.tree_rss_mb:.0f} MB)   {' / '.join(tail)}", flush=True)
    return asdict(measured) | {"status": status, "load": load,
                               "date": datetime.date.today().isoformat()}


# --------------------------------------------------------------------------------------------
# Queries with our engine (Python, reading the index files)


class CountingFetch:
    """Searcher's fetch: reads site/<path>, counts bytes and files by top folder."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.bytes = 0
        self.files = 0
        self.missing = 0
        self.by_kind: dict[str, int] = {}

    def __call__(self, path: str) -> str | None:
        try:
            data = (self.site / path).read_bytes()
        except FileNotFoundError:
            self.missing += 1
            return None
        self.bytes += len(data)
        self.files += 1
        parts = path.split("/")
        kind = parts[1] if len(parts) > 2 else parts[-1]
        self.by_kind[kind] = self.by_kind.get(kind, 0) + len(data)
        return data.decode("utf-8")


@dataclass
class Item:
    query: str
    kind: str  # "known", "fixed" or "refid"
    target: int | None = None  # doc id
    target_url: str | None = None
    ours: dict = field(default_factory=dict)
    page: dict = field(default_factory=dict)  # our engine with prefix_last (as the page runs it)
    pagefind: dict = field(default_factory=dict)
    browser: dict = field(default_factory=dict)  # our search page in Chromium


def make_queries(site: Path, count: int, seed: int) -> list[Item]:
    """`count` known-item queries from random cables' subjects, then the fixed list."""
    searcher = Searcher(CountingFetch(site))
    # Doc ids come from dates (generator/search/doc_ids.py): those the result data has.
    order = sorted(int(doc) for path in (site / "search" / "d").rglob("*.json")
                   for doc in json.loads(path.read_text(encoding="utf-8")))
    rng = random.Random(seed)
    rng.shuffle(order)
    items = []
    for doc_id in order:
        if len(items) >= count:
            break
        record = searcher._result(doc_id, 0)
        words = []
        for token in tokens(record.subject or ""):
            if len(token) >= 4 and token.isalpha() and token not in words:
                words.append(token)
        if len(words) < 2:
            continue
        df = {w: (searcher._shard(w).get(w) or [0])[0] for w in words}
        size = min(len(words), rng.choice((2, 3)))
        chosen = set(sorted(words, key=lambda w: (df[w], w))[:size])
        query = " ".join(w for w in words if w in chosen)
        items.append(Item(query, "known", doc_id, record.url))
    items.extend(Item(q, "fixed") for q in FIXED_QUERIES)
    for item in items[:REFID_QUERIES]:  # reference IDs as typed, of the first targets
        record = searcher._result(item.target, 0)
        items.append(Item(record.reference_id, "refid", item.target, record.url))
    return items


def run_ours(site: Path, items: list[Item], *, prefix_last: bool) -> None:
    """Cold: a fresh Searcher per query; warm: the next query of its set on the same one."""
    for kind in KINDS:
        group = [item for item in items if item.kind == kind]
        for index, item in enumerate(group):
            fetch = CountingFetch(site)
            searcher = Searcher(fetch)
            start = time.perf_counter()
            answer = searcher.search(item.query, prefix_last=prefix_last, limit=10)
            elapsed = time.perf_counter() - start
            cold = {"bytes": fetch.bytes, "files": fetch.files, "missing": fetch.missing,
                    "by_kind": dict(fetch.by_kind)}
            following = group[(index + 1) % len(group)].query
            before, files_before = fetch.bytes, fetch.files
            start = time.perf_counter()
            searcher.search(following, prefix_last=prefix_last, limit=10)
            warm_elapsed = time.perf_counter() - start
            typed = None
            if prefix_last:  # every prefix in turn, as search-as-you-type does
                typing_fetch = CountingFetch(site)
                typing = Searcher(typing_fetch)
                for end in range(1, len(item.query) + 1):
                    typing.search(item.query[:end], prefix_last=True, limit=10)
                typed = {"bytes": typing_fetch.bytes, "files": typing_fetch.files}
            ranks = [r.doc_id for r in answer.results]
            warm = {"bytes": fetch.bytes - before, "files": fetch.files - files_before}
            result = {"cold": cold, "warm": warm, "typed": typed,
                      "total": answer.total, "ms": elapsed * 1000,
                      "warm_ms": warm_elapsed * 1000,
                      "rank": ranks.index(item.target) + 1 if item.target in ranks else None}
            if prefix_last:
                item.page = result
            else:
                item.ours = result


# --------------------------------------------------------------------------------------------
# The browser: a local HTTP server that counts what it sends, headless Chromium


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[tuple[str, int, int]] = []

    def add(self, path: str, status: int, length: int) -> None:
        with self.lock:
            self.items.append((path, status, length))

    def take(self) -> list[tuple[str, int, int]]:
        with self.lock:
            items, self.items = self.items, []
        return items


def served_bytes(items: list[tuple[str, int, int]]) -> dict:
    counted = [(p, s, n) for p, s, n in items if not p.startswith("/__")]
    return {"bytes": sum(n for _p, s, n in counted if s == 200),
            "files": sum(1 for _p, s, _n in counted if s == 200),
            "missing": sum(1 for _p, s, _n in counted if s == 404),
            "paths": [p for p, _s, _n in counted]}


def start_server(site: Path, recorder: Recorder) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          ".js": "text/javascript", ".wasm": "application/wasm"}

        def __init__(self, *args, **kwargs) -> None:
            self._status = 0
            self._length = 0
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/__blank"):
                body = b"<!doctype html><meta charset=utf-8><title>blank</title>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def send_response(self, code: int, message: str | None = None) -> None:
            self._status = code
            super().send_response(code, message)

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "content-length":
                self._length = int(value)
            super().send_header(keyword, value)

        def end_headers(self) -> None:
            recorder.add(self.path.split("?", 1)[0], self._status, self._length)
            super().end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


PAGEFIND_JS = """async ([q, n]) => {
  const pf = window.__pf || (window.__pf = await import('/pagefind/pagefind.js'));
  const t0 = performance.now();
  const r = await pf.search(q);
  const data = await Promise.all(r.results.slice(0, n).map((x) => x.data()));
  return {ms: performance.now() - t0, total: r.results.length, urls: data.map((d) => d.url)};
}"""

# Put `q` in the search box, as one input event (mode "input": search.js waits for its short
# pause first) or by submitting the form (mode "submit": no pause), and resolve with the time
# until the results list says it shows `q` (search.js sets data-query when it has rendered).
TYPE_JS = """async ([q, mode]) => {
  const box = document.getElementById('search');
  const input = box.querySelector('form').elements.namedItem('q');
  const list = document.getElementById('search-results');
  const shows = () => {
    try { return JSON.parse(list.dataset.query || '[]')[0] === q
      && !list.hasAttribute('aria-busy'); } catch (e) { return false; }
  };
  return await new Promise((resolve) => {
    const t0 = performance.now();
    const finish = (ms) => { observer.disconnect(); clearTimeout(timer); resolve({ms,
      count: Number(list.dataset.count || 0), error: list.dataset.error || null,
      urls: [...list.querySelectorAll('a.entry-link')].map((a) => a.getAttribute('href'))}); };
    const observer = new MutationObserver(() => { if (shows()) finish(performance.now() - t0); });
    const timer = setTimeout(() => finish(-1), 20000);
    observer.observe(list, {attributes: true, childList: true, subtree: true});
    input.value = q;
    if (mode === 'submit') input.form.requestSubmit();
    else input.dispatchEvent(new Event('input', {bubbles: true}));
  });
}"""

# Before typing `q` key by key: note the time of the last input event and of the moment the
# list shows `q`; window.__typed becomes their difference.
TYPING_JS = """(q) => {
  const input = document.getElementById('search').querySelector('form').elements.namedItem('q');
  const list = document.getElementById('search-results');
  let last = 0;
  window.__typed = null;
  input.addEventListener('input', () => { last = performance.now(); });
  const observer = new MutationObserver(() => {
    let shown = null;
    try { shown = JSON.parse(list.dataset.query || '[]')[0]; } catch (e) { return; }
    if (shown === q && !list.hasAttribute('aria-busy')) {
      observer.disconnect();
      window.__typed = performance.now() - last;
    }
  });
  observer.observe(list, {attributes: true, childList: true, subtree: true});
  input.focus();
}"""


def url_path(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url or "")


def run_browser(site: Path, items: list[Item], *, pagefind: bool, ours: bool) -> dict:
    """Pagefind queries (cold page per query, then a warm one) and our search page."""
    from playwright.sync_api import sync_playwright

    info: dict = {}
    recorder = Recorder()
    server = start_server(site, recorder)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            info["chromium"] = browser.version
            if pagefind:
                _browser_pagefind(browser, base, recorder, items)
            if ours:
                info |= _browser_ours(browser, base, recorder, items)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return info


def _browser_pagefind(browser, base: str, recorder: Recorder, items: list[Item]) -> None:
    for kind in KINDS:
        group = [item for item in items if item.kind == kind]
        for index, item in enumerate(group):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/__blank.html")
            recorder.take()
            first = page.evaluate(PAGEFIND_JS, [item.query, 10])
            cold = served_bytes(recorder.take())
            following = group[(index + 1) % len(group)].query
            second = page.evaluate(PAGEFIND_JS, [following, 10])
            warm = served_bytes(recorder.take())
            context.close()
            urls = [url_path(u) for u in first["urls"]]
            target = url_path(item.target_url) if item.target_url else None
            item.pagefind = {"cold": cold, "warm": warm, "total": first["total"],
                             "ms": first["ms"], "warm_ms": second["ms"],
                             "rank": urls.index(target) + 1 if target in urls else None}
            if index % 50 == 0:
                print(f"  pagefind in Chromium: {kind} {index + 1}/{len(group)}", flush=True)


def _browser_ours(browser, base: str, recorder: Recorder, items: list[Item]) -> dict:
    """Our search page: bytes of a cold page + query and a warm query, keystroke timing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/search/")
    try:
        page.wait_for_selector("#search.search-ready", timeout=10_000)
    except PlaywrightTimeout:
        pass  # reported below
    ready = page.evaluate("""() => { const box = document.getElementById('search');
      return !!(box && box.dataset.searchRoot && box.classList.contains('search-ready')
        && document.getElementById('search-results')); }""")
    context.close()
    if not ready and errors:
        return {"page": f"the search page failed: {errors[0][:200]}"}
    if not ready:
        return {"page": "the search page is not driven by search.js (no #search.search-ready)"}
    fixed = [item for item in items if item.kind == "fixed"]
    for index, item in enumerate(fixed):
        context = browser.new_context()
        page = context.new_page()
        recorder.take()
        page.goto(base + "/search/")
        page.wait_for_selector("#search.search-ready")
        first = page.evaluate(TYPE_JS, [item.query, "input"])
        cold = served_bytes(recorder.take())
        second = page.evaluate(TYPE_JS, [fixed[(index + 1) % len(fixed)].query, "input"])
        warm = served_bytes(recorder.take())
        context.close()
        # the same query typed key by key into a fresh page
        context = browser.new_context()
        page = context.new_page()
        recorder.take()
        page.goto(base + "/search/")
        page.wait_for_selector("#search.search-ready")
        page.evaluate(TYPING_JS, item.query)
        page.keyboard.type(item.query, delay=KEY_DELAY_MS)
        page.wait_for_function("() => window.__typed !== null", timeout=20_000)
        typed_ms = page.evaluate("() => window.__typed")
        typed = served_bytes(recorder.take())
        context.close()
        item.browser = {"cold": cold, "warm": warm, "typed": typed, "typed_ms": typed_ms,
                        "ms": first["ms"], "warm_ms": second["ms"],
                        "count": first["count"], "error": first["error"]}
    # Keystroke -> results with warm caches: the whole fixed list once, then measured.
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/search/")
    page.wait_for_selector("#search.search-ready")
    timings: dict[str, list[float]] = {"input": [], "submit": []}
    for round_ in range(2):
        for mode in ("input", "submit"):
            for item in fixed:
                page.evaluate(TYPE_JS, ["", "input"])
                result = page.evaluate(TYPE_JS, [item.query, mode])
                if round_ == 1:
                    timings[mode].append(result["ms"])
    context.close()
    return {"page": "ok", "keystroke_ms": timings["input"], "submit_ms": timings["submit"]}


# --------------------------------------------------------------------------------------------
# Statistics and the report


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * p
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def kb(value: float) -> str:
    return "–" if math.isnan(value) else f"{value / 1000:,.1f} KB"


def quality(items: list[Item], engine: str, kind: str = "known") -> dict | None:
    known = [item for item in items if item.kind == kind and getattr(item, engine)]
    if not known:
        return None
    ranks = [getattr(item, engine)["rank"] for item in known]
    return {"n": len(known), "at1": sum(1 for r in ranks if r == 1),
            "at10": sum(1 for r in ranks if r is not None),
            "mrr": sum(1 / r for r in ranks if r) / len(known)}


def byte_stats(items: list[Item], engine: str, phase: str, extra: int = 0) -> tuple:
    values = [getattr(item, engine)[phase]["bytes"] + extra for item in items
              if getattr(item, engine)]
    return percentile(values, 0.5), percentile(values, 0.9), len(values)


def client_bytes(site: Path) -> tuple[int, str]:
    """What a cold search page loads besides the index: search.js and the page itself."""
    scripts = sorted((site / "assets").glob("search*.js")) if (site / "assets").is_dir() else []
    page = site / "search" / "index.html"
    size = sum(p.stat().st_size for p in scripts) + (page.stat().st_size if page.exists() else 0)
    names = [str(p.relative_to(site)) for p in scripts] + (["search/index.html"]
                                                          if page.exists() else [])
    return size, " + ".join(names) or "nothing (no search.js or search page yet)"


@dataclass
class CountReport:
    count: int
    on: dict
    off: dict
    cost: float  # index cost: search-on minus search-off build time (median of pairs)
    cpu_cost: float | None  # the same in CPU seconds divided by the number of cores
    ours_index: dict
    pagefind_run: dict | None
    pagefind_index: dict | None
    items: list[Item]
    client: tuple[int, str]
    browser: dict


def evaluate_count(args, python: str, count: int) -> CountReport:
    print(f"\n== {count:,} cables", flush=True)
    archive = ensure_archive(python, count, args.seed)
    work = OUT_DIR / f"search-{count}-s{args.seed}"
    work.mkdir(parents=True, exist_ok=True)
    state = load_state(work)
    site = work / "on" / "site"
    repeat = args.repeat or (1 if count >= 100_000 else 3)
    if not (args.reuse and "off" in state and "on" in state and (site / "search").is_dir()):
        state.pop("pagefind", None)
        state |= build_both(python, archive, work, repeat)
        save_state(work, state)
    ours_index = folder_stats(site / "search")
    pagefind_index = None
    if args.pagefind:
        if not (args.reuse and "pagefind" in state):
            state["pagefind_version"] = ensure_pagefind(python)
            state["pagefind"] = run_pagefind(python, site, work, int(args.pagefind_mem * 1e9),
                                             args.pagefind_timeout)
            save_state(work, state)
        if state["pagefind"]["status"] == "ok":
            pagefind_index = folder_stats(site / "pagefind")
    items = make_queries(site, args.queries, args.seed)
    print(f"  {len(items)} queries, e.g. {[i.query for i in items[:4]]}", flush=True)
    run_ours(site, items, prefix_last=False)
    run_ours(site, items, prefix_last=True)
    browser: dict = {}
    if args.browser:
        browser = run_browser(site, items, pagefind=pagefind_index is not None, ours=True)
    (work / "queries.json").write_text(json.dumps([asdict(i) for i in items], indent=1),
                                       encoding="utf-8")
    cost = state.get("cost", state["on"]["wall"] - state["off"]["wall"])
    return CountReport(count, state["on"], state["off"], cost, state.get("cpu_cost"),
                       ours_index, state.get("pagefind"), pagefind_index, items,
                       client_bytes(site), browser)


def project(values: dict[int, float], to: int = FULL_COUNT) -> float | None:
    """Linear through the two largest sizes measured; None with fewer than two."""
    sizes = sorted(values)
    if len(sizes) < 2:
        return None
    low, high = sizes[-2], sizes[-1]
    slope = (values[high] - values[low]) / (high - low)
    return values[high] + slope * (to - high)


def report(args, reports: list[CountReport], command: str, versions: dict) -> str:
    out: list[str] = []
    add = out.append
    today = datetime.date.today().isoformat()
    load = os.getloadavg()
    add(HEADING)
    add("")
    add(f"`{command}` on {today}, the 2-core VM ({platform.machine()}, "
        f"{os.cpu_count()} CPUs, {mem_gb():.0f} GB RAM, Python {platform.python_version()}), "
        f"shared with other work (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at "
        f"the end; times are on the slow side and the index cost, a difference of two builds, "
        f"is noisy). Pagefind {versions.get('pagefind', '–')} (PyPI `pagefind[bin]`, a "
        f"benchmark-only extra: `.venv/bin/pip install 'pagefind[bin]'`, not a project "
        f"dependency), run as `python -m pagefind --site <site> {' '.join(PAGEFIND_ARGS)}` "
        f"(cable pages only, their `<main>`; without `--glob` it would also index the list "
        f"pages) under `RLIMIT_AS` {args.pagefind_mem:.0f} GB and a "
        f"{args.pagefind_timeout / 60:.0f} min cap. Chromium {versions.get('chromium', '–')} "
        f"headless via Playwright, the site served by a local `http.server` that counts the "
        f"bytes it sends. Code: {versions.get('code', '–')}; the search client "
        f"{reports[-1].client[1] if reports else '–'}.")
    add("")
    add("Index build (`gen build --quiet`, search on vs `pages: {search: false}`, the two "
        "alternating; wall times are medians, the index cost the median of the paired "
        "differences; RSS = largest process / whole process tree; Pagefind runs after the "
        "build, over the built site):")
    add("")
    add("| cables | runs | build, search off | build, search on | index cost (wall) | "
        "index cost (CPU / cores) | RSS off | RSS on | PSS on (tree) | Pagefind | "
        "Pagefind RSS |")
    add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        pf = r.pagefind_run
        if pf is None:
            pf_time, pf_rss = "not run", "–"
        elif pf["status"] == "ok":
            pf_time, pf_rss = f"{pf['wall']:.1f} s", f"{pf['rss_mb']:,.0f} MB"
        else:
            pf_time, pf_rss = pf["status"], f"{max(pf['rss_mb'], pf['tree_rss_mb']):,.0f} MB seen"
        runs = len(r.on["runs"])
        add(f"| {r.count:,} | {runs} | {r.off['wall']:.1f} s | {r.on['wall']:.1f} s | "
            f"**{r.cost:.1f} s** | "
            f"{'–' if r.cpu_cost is None else f'**{r.cpu_cost:.1f} s**'} | "
            f"{r.off['rss_mb']:,.0f} / {r.off['tree_rss_mb']:,.0f} MB | "
            f"{r.on['rss_mb']:,.0f} / {r.on['tree_rss_mb']:,.0f} MB | "
            f"{r.on.get('tree_pss_mb', 0):,.0f} MB | {pf_time} | {pf_rss} |")
    add("")
    add("Index size (files on disk; ours is plain text/JSON, served compressed by most hosts; "
        "Pagefind's `.pf_*` files are stored gzip-compressed):")
    add("")
    add("| cables | ours: bytes | files | folders | most entries in a folder | Pagefind: bytes | "
        "files | folders | most entries in a folder |")
    add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        o, p = r.ours_index, r.pagefind_index
        pf = (f"{p['bytes'] / 1e6:,.1f} MB | {p['files']:,} | {p['folders']:,} | "
              f"{p['widest']:,}") if p else "– | – | – | –"
        add(f"| {r.count:,} | {o['bytes'] / 1e6:,.1f} MB | {o['files']:,} | {o['folders']:,} | "
            f"{o['widest']:,} | {pf} |")
    add("")
    client = reports[-1].client if reports else (0, "")
    add(f"Bytes fetched per query (median / p90). Ours, Python engine: the index files a fresh "
        f"`Searcher` reads for the query (cold) or the next query of the set on the same "
        f"Searcher (warm); cold adds the client, {client[1]} ({client[0] / 1000:,.1f} KB; the "
        f"site's CSS, shared with every page, is not counted). \"exact\" = "
        f"`Searcher.search(q)`; \"as typed\" = `prefix_last=True`, which is what the search "
        f"page does (the last word is a prefix: up to 12 expansions). Pagefind: every "
        f"response of one `pf.search(q)` plus `data()` of the first 10 results on a fresh "
        f"page (pagefind.js, wasm, entry, meta, index chunks, fragments; stored compressed), "
        f"then the next query on the same page. Our page in Chromium: everything the page "
        f"loads (HTML, CSS, favicon, search.js, index) until the first results show, then the "
        f"next query.")
    add("")
    add("| cables | queries | ours exact, cold | warm | ours as typed, cold | warm | "
        "our page in Chromium, cold | warm | Pagefind, cold | warm |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        extra = r.client[0]
        for kind, label in (("known", f"{args.queries} known-item (2-3 words)"),
                            ("fixed", f"{len(FIXED_QUERIES)} typical (1-2 words)"),
                            ("refid", f"{REFID_QUERIES} reference IDs (`07TASHKENT477`)")):
            group = [i for i in r.items if i.kind == kind]
            cells = []
            for engine in ("ours", "page", "browser", "pagefind"):
                for phase, plus in (("cold", extra if engine in ("ours", "page") else 0),
                                    ("warm", 0)):
                    median, p90, n = byte_stats(group, engine, phase, plus)
                    cells.append(f"{kb(median)} / {kb(p90)}" if n else "–")
            add(f"| {r.count:,} | {label} | " + " | ".join(cells) + " |")
    add("")
    add("Known-item quality: for each random cable, the 2-3 rarest words (4+ letters) of its "
        "subject as the query; is the cable in the top 10 and where:")
    add("")
    add("| cables | engine | queries | hits@1 | hits@10 | MRR | reference ID query: cable first |")
    add("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        for engine, label in (("ours", "ours (exact)"), ("page", "ours (as typed)"),
                              ("pagefind", "Pagefind")):
            q = quality(r.items, engine)
            ref = quality(r.items, engine, "refid")
            refs = f"{ref['at1']} of {ref['n']}" if ref else "–"
            if q:
                add(f"| {r.count:,} | {label} | {q['n']} | {q['at1']} ({q['at1'] / q['n']:.0%}) "
                    f"| {q['at10']} ({q['at10'] / q['n']:.0%}) | {q['mrr']:.3f} | {refs} |")
    add("")
    typing_rows = []
    for r in reports:
        cells = []
        for kind in ("known", "fixed"):
            group = [i for i in r.items if i.kind == kind and i.page.get("typed")]
            values = [i.page["typed"]["bytes"] + r.client[0] for i in group]
            cells.append(f"{kb(percentile(values, 0.5))} / {kb(percentile(values, 0.9))}"
                         if values else "–")
        group = [i for i in r.items if i.kind == "fixed" and i.browser.get("typed")]
        values = [i.browser["typed"]["bytes"] for i in group]
        cells.append(f"{kb(percentile(values, 0.5))} / {kb(percentile(values, 0.9))}"
                     if values else "–")
        typing_rows.append(f"| {r.count:,} | " + " | ".join(cells) + " |")
    add("Search as you type: bytes of a cold page while the query is typed key by key (median / "
        "p90). Python engine: every prefix of the query searched in turn as the page does "
        "(`prefix_last=True`; an upper bound, as if no keystroke were coalesced), plus the "
        f"client; Chromium: our page, the query typed with {KEY_DELAY_MS} ms between keys, "
        "everything served until the final results show:")
    add("")
    add("| cables | Python, known-item queries | Python, typical queries | "
        "our page in Chromium, typical queries |")
    add("| ---: | ---: | ---: | ---: |")
    out.extend(typing_rows)
    add("")
    timing_rows = []
    for r in reports:
        times = r.browser.get("keystroke_ms")
        if not times:
            if r.browser:
                timing_rows.append(f"| {r.count:,} | not measured: "
                                   f"{r.browser.get('page', 'no search page')} | | | |")
            continue
        submit = r.browser.get("submit_ms") or []
        typed = [i.browser["typed_ms"] for i in r.items
                 if i.kind == "fixed" and i.browser.get("typed_ms") is not None]
        pf_warm = [i.pagefind["warm_ms"] for i in r.items if i.kind == "fixed" and i.pagefind]

        def cell(values: list[float], bold: bool = False) -> str:
            if not values:
                return "–"
            median = f"{statistics.median(values):.0f} ms"
            return f"{f'**{median}**' if bold else median} / {percentile(values, 0.9):.0f} ms"

        timing_rows.append(f"| {r.count:,} | {cell(times, True)} | {cell(submit)} | "
                           f"{cell(typed)} | {cell(pf_warm)} |")
    if timing_rows:
        add("Keystroke → results in headless Chromium (median / p90 over the typical queries), "
            "our search page: time from the input event until search.js has rendered the "
            "answer (`data-query` of the list set to the query). \"input\": the whole query "
            "as one input event, caches warm (the set run once first), including search.js's "
            "pause before it searches; \"submit\": the same by submitting the form (no pause); "
            f"\"typed\": last key → final results when typing at {KEY_DELAY_MS} ms per key on a "
            "cold page. Pagefind: `pf.search` + 10 × `data()` of the same queries, as the "
            "second query on a page.")
        add("")
        add("| cables | input (warm) | submit (warm) | typed, last key (cold page) | "
            "Pagefind (warm) |")
        add("| ---: | ---: | ---: | ---: | ---: |")
        out.extend(timing_rows)
        add("")
    add(targets(args, reports))
    add(findings(reports))
    return "\n".join(out).rstrip() + "\n"


def targets(args, reports: list[CountReport]) -> str:
    if not reports:
        return ""
    largest = reports[-1]
    at = largest.count
    rows: list[tuple[str, dict[int, float], float, str]] = []  # label, values, limit, unit
    rows.append(("index build < 180 s of the whole build (2 cores), wall difference",
                 {r.count: max(r.cost, 0.0) for r in reports}, 180, "s"))
    if all(r.cpu_cost is not None for r in reports):
        rows.append(("index build < 180 s, CPU difference / cores (robust to machine load)",
                     {r.count: max(r.cpu_cost or 0.0, 0.0) for r in reports}, 180, "s"))
    # The index is built by the render workers and then bucket by bucket in worker processes:
    # the whole process tree of the build (search on) is the honest "indexer".
    rows.append(("indexer peak RSS < 2 GB (whole build, RSS summed over all processes)",
                 {r.count: r.on["tree_rss_mb"] for r in reports}, 2048, "MB"))
    if all(r.on.get("tree_pss_mb") for r in reports):
        rows.append(("indexer peak memory < 2 GB (whole build, PSS: shared pages once)",
                     {r.count: r.on["tree_pss_mb"] for r in reports}, 2048, "MB"))
    for phase, limit in (("cold", 200_000), ("warm", 100_000)):
        values: dict[int, float] = {}
        groups = [(r, [i for i in r.items if i.kind == "fixed"]) for r in reports]
        in_browser = all(byte_stats(group, "browser", phase)[2] for _r, group in groups)
        source = "our page in Chromium" if in_browser else "Python engine as typed + client"
        for r, group in groups:
            if in_browser:
                values[r.count] = byte_stats(group, "browser", phase)[0]
            else:
                values[r.count] = byte_stats(group, "page", phase,
                                             r.client[0] if phase == "cold" else 0)[0]
        label = "cold page, JS included" if phase == "cold" else "second query, same page"
        rows.append((f"typical query < {limit // 1000} KB ({label}), median; {source}",
                     values, limit, "B"))
    sizes = " and ".join(f"{r.count:,}" for r in reports[-2:])
    lines = [f"Targets at 251,287 cables: measured at {at:,}, projected linearly through the "
             f"two largest sizes ({sizes} cables) when there are two; the verdict is on the "
             f"projection (else on the measurement). Bytes: the median over the typical "
             f"queries.", "",
             f"| target | at {at:,} (measured) | at 251,287 (projected) | verdict |",
             "| --- | ---: | ---: | --- |"]

    def show(value: float | None, unit: str) -> str:
        if value is None:
            return "– (one size only)"
        return kb(value) if unit == "B" else f"{value:,.0f} {unit}"

    for label, values, limit, unit in rows:
        projected = None if at >= FULL_COUNT else project(values)
        judged = projected if projected is not None else values[at]
        lines.append(f"| {label} | {show(values[at], unit)} | {show(projected, unit)} | "
                     f"{'met' if judged < limit else 'MISSED'} |")
    times = largest.browser.get("keystroke_ms")
    if times:
        median = statistics.median(times)
        lines.append(f"| keystroke → results < 100 ms median (search.js, warm) | {median:.0f} ms "
                     f"| – | {'met' if median < 100 else 'MISSED'} |")
    else:
        lines.append("| keystroke → results < 100 ms median | not measured: "
                     f"{largest.browser.get('page', 'browser not run')} | – | – |")
    return "\n".join(lines) + "\n"


def findings(reports: list[CountReport]) -> str:
    lines = []
    for r in reports:
        heavy = sorted((i for i in r.items if i.page),
                       key=lambda i: -i.page["cold"]["bytes"])[:5]
        if not heavy:
            continue
        parts = []
        for i in heavy:
            kinds = ", ".join(f"{k} {v / 1000:,.1f} KB" for k, v in
                              sorted(i.page["cold"]["by_kind"].items(), key=lambda kv: -kv[1]))
            parts.append(f"“{i.query}” {i.page['cold']['bytes'] / 1000:,.0f} KB as typed "
                         f"({i.page['cold']['files']} files: {kinds}; exact "
                         f"{i.ours['cold']['bytes'] / 1000:,.0f} KB)")
        lines.append(f"- {r.count:,} cables, heaviest queries (Python engine, cold, index files "
                     f"only): " + "; ".join(parts) + ".")
    if not lines:
        return ""
    return "Heaviest queries:\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the search index vs Pagefind.")
    parser.add_argument("--counts", default="10000,100000",
                        help="comma-separated archive sizes (default 10000,100000)")
    parser.add_argument("--queries", type=int, default=200, help="known-item queries (200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=None,
                        help="builds per variant (default 3 below 100,000 cables, else 1)")
    parser.add_argument("--python", default=None, help="interpreter (default: the .venv's)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the builds and Pagefind runs recorded in state.json")
    parser.add_argument("--no-pagefind", dest="pagefind", action="store_false")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--pagefind-mem", type=float, default=16,
                        help="Pagefind's address-space cap in GB (16)")
    parser.add_argument("--pagefind-timeout", type=float, default=1200,
                        help="Pagefind's wall-time cap in seconds (1200)")
    parser.add_argument("--no-results", dest="results", action="store_false",
                        help="print only; do not write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    python = args.python or default_python()
    command = "python benchmarks/bench_search.py " + " ".join(argv if argv is not None
                                                              else sys.argv[1:])
    code = code_state()
    reports = [evaluate_count(args, python, int(c)) for c in args.counts.split(",")]
    pagefind = [load_state(OUT_DIR / f"search-{r.count}-s{args.seed}").get("pagefind_version")
                for r in reports]
    chromium = [r.browser["chromium"] for r in reports if r.browser.get("chromium")]
    versions = {"code": code, "pagefind": next(filter(None, pagefind), None),
                "chromium": chromium[0] if chromium else None}
    if versions["pagefind"]:
        versions["pagefind"] = versions["pagefind"].removeprefix("pagefind ").strip()
    text = report(args, reports, command.strip(), versions)
    print()
    print(text)
    if args.results:
        write_results(text, HEADING)
        print(f"appended to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
