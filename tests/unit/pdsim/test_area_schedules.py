"""The schedules area on its own: layers, rotations, overrides and who is on call, on a directory, no HTTP."""

import datetime

import pytest

from pdsim.errors import ArgumentsCausedError, InvalidInput, NotFound
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory
from pdsim.model.schedules import Schedules
from pdsim.model.services import Services

UTC = datetime.timezone.utc
MONDAY = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SEED = {
    "users": [{"id": "PANN001", "name": "Ann", "email": "ann@example.com"},
              {"id": "PBEN001", "name": "Ben", "email": "ben@example.com"},
              {"id": "PCAT001", "name": "Cat", "email": "cat@example.com"},
              {"id": "PSTAKE1", "name": "Stake", "email": "stake@example.com", "role": "read_only_user"}],
    "schedules": [
        {"id": "PSCHWK1", "name": "Weekly", "layers": [
            {"id": "PLAYWK1", "rotation": "weekly", "start": "2026-11-23T09:00:00Z", "users": ["PANN001", "PBEN001"]}]},
        {"id": "PSCHDY1", "name": "Days and nights", "layers": [
            {"id": "PLAYDY1", "rotation": "daily", "start": "2026-11-23T09:00:00Z",
             "users": ["ann@example.com", "ben@example.com", "cat@example.com"]},
            # the later layer wins where both have someone: Cat from Wednesday 09:00 to Thursday 09:00 only
            {"id": "PLAYDY2", "rotation_turn_length_seconds": 86400, "start": "2026-11-25T09:00:00Z",
             "end": "2026-11-26T09:00:00Z", "users": ["cat@example.com"]}]},
    ],
    "escalation_policies": [{"id": "PPOL001", "name": "Web", "rules": [
        {"targets": [{"schedule": "Weekly"}]}, {"targets": ["cat@example.com", {"schedule": "PSCHDY1"}]}]}],
}


def build(now=MONDAY):
    clock = [now]
    plumbing = Plumbing(now=lambda: clock[0])
    directory = Directory(plumbing, set(), "Etc/UTC")
    schedules = Schedules(plumbing, directory)
    services = Services(plumbing, directory, schedules)
    directory.load(SEED)
    schedules.load(SEED)
    services.load(SEED)
    return plumbing, schedules, services


def at(days=0, hours=0):
    return MONDAY + datetime.timedelta(days=days, hours=hours)


def who(schedules, schedule_id, moment):
    user = schedules.on_call(schedules.schedule(schedule_id), moment)
    return user["id"] if user else None


def test_a_weekly_rotation_hands_over_every_week():
    plumbing, schedules, services = build()
    assert [who(schedules, "PSCHWK1", at(days=d)) for d in (0, 6, 7, 13, 14)] == [
        "PANN001", "PANN001", "PBEN001", "PBEN001", "PANN001"]
    assert who(schedules, "PSCHWK1", at(hours=-1)) is None, "nobody before the layer starts"


def test_a_daily_rotation_and_a_later_layer_that_takes_precedence():
    plumbing, schedules, services = build()
    assert [who(schedules, "PSCHDY1", at(days=d, hours=1)) for d in range(5)] == [
        "PANN001", "PBEN001", "PCAT001", "PANN001", "PBEN001"]
    segments = schedules.final_segments(schedules.schedule("PSCHDY1"), at(days=1), at(days=3))
    assert [(u, s.day, e.day) for u, s, e in segments] == [("PBEN001", 24, 25), ("PCAT001", 25, 26)]


def test_overrides_beat_every_layer_and_the_last_created_wins():
    plumbing, schedules, services = build()
    results = schedules.create_overrides("PSCHWK1", [
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-26T00:00:00Z", "user": {"id": "PCAT001"}},
        {"start": "2026-11-25T00:00:00Z", "end": "2026-11-25T12:00:00Z", "user": {"id": "PBEN001"}}])
    assert [status for status, unused, unused2 in results] == [201, 201]
    assert [who(schedules, "PSCHWK1", at(days=d, hours=h)) for d, h in ((0, 1), (1, 0), (2, 0), (2, 6), (3, 0))] == [
        "PANN001", "PCAT001", "PBEN001", "PCAT001", "PANN001"]


