"""The pure parts of pd_schedule_override: the overrides asked for, which existing ones are the same, the plan."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError, PagerDutyInputError
from ansible_collections.oncall.pagerduty.plugins.modules import pd_schedule_override as so

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 21, 0, tzinfo=UTC)


def params(**given):
    base = dict(schedule="PSCHCHK", state="present", overrides=None, user=None, start=None, end=None, duration=None)
    base.update(given)
    return base


def wanted(**given):
    found = so.wanted_overrides(params(**given), NOW)
    for override in found:
        override.user_id = {"grace@example.com": "PGRACE1"}.get(override.user, override.user)
    return found


def existing(start, end, user="PGRACE1", override_id="Q1"):
    return {"id": override_id, "start": start, "end": end, "user": {"id": user, "summary": "Grace Hopper"}}


@pytest.mark.parametrize("given, message", [
    ({}, "give user (with start and end or duration), or overrides"),
    ({"user": "PGRACE1"}, "end or duration is required"),
    ({"user": "PGRACE1", "end": "2026-11-23T20:00:00Z", "start": "2026-11-23T19:00:00Z"}, "end must be in the future"),
    ({"overrides": []}, "overrides must list at least one override"),
    ({"overrides": [{"user": "PGRACE1", "duration": "1h"}, {"user": " ", "duration": "1h"}]},
     "overrides[1].user is required"),
    ({"overrides": [{"user": "PGRACE1", "start": "2026-11-24T00:00:00Z", "end": "2026-11-23T23:00:00Z"}]},
     "overrides[0].end must be after the start"),
    ({"overrides": [{"user": "PGRACE1", "duration": "soon"}]}, "overrides[0].duration must be at least a minute"),
])
def test_bad_overrides_are_refused_before_any_request(given, message):
    with pytest.raises(PagerDutyInputError) as refused:
        so.wanted_overrides(params(**given), NOW)
    assert str(refused.value).startswith(message)


def test_an_override_that_has_ended_is_left_alone_when_absent():
    ended = so.wanted_overrides(params(user="PGRACE1", start="2026-11-23T19:00:00Z", end="2026-11-23T20:00:00Z",
                                       state="absent"), NOW)
    assert ended[0].ended is True
    ended[0].user_id = "PGRACE1"
    past = existing("2026-11-23T19:00:00Z", "2026-11-23T20:00:00Z")
    assert so.plan(ended, [past], NOW, "absent") == ([], [], []), "nothing removed, nothing created"


def test_the_same_user_start_and_end_is_the_same_override():
    override = wanted(user="grace@example.com", start="2026-11-28T18:00:00+01:00", end="2026-11-30T09:00:00+01:00")[0]
    assert override.matches(existing("2026-11-28T17:00:00Z", "2026-11-30T08:00:00Z"), NOW), "compared in UTC"
    assert not override.matches(existing("2026-11-28T17:00:00Z", "2026-11-30T08:00:01Z"), NOW)
    assert not override.matches(existing("2026-11-28T17:00:00Z", "2026-11-30T08:00:00Z", user="PLINUS1"), NOW)
    assert not override.matches({"start": "junk", "user": "PGRACE1"}, NOW)


def test_from_now_the_override_in_effect_with_the_same_length_or_end_is_the_same():
    two_hours = wanted(user="PGRACE1", duration="2h")[0]
    assert two_hours.matches(existing("2026-11-23T20:30:00Z", "2026-11-23T22:30:00Z"), NOW), "started earlier"
    assert not two_hours.matches(existing("2026-11-23T20:30:00Z", "2026-11-23T22:00:00Z"), NOW)
    assert not two_hours.matches(existing("2026-11-23T21:30:00Z", "2026-11-23T23:30:00Z"), NOW), "not in effect"
    until = wanted(user="PGRACE1", end="2026-11-24T06:00:00Z")[0]
    assert until.matches(existing("2026-11-23T20:00:00Z", "2026-11-24T06:00:00Z"), NOW)


def test_the_plan_creates_what_is_missing_and_removes_only_what_matches():
    asked = wanted(overrides=[{"user": "PGRACE1", "start": "2026-11-24T00:00:00Z", "duration": "1d"},
                              {"user": "PGRACE1", "start": "2026-11-25T00:00:00Z", "duration": "1d"}])
    there = [existing("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"),
             existing("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z", override_id="Q2")]
    missing, removing, kept = so.plan(asked, there, NOW, "present")
    assert [o.shown()["start"] for o in missing] == ["2026-11-25T00:00:00Z"] and kept == there[:1] and removing == []
    missing, removing, kept = so.plan(asked, there, NOW, "absent")
    assert (missing, [o["id"] for o in removing], kept) == ([], ["Q1"], [])
    assert asked[1].body() == {"start": "2026-11-25T00:00:00Z", "end": "2026-11-26T00:00:00Z",
                               "user": {"id": "PGRACE1", "type": "user_reference"}}


def test_overrides_pagerduty_refused_are_named():
    asked = wanted(overrides=[{"user": "PGRACE1", "start": "2026-11-24T00:00:00Z", "duration": "1d"},
                              {"user": "PKEN", "start": "2026-11-25T00:00:00Z", "duration": "1d"}])
    created = so.created_overrides([{"status": 201, "override": {"id": "Q9"}},
                                    {"status": 201, "override": {"id": "Q8"}}], asked)
    assert [o["id"] for o in created] == ["Q9", "Q8"]
    with pytest.raises(PagerDutyError) as refused:
        so.created_overrides([{"status": 201, "override": {"id": "Q9"}},
                              {"status": 400, "errors": ["User not found"]}], asked)
    assert str(refused.value) == ("PagerDuty did not create 1 of 2 override(s): PKEN from 2026-11-25T00:00:00Z to "
                                  "2026-11-26T00:00:00Z (User not found)")
    with pytest.raises(PagerDutyError, match="did not create 2 of 2 override"):
        so.created_overrides([], asked)
