"""The explorer's web server: the page (static files shipped in the package) and a JSON API over
one `Session` per browser tab. Starlette, served by uvicorn (`pip install '.[explore]'` in the
checkout).

Every /api request needs the random token of the printed URL (header `X-Token`, or `?token=`
in the URL of an export), as Jupyter does, so other local users and other web pages cannot drive it.
The server reads and writes no file: uploaded files and exports travel in the requests and answers themselves.
"""
from __future__ import annotations

import contextvars
import errno
import json
import math
import secrets
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chainrule.errors import ChainruleError

from ..escape import one_line
from . import limits
from .export import shared
from .session import Session
from .wording import for_page

STATIC = Path(__file__).parent / "static"
MAX_SESSIONS = 32
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                                      "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"}


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def create_app(token: str, make_session: Callable[[], Session] = Session) -> Starlette:
    """The explorer app. `make_session` opens a new tab's session (the seed network by default)."""
    sessions: OrderedDict[str, tuple[Session, threading.Lock]] = OrderedDict()
    guard = threading.Lock()

    def checked(request: Request) -> None:
        given = request.headers.get("x-token") or request.query_params.get("token") or ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise _Refused(403, "missing or wrong token: open the URL that `chainrule explore` printed")

    def lookup(sid: str) -> tuple[Session, threading.Lock]:
        with guard:
            if sid not in sessions:
                raise _Refused(404, "this page's session has ended (the server restarted or too many tabs): reload")
            sessions.move_to_end(sid)
            return sessions[sid]

    async def body(request: Request, cap: int) -> bytes:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > cap:
            raise _Refused(413, f"the request is {int(size) / 2**20:.1f} MiB; the limit is {cap / 2**20:g} MiB")
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > cap:
                raise _Refused(413, f"the request is larger than the limit of {cap / 2**20:g} MiB")
        return data

    async def json_body(request: Request) -> dict:
        raw = await body(request, limits.MAX_BODY)
        try:
            value = json.loads(raw or b"{}", parse_int=_integer, parse_float=_decimal)
        except RecursionError:
            raise _Refused(400, "the request body is nested too deeply") from None
        except ValueError:
            raise _Refused(400, "the request body is not JSON") from None
        if not isinstance(value, dict):
            raise _Refused(400, "the request body must be a JSON object")
        return value

    def answer(fn):
        """Turn refusals and the engine's errors into a JSON error the page shows."""
        async def endpoint(request: Request) -> Response:
            try:
                checked(request)
                return await fn(request)
            except _Refused as exc:
                return JSONResponse({"error": str(exc)}, exc.status, headers=HEADERS)
            except (ChainruleError, ValueError, TypeError) as exc:
                return await _error(request, exc, 400)
            except Exception as exc:  # noqa: BLE001  (a bug: the page says so, the server keeps serving)
                return await _error(request, exc, 500)
        return endpoint

    async def _error(request: Request, exc: Exception, status: int) -> Response:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if status == 500:
            msg = f"internal error ({type(exc).__name__}: {msg})"
        else:
            msg = for_page(msg)
        content: dict = {"error": msg}
        sid = request.path_params.get("sid") or ""
        if sid in sessions:   # the session is unchanged: send its state back with the error
            s, lock = sessions[sid]

            def state() -> dict:
                with lock:
                    return s.state()
            content["state"] = await run_in_threadpool(state)
        return JSONResponse(content, status, headers=HEADERS)

    async def new_session(request: Request) -> Response:
        req = await json_body(request)
        limits.unknown_fields("session", req, ["share"])
        share = req.get("share", "")
        if not isinstance(share, str):      # a request's error, not a broken link: refused, as other fields are
            got = limits.received(share)
            raise _Refused(400, f"share must be text (the part of a share link after #s=); got {got}")
        s = await run_in_threadpool(make_session)
        sid = secrets.token_hex(12)
        with guard:
            sessions[sid] = (s, threading.Lock())
            while len(sessions) > MAX_SESSIONS:
                sessions.popitem(last=False)
        content: dict = {"session": sid}
        if "share" in req:       # an empty one too: said, as a damaged one is
            try:
                await run_in_threadpool(s.act, "load_share", {"code": share})
            except (ChainruleError, ValueError, TypeError) as exc:
                content["error"] = for_page(f"the shared link could not be opened: {exc}")
        content["state"] = await run_in_threadpool(s.state)
        return JSONResponse(content, headers=HEADERS)

    async def act(request: Request) -> Response:
        s, lock = lookup(request.path_params["sid"])
        req = await json_body(request)
        action = request.path_params["action"]
        if action == "share":
            limits.unknown_fields("share", req, [])

        def run() -> dict:
            with lock:
                if action == "share":
                    code, note = shared(s)        # the note: what the link leaves out
                    return {"code": code, "note": note, "state": s.state()}
                return {"state": s.act(action, req)}
        return JSONResponse(await run_in_threadpool(run), headers=HEADERS)

    async def upload(request: Request) -> Response:
        s, lock = lookup(request.path_params["sid"])
        data = await body(request, limits.MAX_UPLOAD)
        name = request.query_params.get("name") or "upload.csv"
        target = request.query_params.get("target")

        def run() -> dict:
            with lock:
                columns = s.run("upload_csv", s.upload_csv, data, name, target)
                return {"columns": columns, "columns_shown": columns and [one_line(c) for c in columns],
                        "state": s.state()}
        return JSONResponse(await run_in_threadpool(run), headers=HEADERS)

    async def export(request: Request) -> Response:
        from . import export as ex
        s, lock = lookup(request.path_params["sid"])
        kind = request.path_params["kind"]
        if kind not in ("model.npz", "derivation.md"):
            raise _Refused(404, f"unknown export {kind!r}; exports are model.npz and derivation.md")

        def run() -> bytes:
            with lock:
                return ex.model_bytes(s) if kind == "model.npz" else ex.markdown(s).encode()
        data = await run_in_threadpool(run)
        media = "application/octet-stream" if kind == "model.npz" else "text/markdown; charset=utf-8"
        return Response(data, media_type=media, headers={
            **HEADERS, "Content-Disposition": f'attachment; filename="chainrule-{kind}"'})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    return Starlette(exception_handlers={HTTPException: _http_error}, routes=[
        Route("/", index),
        Route("/api/session", answer(new_session), methods=["POST"]),
        Route("/api/session/{sid}/upload", answer(upload), methods=["POST"]),
        Route("/api/session/{sid}/export/{kind}", answer(export), methods=["GET"]),
        Route("/api/session/{sid}/{action}", answer(act), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such address, a method it does not take): JSON under /api, as the API's others."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        return Response(exc.detail, exc.status_code, headers={**HEADERS, **(exc.headers or {})})
    allow = (exc.headers or {}).get("Allow")
    msg = (f"{request.url.path} takes {allow}; got {request.method}" if exc.status_code == 405 and allow
           else f"no API at {request.url.path} (the explorer's are /api/session and /api/session/ID/ACTION)"
           if exc.status_code == 404 else exc.detail)
    return JSONResponse({"error": msg}, exc.status_code, headers={**HEADERS, **(exc.headers or {})})


class _Sent(float):
    """A number of more digits than an integer is read with (301) or past a float's range (1e400): a float (infinite
    past 1e308), which every field's check refuses by name, quoted as sent (shortened), not as "inf"."""
    text: str

    def __repr__(self) -> str:
        t = self.text
        digits = sum(c.isdigit() for c in t)
        return t if len(t) <= 24 else f"{t[:12]}...{t[-6:]} ({digits:,} digits)"


def _sent(text: str) -> float:
    value = _Sent(text)
    value.text = text
    return value


def _integer(text: str) -> int | float:
    """A JSON integer; one of more digits than Python converts (4300) is read as the float it
    overflows to (infinity), which the field's own check then refuses by name, quoting it as sent."""
    return int(text) if len(text.lstrip("-")) <= 300 else _sent(text)


def _decimal(text: str) -> float:
    """A JSON number with a point or exponent; one past a float's range (1e400) quoted as sent, as a long integer."""
    value = float(text)
    return _sent(text) if math.isinf(value) else value


def address(host: str, port: int) -> str:
    """host:port as a URL writes it: an IPv6 address in brackets ([::1]:8765), so the port is not read as its part."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind(host: str, port: int, busy: str = "") -> socket.socket:
    """A listening socket (port 0: a free one), so that a busy port is a clear error up front; `busy`: what to do
    then, in the caller's words (the command line's --port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = None
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)        # refused too where the machine has no IPv6
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        if sock is not None:
            sock.close()
        why = {errno.EADDRINUSE: f"another program, perhaps another `chainrule explore`, listens on port {port}{busy}",
               errno.EADDRNOTAVAIL: f"{host} is not an address of this machine"}.get(exc.errno or 0)
        why = f" ({why})" if why else ""
        raise ChainruleError(f"cannot listen on {address(host, port)}: {exc.strerror or exc}{why}") from None
    sock.listen(64)
    return sock


class Server:
    """uvicorn serving `app` on `sock` in a background thread; `stop()` ends it (used by tests,
    the notebook and the command line alike)."""

    def __init__(self, app: Starlette, sock: socket.socket):
        import uvicorn
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        # in its starter's context: the command's server speaks its words (advice.words), a notebook's Python's
        self.thread = threading.Thread(target=contextvars.copy_context().run, args=(self.server.run,),
                                       kwargs={"sockets": [sock]}, daemon=True)

    def start(self, timeout: float = 10.0) -> Server:
        import time
        self.thread.start()
        end = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < end and self.thread.is_alive():
            time.sleep(0.02)
        if not self.server.started:
            raise ChainruleError("the explorer's server did not start")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()
