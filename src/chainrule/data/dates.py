"""A text column of dates: each date a category of its own, which a network cannot place between the ones it saw.
Told by one rule a user can predict (`is_date`), stricter than pandas' parser, which reads 10.15.20 too."""
from __future__ import annotations

import re
from typing import Any

#: a date or a time stamp as files write them: 2020-01-31, 2020-01-31 12:00:00, 31/01/2020, 1/31/20, 31.01.2020,
#: 1.2.20 (its month and day the two groups `is_date` checks). With dots, day.month.year, as the countries that
#: write dates with dots write them (pandas' own guess, month first, is ambiguous there: 10.15.20 is no date here)
DATE = (r"[12]\d{3}-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
        r"|(\d{1,2})/(\d{1,2})/(?:\d{2}|[12]\d{3})|(\d{1,2})\.(\d{1,2})\.(?:\d{2}|[12]\d{3})")


def is_date(text: Any) -> bool:
    """Whether `text` is a date as `DATE` writes them, with a month of 1 to 12 and a day of 1 to 31: with slashes
    day and month either way round, with dots day first (10.15.20 is a version or a code, 15.10.20 and 1.2.20
    dates), 2020-01-31 year first; 13/13/2020 and 1.2.3 no date."""
    found = re.fullmatch(DATE, text.strip()) if isinstance(text, str) else None
    if found is None:
        return False
    first, second = (int(g) for g in found.groups() if g is not None)
    month, day = ((first, second) if found[1] is not None else (second, first) if found[5] is not None
                  else sorted((first, second)))
    return 1 <= month <= 12 and 1 <= day <= 31


def all_dates(values: Any) -> bool:
    """Whether every one of `values` (a column's distinct text values) is a date (`is_date`): a column is said to
    hold dates by one rule, whether its dates repeat or not."""
    values = [str(v) for v in values]
    return bool(values) and all(is_date(v) for v in values)


#: what to do with a column of dates, one date a row (warn_id) or repeated (warn_dates)
DATES_OUT = "turn the dates into numbers before training (days since a start, month, weekday), or leave it out with "
