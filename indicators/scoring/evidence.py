"""The evidence a score run reads: every assessment as a DataFrame for the core, with its scoring source.

A read, not a write (services.py writes the scores); kept apart because it chooses each database's fastest path.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Min
from pandas.api.types import union_categoricals

from indicators.demo import DEMO_IMPORT_SOURCE
from indicators.importers.duplicates import superseded_import_ids
from indicators.models import Assessment, DatasetImport, Indicator, Methodology
from indicators.scoring.core import ANALYST_SOURCE


def indicator_frame(methodology: Methodology) -> pd.DataFrame:
    rows = Indicator.objects.filter(framework__is_active=True, is_retired=False).values_list(
        "id", "risk_factor_id", "risk_factor__number"
    )
    return pd.DataFrame(list(rows), columns=["indicator_id", "risk_factor_id", "factor_number"])


def _where(country_ids: Sequence[int] | None, observed_from: dt.date | None) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if country_ids is not None:
        clauses.append(f"country_id IN ({', '.join(str(int(pk)) for pk in country_ids) or 'NULL'})")
    if observed_from is not None:
        clauses.append("observed_on >= %s")
        params.append(observed_from)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


READ_BATCH_ROWS = 200_000
ASSESSMENT_READ_COLUMNS = ["id", "country_id", "indicator_id", "observed_on", "severity", "confidence", "import_id"]
# Generic CSV uploads are analysts' own judgements (each row names its source in words): one source with the desk's;
# so are seed_demo's invented desk assessments, stored as one demonstration import.
ANALYST_IMPORT_SOURCES = ("csv", DEMO_IMPORT_SOURCE)


def assessment_sources(import_ids: np.ndarray) -> pd.Categorical:
    """The scoring source of each assessment from its dataset import id (0 = recorded by an analyst): the dataset's
    name, or "analyst" for hand-recorded and generic-CSV assessments. A small query: one row per import."""
    codes, uniques = pd.factorize(import_ids)
    by_import = dict(DatasetImport.objects.filter(pk__in=[int(pk) for pk in uniques if pk]).values_list("pk", "source"))
    names = [
        ANALYST_SOURCE
        if not pk or by_import.get(int(pk), ANALYST_SOURCE) in ANALYST_IMPORT_SOURCES
        else by_import[int(pk)]
        for pk in uniques
    ]
    name_codes, categories = pd.factorize(pd.Index(names, dtype=object), sort=True)
    return pd.Categorical.from_codes(name_codes[codes] if len(codes) else codes, categories=list(categories))


def _with_sources(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each row's scoring source, less the assessments of imports that a re-import of the same file
    under a newer mapping superseded (they stay recorded; the re-import says what the file means now)."""
    import_ids = frame["import_id"].to_numpy(dtype=np.int64)
    superseded = superseded_import_ids(np.unique(import_ids).tolist()) if len(import_ids) else set()
    if superseded:
        frame = frame[~np.isin(import_ids, list(superseded))].reset_index(drop=True)
    frame["source"] = assessment_sources(frame.pop("import_id").to_numpy(dtype=np.int64))
    return frame


def assessments_frame_read(*, country_ids: Sequence[int] | None = None, observed_from: dt.date | None = None):
    """Every assessment the scoring core needs, as a DataFrame, through the database's fastest read path.

    observed_on is returned as days since 1970-01-01 (int64), which the core accepts as it is.
    """
    table = Assessment._meta.db_table
    where, params = _where(country_ids, observed_from)
    if connection.vendor == "postgresql":
        if observed_from is not None:
            where = where.replace("%s", f"DATE '{observed_from.isoformat()}'")
        sql = (
            f"COPY (SELECT id, country_id, indicator_id, observed_on - DATE '1970-01-01', severity, confidence, "
            f"COALESCE(dataset_import_id, 0) FROM {table}{where}) TO STDOUT"
        )
        buffer = io.BytesIO()
        connection.ensure_connection()
        # Django's cursor wrapper does not see the raw cursor's COPY; wrap its errors in Django's own classes so that a
        # lost connection is the OperationalError the tasks retry on.
        with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        if buffer.getbuffer().nbytes == 0:
            return _empty_assessments()
        return _with_sources(
            pd.read_csv(
                buffer,
                sep="\t",
                header=None,
                names=ASSESSMENT_READ_COLUMNS,
                dtype={
                    "id": np.int64,
                    "country_id": np.int64,
                    "indicator_id": np.int64,
                    "observed_on": np.int64,
                    "severity": np.int8,
                    "confidence": "category",
                    "import_id": np.int64,
                },
                engine="c",
            )
        )
    day_expression = (
        "CAST(julianday(observed_on) - 2440587.5 AS INTEGER)" if connection.vendor == "sqlite" else "observed_on"
    )
    sql = (
        f"SELECT id, country_id, indicator_id, {day_expression}, severity, confidence, "
        f"COALESCE(dataset_import_id, 0) FROM {table}{where}"
    )
    # A batch of rows at a time: two million rows as Python tuples would need several times the frame's memory.
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(READ_BATCH_ROWS):
            part = pd.DataFrame.from_records(rows, columns=ASSESSMENT_READ_COLUMNS)
            part["confidence"] = part["confidence"].astype("category")
            parts.append(part)
    if not parts:
        return _empty_assessments()
    confidence = union_categoricals([part.pop("confidence") for part in parts])
    frame = pd.concat(parts, ignore_index=True)
    frame["confidence"] = confidence
    return _with_sources(frame)


def _empty_assessments() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=np.int64) for column in ASSESSMENT_READ_COLUMNS})
    return _with_sources(frame.astype({"confidence": object}))


def first_months(country_ids: Sequence[int] | None) -> dict[int, dt.date]:
    """Each country's first assessed month (over all its assessments, however old, less a superseded import's)."""
    queryset = Assessment.objects.not_superseded()
    if country_ids is not None:
        queryset = queryset.filter(country_id__in=country_ids)
    rows = queryset.order_by().values("country_id").annotate(first=Min("observed_on"))
    return {row["country_id"]: row["first"].replace(day=1) for row in rows}