def test_override_refusals_are_per_override():
    plumbing, schedules, services = build()
    results = schedules.create_overrides("PSCHWK1", [
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-23T00:00:00Z", "user": {"id": "PCAT001"}},
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z", "user": {"id": "PNOPE01"}},
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z", "user": {"id": "PSTAKE1"}},
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z", "user": {"id": "PCAT001"}}])
    assert [status for status, unused, unused2 in results] == [400, 400, 400, 201]
    assert "end must be after its start" in results[0][2][0] and "stakeholder" in results[2][2][0]
    with pytest.raises(InvalidInput):
        schedules.create_overrides("PSCHWK1", [])
    with pytest.raises(NotFound):
        schedules.create_overrides("PNOPE01", [{}])


def test_overrides_are_listed_cut_at_the_range_unless_overflow():
    plumbing, schedules, services = build()
    schedules.create_overrides("PSCHWK1", [{"start": "2026-11-24T00:00:00Z", "end": "2026-11-26T00:00:00Z",
                                            "user": {"id": "PCAT001"}}])
    cut = schedules.list_overrides("PSCHWK1", "2026-11-25T00:00:00Z", "2026-11-27T00:00:00Z")
    whole = schedules.list_overrides("PSCHWK1", "2026-11-25T00:00:00Z", "2026-11-27T00:00:00Z", overflow=True)
    assert (cut[0]["start"].day, whole[0]["start"].day) == (25, 24)
    assert schedules.list_overrides("PSCHWK1", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z") == []
    assert schedules.list_overrides("PSCHWK1", "2026-11-20T00:00:00Z", "2026-11-30T00:00:00Z", editable=True)


def test_removing_an_override_deletes_a_future_one_truncates_a_current_one_and_refuses_a_past_one():
    plumbing, schedules, services = build(now=at(days=1, hours=12))
    made = [o for unused, o, unused2 in schedules.create_overrides("PSCHWK1", [
        {"start": "2026-11-24T00:00:00Z", "end": "2026-11-24T12:00:00Z", "user": {"id": "PCAT001"}},
        {"start": "2026-11-24T12:00:00Z", "end": "2026-11-26T00:00:00Z", "user": {"id": "PCAT001"}},
        {"start": "2026-11-27T00:00:00Z", "end": "2026-11-28T00:00:00Z", "user": {"id": "PCAT001"}}])]
    with pytest.raises(ArgumentsCausedError):
        schedules.delete_override("PSCHWK1", made[0]["id"])
    truncated = schedules.delete_override("PSCHWK1", made[1]["id"])
    assert truncated["end"] == plumbing.now() + datetime.timedelta(0)
    assert schedules.delete_override("PSCHWK1", made[2]["id"]) is None
    assert [o["id"] for o in schedules.overrides["PSCHWK1"]] == [made[0]["id"], made[1]["id"]]
    with pytest.raises(NotFound):
        schedules.delete_override("PSCHWK1", made[2]["id"])


def test_policies_target_schedules_and_users_and_on_call_entries_carry_the_shift():
    plumbing, schedules, services = build(now=at(days=7, hours=12))
    policy = services.escalation_policies.get("PPOL001")
    assert [u["id"] for u in services.on_call_at(policy, 1)] == ["PBEN001"]
    assert [u["id"] for u in services.on_call_at(policy, 2)] == ["PCAT001", "PBEN001"]
    entries = services.on_call_entries(policy, 1, at(days=6), at(days=7, hours=12))
    assert [(u["id"], s["id"], start.day, end.day) for u, s, start, end in entries] == [
        ("PANN001", "PSCHWK1", 23, 30), ("PBEN001", "PSCHWK1", 30, 7)]
    assert [p["id"] for p in services.policies_targeting("PSCHDY1")] == ["PPOL001"]


def test_a_user_on_a_layer_is_not_deleted_and_one_only_in_overrides_leaves_them():
    # (issue 13: PagerDuty's community says a user on a schedule is not deleted; overrides are not layers)
    plumbing, schedules, services = build()
    directory = schedules.directory
    with pytest.raises(InvalidInput, match="on schedules"):
        directory.delete_user("PBEN001")
    for schedule in schedules.schedules.values():
        for layer in schedule["layers"]:
            layer["user_ids"] = [u for u in layer["user_ids"] if u != "PBEN001"] or ["PANN001"]
    schedules.create_overrides("PSCHWK1", [{"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z",
                                            "user": {"id": "PBEN001"}}])
    directory.delete_user("PBEN001")
    assert schedules.overrides["PSCHWK1"] == []
    assert [who(schedules, "PSCHWK1", at(days=d)) for d in (1, 7)] == ["PANN001", "PANN001"]


def test_rendering_with_a_range_has_the_entries_of_each_layer_and_the_final_schedule():
    plumbing, schedules, services = build()
    rendered = schedules.render_schedule(schedules.schedule("PSCHDY1"), "2026-11-24T09:00:00Z",
                                         "2026-11-26T09:00:00Z", services.policies_targeting("PSCHDY1"))
    assert [e["user"]["id"] for e in rendered["final_schedule"]["rendered_schedule_entries"]] == [
        "PBEN001", "PCAT001"]
    assert rendered["final_schedule"]["rendered_coverage_percentage"] == 100.0
    assert [layer["rendered_coverage_percentage"] for layer in rendered["schedule_layers"]] == [100.0, 50.0]
    assert [p["id"] for p in rendered["escalation_policies"]] == ["PPOL001"]
    assert "final_schedule" not in schedules.render_schedule(schedules.schedule("PSCHDY1"))


def test_a_seed_with_restrictions_is_refused():
    plumbing = Plumbing()
    directory = Directory(plumbing, set())
    directory.load(SEED)
    seed = {"schedules": [{"id": "PSCHRS1", "name": "R", "layers": [{
        "id": "PLAYRS1", "start": "2026-11-23T09:00:00Z", "users": ["PANN001"],
        "restrictions": [{"type": "daily_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 3600}]}]}]}
    with pytest.raises(ValueError):
        Schedules(plumbing, directory).load(seed)
