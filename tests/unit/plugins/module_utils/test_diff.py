"""Unit tests of the change tracker."""

from ansible_collections.oncall.pagerduty.plugins.module_utils.diff import ChangeTracker


def test_compare_records_only_real_differences():
    tracker = ChangeTracker()
    assert tracker.compare("status", "triggered", "acknowledged") is True
    assert tracker.compare("title", "same", "same") is False
    assert tracker.compare("urgency", "high", None) is False
    assert tracker.changed and tracker.items() == [("status", "triggered", "acknowledged")]
    assert tracker.diff() == {"before": {"status": "triggered"}, "after": {"status": "acknowledged"}}


def test_no_change():
    tracker = ChangeTracker()
    assert not tracker.changed
    assert tracker.diff() == {"before": {}, "after": {}}


def test_same_parameter_keeps_first_before():
    tracker = ChangeTracker()
    tracker.add("assignees", ["A"], ["B"])
    tracker.add("assignees", ["B"], ["C"])
    assert tracker.diff() == {"before": {"assignees": ["A"]}, "after": {"assignees": ["C"]}}


def test_extend_adds_another_trackers_changes_in_order():
    tracker = ChangeTracker()
    tracker.add("incident", None, {"title": "x"})
    plan = ChangeTracker()
    plan.add("status", "triggered", "acknowledged")
    plan.add("incident", "ignored", {"title": "y"})
    tracker.extend(plan)
    assert tracker.items() == [("incident", None, {"title": "y"}), ("status", "triggered", "acknowledged")]
