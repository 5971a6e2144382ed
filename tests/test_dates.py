"""Dates in the forms posts use, and the future check."""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articletool.post.dates import is_future, parse_date, read_date, to_iso
from articletool.validate.yamlnodes import describe

EIGHT = timezone(timedelta(hours=8))
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Aug", "Dec")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 18 Aug 2022 19:08:00 GMT", datetime(2022, 8, 18, 19, 8, tzinfo=UTC)),
        ("18 Aug 2022 19:08:00 +0800", datetime(2022, 8, 18, 19, 8, tzinfo=EIGHT)),
        ("Thu, 18 Aug 2022 19:08:00 -0000", datetime(2022, 8, 18, 19, 8, tzinfo=UTC)),
        ("2022-08-18T19:08:00Z", datetime(2022, 8, 18, 19, 8, tzinfo=UTC)),
        ("2022-08-18T19:08:00+08:00", datetime(2022, 8, 18, 19, 8, tzinfo=EIGHT)),
        ("2022-08-18T19:08:00+0800", datetime(2022, 8, 18, 19, 8, tzinfo=EIGHT)),
        ("2022-08-18T19:08:00.250Z", datetime(2022, 8, 18, 19, 8, 0, 250000, tzinfo=UTC)),
        ("2022-08-18 19:08:00", datetime(2022, 8, 18, 19, 8)),
        ("2022-08-18 19:08", datetime(2022, 8, 18, 19, 8)),
        ("2022-08-18", datetime(2022, 8, 18)),
        ("  2022-08-18 19:08:00  ", datetime(2022, 8, 18, 19, 8)),
    ],
)
def test_parse_date_text_forms(text: str, expected: datetime) -> None:
    result = parse_date(text)
    assert result == expected
    assert (result.tzinfo is None) == (expected.tzinfo is None)


def test_parse_date_yaml_objects() -> None:
    aware = datetime(2022, 8, 18, 19, 8, tzinfo=UTC)
    assert parse_date(aware) is aware
    assert parse_date(date(2022, 8, 18)) == datetime(2022, 8, 18)
    assert parse_date(date(2022, 8, 18)).tzinfo is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("Thu, 32 Aug 2022 19:08:00 GMT", "RFC 2822"),
        ("Fri, 18 Aug 2022 19:08:00 GMT", "weekday"),
        ("2022-13-01 10:00:00", "ISO 8601"),
        ("2022-02-30", "ISO 8601"),
        ("yesterday", "known form"),
        ("18/08/2022", "known form"),
        ("", "empty"),
        (2022, "not int"),
        (True, "not bool"),
        (None, "not NoneType"),
        (["2022-08-18"], "not list"),
    ],
)
def test_parse_date_refuses(value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_date(value)


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_future_aware() -> None:
    assert is_future(NOW + timedelta(minutes=1), NOW)
    assert not is_future(NOW, NOW)
    assert not is_future(NOW - timedelta(days=1), NOW)


def test_future_naive_allows_any_time_zone() -> None:
    local = NOW.replace(tzinfo=None)
    assert not is_future(local + timedelta(hours=13), NOW)  # somewhere east of UTC
    assert is_future(local + timedelta(hours=15), NOW)


def test_to_iso() -> None:
    assert to_iso(datetime(2022, 8, 18, 19, 8, tzinfo=UTC)) == "2022-08-18T19:08:00Z"
    assert to_iso(datetime(2022, 8, 18, 19, 8, tzinfo=EIGHT)) == "2022-08-18T19:08:00+08:00"
    assert to_iso(datetime(2022, 8, 18, 19, 8)) == "2022-08-18T19:08:00"


def test_describe() -> None:
    assert describe(600) == "the integer 600"
    assert describe(False) == "the boolean false"
    assert describe(1000.0) == "the number 1000.0"
    assert describe(date(2022, 1, 1)) == "the date 2022-01-01"
    assert describe({"a": 1}) == "a mapping"


@given(st.text(max_size=60))
def test_parse_date_only_raises_value_error(text: str) -> None:
    try:
        result = parse_date(text)
    except ValueError:
        return
    assert isinstance(result, datetime)


@given(st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)))
def test_rfc2822_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=0)
    text = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_date(text) == when


_ZONES = ("GMT", "UT", "UTC", "EST", "PDT", "Z", "+0800", "-0000", "+0000", "-0530", "+2400", "XYZ")


def test_rfc2822_four_digit_year_below_100() -> None:
    # email.utils takes any year below 100 for a two-digit one (0001 -> 2001);
    # the common form is read as written, and always was.
    assert parse_date("1 Jan 0001 00:00:00 GMT") == datetime(1, 1, 1, tzinfo=UTC)
    assert parse_date("1 Jan 01 00:00:00 GMT") == datetime(2001, 1, 1, tzinfo=UTC)


_RFC2822_TEXT = st.builds(
    "{}{} {} {} {}:{}:{} {}".format,
    st.sampled_from(("", "Mon, ", "Thu, ", "Sun,")),
    st.integers(0, 33),
    st.sampled_from((*_MONTH_NAMES, "Foo", "aug")),
    st.sampled_from(("1999", "2022", "99", "0100", "22", "10000")),
    st.sampled_from(("00", "09", "23", "24", "7")),
    st.sampled_from(("00", "08", "59", "60")),
    st.sampled_from(("00", "30", "59", "61")),
    st.sampled_from(_ZONES),
)


@given(_RFC2822_TEXT)
def test_rfc2822_reads_as_email_utils(text: str) -> None:
    """Every RFC 2822 date, common form or not, reads as the standard
    library's ``parsedate_to_datetime`` reads it (``-0000`` taken as UTC),
    and one it refuses is refused; apart from a weekday that does not match.
    (A four-digit year below 100 is the one difference, see below.)"""
    try:
        expected: datetime | None = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        expected = None
    if expected is not None and expected.tzinfo is None:
        expected = expected.replace(tzinfo=UTC)
    result = read_date(text)
    if expected is None:
        assert isinstance(result, str)
    elif isinstance(result, str):
        assert "weekday" in result
    else:
        assert result == expected
        assert result.utcoffset() == expected.utcoffset()


@given(st.datetimes(min_value=datetime(1900, 1, 1)))
def test_iso_round_trip(when: datetime) -> None:
    assert parse_date(when.isoformat()) == when
    assert parse_date(when.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")) == when.replace(
        microsecond=0
    )


def test_naive_now_is_taken_as_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert is_future(NOW + timedelta(minutes=1), naive_now)
    assert not is_future(NOW - timedelta(minutes=1), naive_now)
