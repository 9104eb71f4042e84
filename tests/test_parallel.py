"""Work in other processes (generator/parallel.py) and the page scan a build runs there."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

import generator.structure.pages as pages
from generator.parallel import aside
from generator.structure.pages import find_pages, stat_pages

ROOT = Path(__file__).resolve().parent.parent


def _pid_and_double(number: int) -> tuple[int, int]:
    return os.getpid(), 2 * number


def _fail(message: str) -> None:
    raise ValueError(message)


def test_aside_runs_in_another_process_and_is_gone_after() -> None:
    with aside(_pid_and_double, 21) as result:
        pid, doubled = result()
        assert multiprocessing.active_children()
    assert (doubled, pid != os.getpid()) == (42, True)
    assert not multiprocessing.active_children()


def test_aside_raises_what_the_function_raised() -> None:
    with pytest.raises(ValueError, match="no such page"), aside(_fail, "no such page") as result:
        result()
    assert not multiprocessing.active_children()


def test_stat_pages_gives_each_page_relative_with_its_time_and_size(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "cables" / "2010", content / "cables" / "2010")
    found = find_pages(content)
    stats = stat_pages(content)
    assert len(found) > 10
    assert [os.path.join(content, relative) for relative, _, _ in stats] == found
    relative, mtime, size = stats[3]
    status = (content / relative).stat()
    assert (mtime, size) == (status.st_mtime_ns, status.st_size)


def test_a_page_deleted_while_stat_pages_runs_is_not_a_page(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "cables" / "2010", content / "cables" / "2010")
    found = find_pages(content)
    gone = found[5]

    def listed_then_deleted(folder: Path) -> list[str]:
        os.remove(gone)  # after the listing, before its stat
        return found

    monkeypatch.setattr(pages, "find_pages", listed_then_deleted)
    stats = stat_pages(content)
    assert [os.path.join(content, relative) for relative, _, _ in stats] == \
        [path for path in found if path != gone]
