"""Score rows to the database through its fastest bulk path: one open COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

# Rows formatted and sent at a time when a whole frame is written at once (the benchmark's I/O floor, country scores).
WRITE_BATCH_ROWS = 50_000


def _rows_prepared(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("month", "latest_evidence_on"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    return frame


def _insert_rows(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """Append rows with executemany (SQLite and other databases)."""
    values = frame.loc[:, list(columns)]
    values = values.astype(object).where(values.notna(), None)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            list(values.itertuples(index=False, name=None)),
        )


@contextmanager
def score_rows_writer(table: str, columns: Sequence[str]) -> Iterator[Callable[[pd.DataFrame], None]]:
    """Within the block, a function that appends score rows to `table` through the database's fastest bulk path.

    On PostgreSQL one COPY (text format) stays open for the whole block and a worker thread sends the rows while the
    caller goes on computing; the connection must not be used for anything else inside the block.
    """
    if connection.vendor != "postgresql":
        yield lambda frame: None if frame.empty else _insert_rows(table, columns, _rows_prepared(frame))
        return
    connection.ensure_connection()
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with (
        connection.wrap_database_errors,  # as in assessments_frame_read: Django's error classes, so tasks retry
        connection.cursor() as cursor,
        cursor.cursor.copy(statement, writer=QueuedLibpqWriter(cursor.cursor)) as copy,
    ):

        def write(frame: pd.DataFrame) -> None:
            if not frame.empty:
                rows = _rows_prepared(frame)
                copy.write(rows.to_csv(sep="\t", header=False, index=False, na_rep="\\N", columns=list(columns)))

        yield write


def score_rows_write(table: str, columns: Sequence[str], frame: pd.DataFrame) -> None:
    """Write a frame of score rows through the database's fastest bulk path (COPY on PostgreSQL)."""
    with score_rows_writer(table, columns) as write:
        for begin in range(0, len(frame), WRITE_BATCH_ROWS):
            write(frame.iloc[begin : begin + WRITE_BATCH_ROWS])
