"""Reading the UN Framework of Analysis reference list: CSV rows in, validated records out (no ORM)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CRIME_GROUPS = ("common", "genocide", "crimes_against_humanity", "war_crimes")
WORDING_STATUSES = ("checked", "recalled", "uncertain")
REQUIRED_COLUMNS = ("code", "risk_factor", "risk_factor_name", "crime_group", "short_title", "wording_status")


class FrameworkFileError(ValueError):
    """The framework file is malformed; the message names the row and the column."""


@dataclass(frozen=True)
class IndicatorRecord:
    code: str
    risk_factor: int
    risk_factor_name: str
    crime_group: str
    short_title: str
    wording_status: str
    position: int


def framework_records_read(path: Path) -> list[IndicatorRecord]:
    """Parse the framework CSV, refusing the whole file on the first malformed row."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise FrameworkFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
        records: list[IndicatorRecord] = []
        seen: set[str] = set()
        factor_names: dict[int, tuple[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            code = row["code"].strip()
            try:
                factor = int(row["risk_factor"])
            except ValueError as exc:
                raise FrameworkFileError(
                    f"row {line}, column risk_factor: {row['risk_factor']!r} is not a number"
                ) from exc
            prefix, _, number = code.partition(".")
            if prefix != str(factor) or not number.isdigit():
                raise FrameworkFileError(f"row {line}, column code: {code!r} does not belong to risk factor {factor}")
            if code in seen:
                raise FrameworkFileError(f"row {line}, column code: {code!r} appears twice")
            if row["crime_group"] not in CRIME_GROUPS:
                raise FrameworkFileError(f"row {line}, column crime_group: unknown group {row['crime_group']!r}")
            if row["wording_status"] not in WORDING_STATUSES:
                raise FrameworkFileError(f"row {line}, column wording_status: unknown status {row['wording_status']!r}")
            name_and_group = (row["risk_factor_name"].strip(), row["crime_group"])
            if factor_names.setdefault(factor, name_and_group) != name_and_group:
                raise FrameworkFileError(f"row {line}: risk factor {factor} has a different name or crime group")
            seen.add(code)
            records.append(
                IndicatorRecord(
                    code=code,
                    risk_factor=factor,
                    risk_factor_name=name_and_group[0],
                    crime_group=row["crime_group"],
                    short_title=row["short_title"].strip(),
                    wording_status=row["wording_status"],
                    position=int(number),
                )
            )
    return records
