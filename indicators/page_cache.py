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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

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
