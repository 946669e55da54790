"""Pieces of pages built only from data, kept in the cache under the data version (indicators.data_version).

The overview's ranking, map and filters and the country page's figures and tables are the same for everyone who
asks with the same filters, and change only when the data version does; building them is most of a page's time.
A piece is keyed on the version, the code release and everything else it is built from (filters, country, the
asker's desks where "my desks" applies, today's date), so a new assessment, score run, methodology, alert or
escalation change, forecast model or administrator's edit makes every piece stale at once, in every process.

A piece holds no one's private content: what differs between users (their role's buttons, desk, notifications,
drafts, the header, CSRF tokens, messages, "since your last visit") is rendered around the pieces on every request,
and so are the panels, banners and buttons that other apps contribute through core.extensions, which take the
request. The overview's column, annotation and flag slots take only country ids, so their values are data: apps
that fill them must register the tables those values come from with `data_version_source_register`.

`session_page_response` keeps a whole page, rendered, for one signed-in session: with the pieces kept, rendering the
page around them (header, navigation, buttons, panels) and compressing it was most of what a cached page still cost.
It is keyed on everything that page is built from: the data version, the session, the user's name, roles and desks
as the request holds them, the generations of the per-user values every page shows (core.user_cache: identity and
unread counts) and the page's own parts (its path and canonical query, today's date, "since your last visit"). The
CSRF secret its forms carry a token for is kept with it and must match the request's, so one session keeps one copy of
a page whatever cookies it makes up. A page with a message to show, or asked without a CSRF cookie Django accepts,
is built every time, and pages are kept only with a cache every process shares (as per-user values are).

`user_page_piece` keeps the few pieces that are one user's own and costly to build ("since your last visit") the
same way, with the user's id, roles and desks in the key, so a piece is only ever read back for the user it was
built for.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

from core.roles import user_desk_ids, user_roles
from core.user_cache import page_scope_generations, user_values_cached
from indicators.data_version import request_data_version

# Freshness comes from the version in the key; the timeout only bounds how long unused pieces take up memory.
PIECE_SECONDS = 6 * 3600


def page_piece(
    request, name: str, *parts: object, build: Callable[[], Any], keep: Callable[[Any], bool] = lambda piece: True
) -> Any:
    """The piece `name` built from this data version and `parts` (any printable values, hashed into the key): from
    the cache when another request built it already, else built now, and kept when `keep(piece)` says so (pieces
    built from a query the page refuses are not, so made-up queries cannot fill the cache)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = request_data_version(request).key("page", name, digest)
    piece = cache.get(key)
    if piece is None:
        piece = build()
        if keep(piece):
            cache.set(key, piece, timeout=PIECE_SECONDS)
    return piece


# A user's own pieces serve one visit (their "since your last visit" moves with each visit).
USER_PIECE_SECONDS = 30 * 60


def user_page_piece(request, name: str, *parts: object, build: Callable[[], Any]) -> Any:
    """A piece of one user's own page (what is new in their scope since their previous visit, say), kept under
    the data version like page_piece but keyed on who asks: their id, roles and desks, so it is only ever read back
    for them and changes with their scope."""
    user = request.user
    digest = hashlib.sha256(
        repr((user.pk, sorted(user_roles(user)), sorted(user_desk_ids(user)), parts)).encode()
    ).hexdigest()[:32]
    key = request_data_version(request).key("user-page", name, digest)
    piece = cache.get(key)
    if piece is None:
        piece = build()
        cache.set(key, piece, timeout=USER_PIECE_SECONDS)
    return piece


# A session's pages serve its visit; freshness comes from the key, the timeout only bounds memory.
SESSION_PAGE_SECONDS = 30 * 60
# As GZipMiddleware pads what it compresses (BREACH), so are kept pages, once each.
PAGE_GZIP_RANDOM_BYTES = GZipMiddleware.max_random_bytes


def session_page_response(request, name: str, *parts: object, build: Callable[[], HttpResponse], query: str | None):
    """The page `name` of this session built from this data version and `parts`: the kept copy when this session
    asked for the same page since anything it shows changed, else built now and kept. `query` is the request's
    query in one canonical spelling (sorted, every parameter known and once), or None for a query whose page is
    never kept: each spelling a client can make up would otherwise keep a page of its own."""
    key = _session_page_key(request, name, query, parts) if query is not None else None
    csrf_digest = _csrf_digest(request)
    kept = cache.get(key) if key and csrf_digest else None
    if kept is not None and kept[0] == csrf_digest:
        return _page_sent(request, kept[1], kept[2])
    response = build()
    if not key or not csrf_digest or response.status_code != 200 or response.streaming or len(get_messages(request)):
        return response
    # One copy per session and page: a page kept for another CSRF cookie of this session is replaced, not added to.
    kept = (
        csrf_digest,
        response["Content-Type"],
        compress_string(response.content, max_random_bytes=PAGE_GZIP_RANDOM_BYTES),
    )
    cache.set(key, kept, timeout=SESSION_PAGE_SECONDS)
    return _page_sent(request, kept[1], kept[2])


def _csrf_digest(request) -> str | None:
    """A digest of the CSRF secret the page's forms carry a token for, when the request's cookie holds one Django
    accepted as it is (a refused or missing cookie is replaced in the answer, so a token made now would not match the
    next request's cookie)."""
    cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not cookie or request.META.get("CSRF_COOKIE") != cookie:
        return None
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


def _session_page_key(request, name: str, query: str, parts: tuple) -> str | None:
    """None when the page must be built for this request alone: no shared cache, no session, or a message waiting
    to be shown (a page shows it once). The key names what the header and buttons were built from as this request
    holds it (a role changed while the page is built must not be kept under the newer generation)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not user_values_cached() or not session_key or len(get_messages(request)):
        return None
    user = request.user
    who = (
        user.pk,
        user.get_username(),
        user.get_full_name(),
        user.is_superuser,
        sorted(user_roles(user)),
        sorted(user_desk_ids(user)),
        session_key,
        page_scope_generations(),
    )
    digest = hashlib.sha256(repr((who, request.path, query, parts)).encode()).hexdigest()[:40]
    return request_data_version(request).key("session-page", name, digest)


def _page_sent(request, content_type: str, compressed: bytes) -> HttpResponse:
    """The kept page, compressed for a client that accepts gzip (GZipMiddleware leaves it as it is)."""
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=content_type)
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    return response
