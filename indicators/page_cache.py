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

`user_page_piece` keeps the few pieces that are one user's own and costly to build ("since your last visit") the
same way, with the user's id, roles and desks in the key, so a piece is only ever read back for the user it was
built for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from core.roles import user_desk_ids, user_roles
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
