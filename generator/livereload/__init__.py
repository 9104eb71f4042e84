"""`gen serve`'s machinery, kept apart from the command as MkDocs keeps its livereload code:
the server (server.py), watching and coalescing changes (watch.py), serialised rebuilds
(rebuild.py) and the build error shown in the browser (overlay.py)."""

from generator.livereload.rebuild import Attempt
from generator.livereload.server import LiveSite
from generator.livereload.watch import watched_paths

__all__ = ["Attempt", "LiveSite", "watched_paths"]
