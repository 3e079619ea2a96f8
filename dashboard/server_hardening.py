"""Changes to the Streamlit server the dashboard runs in, where Streamlit has no setting.

:func:`install` runs at the top of ``app.py`` (every run; it acts once per server process,
before any download is built: a session runs ``app.py`` before it can draw a button).

* **Downloads die young.** Streamlit keeps a built download in memory under
  ``/media/<id>.<ext>`` and serves it to any client with the URL, with no session or sign-in,
  until a later script run happens to clean up (hours, if the user just closes the tab); the
  id is a hash of the content, so anyone who can reproduce a table can name its URL. Here
  each download gets a random id and is served only for
  ``ANTISMUGGLING_DOWNLOAD_SECONDS`` (60 by default) after it is built, then forgotten. Only
  the session that asked for it learns the URL, over its own WebSocket, and every click
  builds (and audits, :func:`dashboard.auth.download_recorder`) a new file. Served *once*
  is not possible: Streamlit's browser code fetches every deferred download twice (it checks
  the URL with ``fetch`` while the link click downloads it), so a file gone after its
  first fetch could never be saved.
* **``/_stcore/metrics`` says nothing.** It is public and reports how many sessions are open
  and the sizes of every cached query and session state; nothing here needs it, and
  Streamlit cannot switch it off, so its statistics are emptied (it answers ``# EOF``).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable

from streamlit import runtime
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.memory_media_file_storage import MemoryFile, MemoryMediaFileStorage

from antismuggling.access.policy import download_seconds

_installed = threading.Lock()
_log = logging.getLogger(__name__)


class ExpiringDownloads(MemoryMediaFileStorage):
    """Streamlit's in-memory media storage, but a downloadable file gets a random id and is
    served for ``lifetime`` seconds only. Images and other media are stored as before."""

    def start_expiring(self, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._lifetime = lifetime
        self._clock = clock
        self._expiry: dict[str, float] = {}  # file id -> clock time it stops being served
        self._expiry_lock = threading.Lock()  # files are added by one thread, served by another

    def load_and_get_id(
        self, path_or_data: str | bytes, mimetype: str, kind: MediaFileKind, filename: str | None = None
    ) -> str:
        self._forget_expired()
        if kind != MediaFileKind.DOWNLOADABLE:
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)
        content = self._read_file(path_or_data) if isinstance(path_or_data, str) else path_or_data
        file_id = secrets.token_hex(16)  # not the content's hash: nobody can work it out
        with self._expiry_lock:
            self._files_by_id[file_id] = MemoryFile(content=content, mimetype=mimetype, kind=kind, filename=filename)
            self._expiry[file_id] = self._clock() + self._lifetime
        return file_id

    def get_file(self, filename: str) -> MemoryFile:
        self._forget_expired()
        return super().get_file(filename)

    def delete_file(self, file_id: str) -> None:
        with self._expiry_lock:
            self._expiry.pop(file_id, None)
        super().delete_file(file_id)

    def _forget_expired(self) -> None:
        now = self._clock()
        with self._expiry_lock:
            expired = [file_id for file_id, until in self._expiry.items() if now >= until]
            for file_id in expired:
                del self._expiry[file_id]
                self._files_by_id.pop(file_id, None)


def expire_downloads(storage: MemoryMediaFileStorage, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
    """Make ``storage`` an :class:`ExpiringDownloads`, in place: it is the very object the
    ``/media`` route serves from, so it cannot be replaced. Twice changes nothing."""
    if type(storage) is MemoryMediaFileStorage:
        ExpiringDownloads.start_expiring(storage, lifetime, clock)  # its state first: the class makes it live
        storage.__class__ = ExpiringDownloads


def _empty_metrics(stats_manager) -> None:
    """``/_stcore/metrics`` lists what the stats manager reports: make it report nothing."""
    stats_manager.registered_families = lambda: []
    stats_manager.get_stats = lambda family_names=None: {}


def install() -> None:
    """Harden the running server once; nothing to do without one (AppTest, a bare run)."""
    if not runtime.exists():
        return
    lifetime = float(download_seconds())  # a wrong setting fails every run, not just the first
    if not _installed.acquire(blocking=False):
        return
    server = runtime.get_instance()
    # The storage the /media route was built with (Streamlit's own routes reach it the same way).
    storage = server.media_file_mgr._storage
    if type(storage) is MemoryMediaFileStorage:
        expire_downloads(storage, lifetime)
    else:  # a host's own storage serves its files itself: its downloads are its business
        _log.warning("media storage %s is not Streamlit's own: downloads are not made to expire", type(storage).__name__)
    _empty_metrics(server.stats_mgr)

