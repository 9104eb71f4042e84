#!/usr/bin/env python3
"""Project set-up and the two everyday commands. Needs only Python 3.11+.

    python3 dev.py build             build the bundled sample archive (content/) into site/
    python3 dev.py test              install what the tests need and run the whole suite

Each command creates `.venv/` on first use and reinstalls the project when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment(extras: str = "") -> None:
    """Create the virtual environment and install the project (with extras) if needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3
        sys.exit("gen needs Python 3.11 or newer")
    if not PYTHON.exists():
        print("dev: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _stamp()
    stamps = [VENV / f".installed-{name}" for name in ("base", *filter(None, [extras]))]
    if all(stamp.exists() and stamp.read_text() == wanted for stamp in stamps):
        return
    target = f".[{extras}]" if extras else "."
    print(f"dev: installing {target} into .venv", file=sys.stderr)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                   check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target],
                   cwd=ROOT, check=True)
    for stamp in stamps:
        stamp.write_text(wanted)


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests when it is missing and we can (root on
    Debian/Ubuntu); otherwise leave it: tests/test_browser.py then skips and says how."""
    if CHROMIUM.exists() or not shutil.which("apt-get") or not hasattr(os, "geteuid") \
            or os.geteuid() != 0:
        return
    print("dev: installing chromium (apt-get) for the browser tests", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "check": False}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                   **quiet)
    if not CHROMIUM.exists():
        print("dev: chromium could not be installed; the browser tests will be skipped",
              file=sys.stderr)


def run(*command: str) -> int:
    return subprocess.run(list(command), cwd=ROOT).returncode


def cmd_build(args: list[str]) -> int:
    """Build the sample archive in content/ into site/ (`gen build`; options pass through)."""
    ensure_environment()
    return run(str(BIN / "gen"), "build", *args)


def cmd_test(args: list[str]) -> int:
    ensure_environment("test")
    ensure_chromium()
    lint = run(str(BIN / "ruff"), "check", "generator", "tests", "benchmarks", "dev.py")
    tests = run(str(PYTHON), "-m", "pytest", *(args or ["-q"]))
    return tests or lint


def main() -> int:
    commands = {"build": cmd_build, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
