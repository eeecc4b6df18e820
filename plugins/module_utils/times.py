# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times and durations as the modules take them, and PagerDuty's date-times, all compared in UTC.

A time is ``now`` or an ISO 8601 date and time with its offset (``2026-11-23T22:00:00+01:00``,
``2026-11-23T21:00:00Z``); a time without an offset is refused, since it would mean a different moment on every
controller.  A duration is ``30m``, ``2h``, ``1d``, ``1h30m`` or a number of minutes.  Bad values fail with one
line naming the option, before any request.  Times are sent to PagerDuty in UTC, to the second.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyInputError

UTC = datetime.timezone.utc
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
                   r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))$")
_DURATION = re.compile(r"^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")
EXAMPLE_TIME = "2026-11-23T22:00:00+01:00"


def utc_now():
    """The current time in UTC, to the second."""
    return datetime.datetime.now(UTC).replace(microsecond=0)


def parse_iso(text):
    """The aware datetime (in UTC) of an ISO 8601 date-time with an offset, or None when ``text`` is not one."""
    found = _TIME.match(text.strip()) if isinstance(text, str) else None
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = found.groups()
    try:
        offset = datetime.timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                                   int(((fraction or "") + "000000")[:6]),
                                   datetime.timezone(-offset if sign == "-" else offset))
    except ValueError:
        return None
    return moment.astimezone(UTC)


def parse_time(value, parameter, now):
    """The moment ``value`` stands for (``now``: ``now``), in UTC; None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, str) and value.strip().lower() == "now":
        return now
    moment = parse_iso(value) if isinstance(value, str) else None
    if moment is None:
        raise PagerDutyInputError("%s must be now or an ISO 8601 date and time with its offset, such as %s or "
                                  "2026-11-23T21:00:00Z; got %r" % (parameter, EXAMPLE_TIME, value))
    return moment


def parse_duration(value, parameter):
    """The duration ``value`` stands for: ``30m``, ``2h``, ``1d``, ``1h30m`` or a number of minutes; None when not
    given.  It must be at least a minute."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    minutes = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        minutes = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if re.match(r"^\d+(\.\d+)?$", text):
            minutes = float(text)
        else:
            found = _DURATION.match(text)
            if found and any(found.groups()):
                days, hours, mins = (int(part or 0) for part in found.groups())
                minutes = days * 1440 + hours * 60 + mins
    if minutes is None or minutes < 1:
        raise PagerDutyInputError("%s must be at least a minute, as 30m, 2h, 1d, 1h30m or a number of minutes; got "
                                  "%r" % (parameter, value))
    return datetime.timedelta(minutes=minutes)


def to_pagerduty(moment):
    """A moment as PagerDuty's date-time, in UTC: ``2026-11-23T21:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_pagerduty(value):
    """A date-time PagerDuty sent, in UTC; None when it sent none (or not a date-time)."""
    return parse_iso(value) if isinstance(value, str) else None


def window_end(start, end, duration, end_name="end", duration_name="duration"):
    """The end of a period from ``start`` and ``end`` or ``duration``; refused when not after ``start``."""
    if end is not None and duration is not None:
        raise PagerDutyInputError("%s and %s are mutually exclusive: give one" % (end_name, duration_name))
    finish = end if end is not None else (start + duration if duration is not None else None)
    if finish is not None and start is not None and finish <= start:
        raise PagerDutyInputError("%s must be after the start, %s; got %s" % (
            end_name, to_pagerduty(start), to_pagerduty(finish)))
    return finish
