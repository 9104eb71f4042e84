"""Rebuild the golden site: tests/fixtures/golden-site/expected/.

    .venv/bin/python tests/update_golden.py

is the explicit update command. tests/test_golden_site.py builds the fixture project
tests/fixtures/golden-site/ (gen.yaml and content/) the same way and compares the result file by
file, names and bytes, with expected/. When a change to gen or to the default theme changes the
output on purpose, run this, review `git diff tests/fixtures/golden-site/expected/`, and commit
the new expected/ with the change.

The build is reproducible: SOURCE_DATE_EPOCH=0 fixes the "built on" date (1970-01-01), and one
job renders the pages in order.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "fixtures" / "golden-site"
EXPECTED = PROJECT / "expected"

if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from generator.builder import build_site  # noqa: E402
from generator.config import load_config  # noqa: E402


def build_golden(output: Path) -> Path:
    """Build the fixture project into `output` (which must not exist yet); return it."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        config = load_config(PROJECT)
        config.output_dir = str(Path(output).resolve())
        build_site(config, jobs=1)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return Path(output)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="golden-") as scratch:
        built = build_golden(Path(scratch) / "site")
        if EXPECTED.exists():
            shutil.rmtree(EXPECTED)
        shutil.copytree(built, EXPECTED)
    files = sum(1 for path in EXPECTED.rglob("*") if path.is_file())
    print(f"update_golden: wrote {files} files to {EXPECTED.relative_to(ROOT)}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
