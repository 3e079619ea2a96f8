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
* **A sign-in outlives a reload.** A Streamlit script can read cookies but not set them, and
  a cookie that page JavaScript sets cannot be HttpOnly. So the server gets two routes of its
  own (added to Streamlit's Starlette app, ahead of its catch-all static files):

  - ``GET /_session/start?ticket=T&next=/page?query`` trades a sign-in *ticket* for the
    session cookie ``antismuggling_session`` (HttpOnly, SameSite=Strict, Path=/, Secure over
    https) and answers 303 to ``next``, a path on this server (anything else goes to ``/``).
    The script mints the ticket at sign-in (:func:`issue_ticket`) for the session token the
    user store just made, and sends the browser there; a ticket is random, works once, for
    ``SESSION_TICKET_SECONDS`` (30), and lives only in this process's memory, so the token
    never appears in an address.
  - ``POST /_session/end`` clears the cookie (sign-out; the user store has ended the session
    already, so the cookie would open nothing anyway).

  Both refuse a request another site made (``Sec-Fetch-Site: cross-site`` or
  ``same-site``): nobody can sign a browser in to an account of theirs (login CSRF), or out.
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

from antismuggling.access.policy import SESSION_TICKET_SECONDS, download_seconds

_installed = threading.Lock()
_log = logging.getLogger(__name__)

SESSION_COOKIE = "antismuggling_session"
START_PATH = "_session/start"
END_PATH = "_session/end"
_ROUTES_ADDED = "_antismuggling_session_routes"  # marks a Starlette app that has them


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


class SessionTickets:
    """One-time tickets, each standing for a session token for ``lifetime`` seconds."""

    def __init__(self, lifetime: float = SESSION_TICKET_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._lifetime = lifetime
        self._clock = clock
        self._tickets: dict[str, tuple[str, float]] = {}  # ticket -> (token, clock time it is void)
        self._lock = threading.Lock()  # issued by script threads, redeemed on the event loop

    def issue(self, token: str) -> str:
        ticket = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._forget_void(now)
            self._tickets[ticket] = (token, now + self._lifetime)
        return ticket

    def redeem(self, ticket: str) -> str | None:
        """The token of ``ticket``, once; None for a used, void or made-up ticket."""
        now = self._clock()
        with self._lock:
            self._forget_void(now)
            token, _ = self._tickets.pop(ticket, (None, 0.0))
        return token

    def _forget_void(self, now: float) -> None:
        for ticket in [t for t, (_, until) in self._tickets.items() if now >= until]:
            del self._tickets[ticket]


_tickets = SessionTickets()
_session_routes = threading.Event()  # set once the running server has the routes


def session_cookies_available() -> bool:
    """Whether this server can set the session cookie (False in an AppTest or a bare run:
    a sign-in then lasts as long as the Streamlit session)."""
    return _session_routes.is_set()


def issue_ticket(token: str) -> str:
    return _tickets.issue(token)


def base_path() -> str:
    """The path the app is served under, '' or '/<server.baseUrlPath>'."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def safe_next(target: str | None, base: str = "") -> str:
    """``target`` when it is a path of this app on this server (one leading '/', under
    ``base``, no scheme or host, no backslash or control character), else the app's root."""
    from urllib.parse import urlsplit

    home = f"{base}/"
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (parts.path + "/").startswith(home):
        return home
    return target


def start_url(ticket: str, next_path: str) -> str:
    """Where the browser goes after a sign-in: the ticket is traded for the cookie there."""
    from urllib.parse import urlencode

    return f"{base_path()}/{START_PATH}?{urlencode({'ticket': ticket, 'next': next_path})}"


def end_url() -> str:
    return f"{base_path()}/{END_PATH}"


def _from_another_site(request) -> bool:
    """Fetch metadata says the request did not come from the dashboard's own page (browsers
    without it: trusted). ``none`` is refused too: a link opened from mail or chat carrying
    someone else's ticket would sign the reader in as that someone."""
    site = request.headers.get("sec-fetch-site", "").lower()
    return bool(site) and site != "same-origin"


def session_routes(tickets: SessionTickets, base: str = "") -> list:
    """The Starlette routes that set and clear the session cookie (see the module's notes)."""
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    def cookie_args(request) -> dict:
        return {"path": f"{base}/", "httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}

    async def start(request):
        if _from_another_site(request):
            return PlainTextResponse("Refused: this request came from another site.", status_code=403)
        response = RedirectResponse(safe_next(request.query_params.get("next"), base), status_code=303)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        token = tickets.redeem(request.query_params.get("ticket", ""))
        if token:  # else: no cookie, and the page asks to sign in
            response.set_cookie(SESSION_COOKIE, token, **cookie_args(request))
        return response

    async def end(request):
        if _from_another_site(request):
            return PlainTextResponse("Refused: this request came from another site.", status_code=403)
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.delete_cookie(SESSION_COOKIE, **cookie_args(request))
        return response

    return [
        Route(f"{base}/{START_PATH}", start, methods=["GET"]),
        Route(f"{base}/{END_PATH}", end, methods=["POST"]),
    ]


def add_session_routes(app, tickets: SessionTickets | None = None, base: str | None = None) -> bool:
    """Put the session routes at the head of a Starlette ``app``'s routes (its router reads
    the list on every request, so a running app takes them). Twice changes nothing; False
    when ``app`` is no Starlette app."""
    from starlette.applications import Starlette

    if not isinstance(app, Starlette):
        return False
    if not getattr(app.state, _ROUTES_ADDED, False):
        app.router.routes[0:0] = session_routes(tickets or _tickets, base_path() if base is None else base)
        setattr(app.state, _ROUTES_ADDED, True)
    return True


def _running_app():
    """Streamlit's Starlette app, reached through this session's WebSocket (Starlette puts
    itself in every connection's scope); None when there is none (AppTest, a bare run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    client = runtime.get_instance().get_client(ctx.session_id)
    websocket = getattr(client, "_websocket", None)
    scope = getattr(websocket, "scope", None)
    return scope.get("app") if isinstance(scope, dict) else None


def _install_session_routes() -> None:
    if _session_routes.is_set():
        return
    try:
        added = add_session_routes(_running_app())
    except Exception:  # noqa: BLE001 - a server we cannot extend still serves, without lasting sign-ins
        _log.exception("could not add the session cookie routes")
        added = False
    if added:
        _session_routes.set()


def _empty_metrics(stats_manager) -> None:
    """``/_stcore/metrics`` lists what the stats manager reports: make it report nothing."""
    stats_manager.registered_families = lambda: []
    stats_manager.get_stats = lambda family_names=None: {}


def install() -> None:
    """Harden the running server once; nothing to do without one (AppTest, a bare run)."""
    if not runtime.exists():
        return
    lifetime = float(download_seconds())  # a wrong setting fails every run, not just the first
    _install_session_routes()  # until it works: the first run may come before any WebSocket
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

