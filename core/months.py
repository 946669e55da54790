"""Calendar-month arithmetic, defined once: scores, rules and pages all count in whole months."""

from __future__ import annotations

import datetime as dt


def month_number(day: dt.date) -> int:
    """Months since January 1970 (0 = 1970-01): the integer month scores and rules compare."""
    return (day.year - 1970) * 12 + day.month - 1


def month_first_day(number: int) -> dt.date:
    """The first day of the month with this month number."""
    year, month = divmod(int(number), 12)
    return dt.date(1970 + year, month + 1, 1)


def month_add(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before, if negative) the month of `month`."""
    return month_first_day(month_number(month) + months)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later`; a month counts once its day of the month is reached."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (1 if later.day < earlier.day else 0)
