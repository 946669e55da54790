"""Reporting periods: a quarter ("2026-Q3") or a calendar year ("2026"). Pure: no ORM."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A reporting period, inclusive of its first and last day."""

    code: str
    start: dt.date
    end: dt.date

    @property
    def is_quarter(self) -> bool:
        return "-Q" in self.code

    @property
    def label(self) -> str:
        if self.is_quarter:
            year, quarter = self.code.split("-Q")
            return f"{_ORDINALS[int(quarter)]} quarter of {year} ({self.start:%-d %B} to {self.end:%-d %B %Y})"
        return f"the year {self.code}"

    @property
    def months(self) -> int:
        return 3 if self.is_quarter else 12

    @property
    def end_month(self) -> dt.date:
        """The first day of the period's last month: the month whose scores describe the period's end."""
        return self.end.replace(day=1)

    @property
    def month_before(self) -> dt.date:
        """The first day of the month before the period: its scores are the baseline for change over the period."""
        return (self.start - dt.timedelta(days=1)).replace(day=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


_ORDINALS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth"}


def period_parse(code: str) -> Period:
    """Read "2026-Q3" or "2026"; anything else is a ValidationError that says what is accepted."""
    code = (code or "").strip().upper()
    if match := _QUARTER.match(code):
        year, quarter = int(match.group(1)), int(match.group(2))
        start = dt.date(year, 3 * quarter - 2, 1)
        end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
        return Period(code=code, start=start, end=end)
    if match := _YEAR.match(code):
        year = int(match.group(1))
        return Period(code=code, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    raise ValidationError(f"A period is a quarter such as 2026-Q3 or a year such as 2026; got {code!r}.")


def quarter_before(day: dt.date) -> Period:
    """The last complete quarter before the day (on 1 October 2026: 2026-Q3)."""
    quarter = (day.month - 1) // 3 + 1
    year = day.year
    quarter -= 1
    if quarter == 0:
        year, quarter = year - 1, 4
    return period_parse(f"{year}-Q{quarter}")
