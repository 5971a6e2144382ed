"""Post dates: the forms Hexo posts use, parsed one way for every command.

Scraped posts carry a feed's RFC 2822 date (``Thu, 18 Aug 2022 19:08:00
GMT``), an ISO 8601 one, or Hexo's local ``YYYY-MM-DD HH:MM:SS``; YAML
itself turns unquoted timestamps into ``datetime`` or ``date`` objects.

The rule for time zones is simple: the result is *aware* exactly when the
written date names a zone or an offset (``GMT``, ``+0800``, ``Z``,
``+08:00``), and *naive* otherwise. A naive date means the site's local time,
which the post itself does not say.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

#: How far ahead a naive (local) date may be before it is surely in the
#: future: the largest offset from UTC any zone uses.
LOCAL_SLACK = timedelta(hours=14)

_RFC2822_START = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# ISO 8601 and Hexo's form: a date, optionally a time after ``T`` or a space.
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The form feeds write: "Thu, 18 Aug 2022 19:08:00 GMT" or with "+0800".
_RFC2822_COMMON = re.compile(
    r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})"
    r" (?:GMT|UTC?|([+-])(\d{2})(\d{2}))"
)


_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, 1)}
_WEEKDAY_NUMBERS = {name: number for number, name in enumerate(_WEEKDAYS)}


def _common_rfc2822(text: str) -> datetime | None:
    """The usual feed date read directly, or ``None`` for the general parser."""
    match = _RFC2822_COMMON.fullmatch(text)
    if match is None:
        return None
    day, month_name, year, hour, minute, second, sign, hours, minutes = match.groups()
    month = _MONTH_NUMBERS.get(month_name)
    if month is None:
        return None
    if sign == "-" and hours == minutes == "00":
        return None  # "-0000" means "zone unknown": left to the general parser
    try:
        zone = UTC
        if sign:
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            zone = timezone(-offset if sign == "-" else offset)
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second), 0, zone)
    except ValueError:  # the general parser says what is wrong
        return None


def _parse_rfc2822(text: str) -> datetime:
    """The standard library's RFC 2822 reading: naive for ``-0000`` (zone unknown)."""
    # Imported here: email.utils brings socket and random (~6 ms at start-up),
    # which only a date outside the common form needs.
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(text)


def _from_rfc2822(text: str) -> datetime:
    result = _common_rfc2822(text)
    if result is None:
        try:
            result = _parse_rfc2822(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a valid RFC 2822 date: {exc}") from None
    if result.tzinfo is None:  # "-0000": UTC, by RFC 2822's own reading
        result = result.replace(tzinfo=UTC)
    weekday = _WEEKDAY_NUMBERS.get(text[:3].lower())
    if weekday is not None and weekday != result.weekday():
        raise ValueError(
            f"the weekday {text[:3]!r} does not match the date (it was a {result.strftime('%A')})"
        )
    return result


def _from_iso(text: str) -> datetime:
    try:  # since Python 3.11 this reads "Z", "+0800" and "," fractions too
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a valid ISO 8601 date: {exc}") from None


def parse_date(value: object) -> datetime:
    """Read a front-matter date: text in a known form, or a YAML date/datetime.

    Raises :class:`ValueError` (with a message fit for users) for anything
    else. A ``date`` becomes midnight of that day, naive.
    """
    result = read_date(value)
    if isinstance(result, str):
        raise ValueError(result)
    return result


def read_date(value: object) -> datetime | str:
    """:func:`parse_date` without raising: the datetime, or why there is none."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return f"expected a date or text, not {type(value).__name__}"
    return _parse_text(value.strip())


# Errors are returned, not raised: callers that only ask whether a value is
# a date need no exception handling. Not cached: validate reads each date
# field of a post once, and posts rarely share a date.
def _parse_text(text: str) -> datetime | str:
    if not text:
        return "the date is empty"
    try:
        if _ISO.match(text):
            return _from_iso(text)
        if _RFC2822_START.match(text):
            return _from_rfc2822(text)
    except ValueError as exc:
        return str(exc)
    return (
        "not a date in a known form (RFC 2822 'Thu, 18 Aug 2022 19:08:00 GMT', "
        "ISO 8601 '2022-08-18T19:08:00Z' or '2022-08-18 19:08:00')"
    )


def iso_form(text: str) -> str | None:
    """``"date-time"`` for an ISO 8601 date and time (``T`` or a space between
    them; the offset may be absent: Hexo's local time), ``"date"`` for a day
    alone, when the day and time exist; else ``None``. What a JSON Schema's
    ``format`` checks, and what YAML timestamps become in the front matter's
    JSON view (:func:`articletool.post.frontmatter.json_safe`)."""
    if not _ISO.match(text) or isinstance(_parse_text(text), str):
        return None
    return "date-time" if len(text) > 10 else "date"


def is_future(when: datetime, now: datetime) -> bool:
    """Whether ``when`` is surely later than ``now`` (an aware datetime).

    A naive ``when`` is local time somewhere: it is in the future only when it
    is later than ``now`` in every time zone.
    """
    if now.tzinfo is None:  # a naive "now" is taken as UTC
        now = now.replace(tzinfo=UTC)
    if when.tzinfo is None:
        return when - LOCAL_SLACK > now.astimezone(UTC).replace(tzinfo=None)
    return when > now


def to_iso(when: datetime) -> str:
    """ISO 8601 text: ``Z`` for UTC, the offset for other aware times, none for naive."""
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
