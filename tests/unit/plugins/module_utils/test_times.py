"""Times and durations as the modules take them: parsed to UTC, refused with one line naming the option."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.module_utils.times import (
    from_pagerduty, parse_duration, parse_time, to_pagerduty, window_end)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, expected", [
    ("2026-11-23T22:00:00+01:00", "2026-11-23T21:00:00Z"),
    ("2026-11-23T21:00:00Z", "2026-11-23T21:00:00Z"),
    ("2026-11-23 16:00:00-0500", "2026-11-23T21:00:00Z"),
    ("2026-11-23T21:00Z", "2026-11-23T21:00:00Z"),
    ("2026-11-23T21:00:00.9+00:00", "2026-11-23T21:00:00Z"),
    ("now", "2026-11-23T21:00:00Z"),
    (" NOW ", "2026-11-23T21:00:00Z"),
    (datetime.datetime(2026, 11, 23, 22, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
     "2026-11-23T21:00:00Z"),
])
def test_times_are_compared_in_utc(value, expected):
    assert to_pagerduty(parse_time(value, "start", NOW)) == expected


@pytest.mark.parametrize("value", ["2026-11-23T21:00:00", "tomorrow", "2026-13-01T00:00:00Z", "21:00Z", 1700000000])
def test_a_time_without_an_offset_or_not_a_time_is_refused_naming_the_option(value):
    with pytest.raises(PagerDutyInputError) as refused:
        parse_time(value, "end", NOW)
    assert str(refused.value).startswith("end must be now or an ISO 8601 date and time with its offset")


def test_not_given_is_none():
    assert parse_time(None, "start", NOW) is None and parse_time(" ", "start", NOW) is None
    assert parse_duration(None, "duration") is None and parse_duration("", "duration") is None


@pytest.mark.parametrize("value, minutes", [("30m", 30), ("2h", 120), ("1d", 1440), ("1h30m", 90), ("45", 45),
                                            (45, 45), ("2 h", 120), ("90min", 90)])
def test_durations(value, minutes):
    assert parse_duration(value, "duration") == datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize("value", ["0", 0, "-5", "2x", "h", True, "30s"])
def test_bad_durations(value):
    with pytest.raises(PagerDutyInputError, match="^duration must be at least a minute"):
        parse_duration(value, "duration")


def test_pagerduty_times_are_read_defensively():
    assert from_pagerduty("2026-11-23T22:00:00+01:00") == NOW
    assert from_pagerduty(None) is None and from_pagerduty(12) is None and from_pagerduty("soon") is None


def test_an_end_is_after_the_start():
    assert window_end(NOW, None, datetime.timedelta(minutes=5)) == NOW + datetime.timedelta(minutes=5)
    assert window_end(NOW, None, None) is None
    with pytest.raises(PagerDutyInputError, match="^end must be after the start, 2026-11-23T21:00:00Z"):
        window_end(NOW, NOW, None)
    with pytest.raises(PagerDutyInputError, match="mutually exclusive"):
        window_end(NOW, NOW, datetime.timedelta(minutes=5))
