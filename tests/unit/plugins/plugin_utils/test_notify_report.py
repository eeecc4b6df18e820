"""Unit tests of what the notify callback prints: one warning per run, through the display or, in a signal handler,
straight to the standard error."""

from notify_fakes import FakeDisplay

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_report import (
    DisplayOutput, Reporter, SignalSafeOutput)


class Written(object):
    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def __call__(self, fd, data):
        if self.error:
            raise self.error
        self.calls.append((fd, data))
        return len(data)


def reporter():
    display, written = FakeDisplay(), Written()
    return Reporter(DisplayOutput(display), SignalSafeOutput(write=written)), display, written


def test_one_warning_with_the_runs_problems_first_and_the_details_at_vvv():
    report, display, written = reporter()
    report.problem("cannot read the spool: denied")
    report.problem("internal error in v2_runner_retry: boom", detail="Traceback ...")
    report.report(["1 PagerDuty event(s) not delivered"], "PagerDuty took 0 event(s)")
    assert display.warnings == ["oncall.pagerduty.notify: 1 PagerDuty event(s) not delivered; cannot read the spool: "
                                "denied; internal error in v2_runner_retry: boom"]
    assert display.verbose == ["oncall.pagerduty.notify: PagerDuty took 0 event(s)",
                               "oncall.pagerduty.notify: Traceback ..."]
    assert written.calls == []
    report.report([], "PagerDuty took 1 event(s)")
    assert len(display.warnings) == 1, "each problem is reported once"


def test_nothing_wrong_no_warning():
    report, display, _written = reporter()
    report.report([], "PagerDuty took 2 event(s)")
    assert display.warnings == [] and display.verbose == ["oncall.pagerduty.notify: PagerDuty took 2 event(s)"]


def test_quiet_reporting_writes_only_the_warning_to_the_standard_error():
    report, display, written = reporter()
    report.problem("cannot record the run's duration: full", detail="Traceback ...")
    report.report(["PagerDuty refused 1 event(s)"], "PagerDuty took 0 event(s)", quiet=True)
    assert display.warnings == [] and display.verbose == []
    assert written.calls == [(2, b"[WARNING]: oncall.pagerduty.notify: PagerDuty refused 1 event(s); cannot record "
                                 b"the run's duration: full\n")]


def test_the_signal_safe_output_never_raises():
    SignalSafeOutput(write=Written(error=OSError(9, "Bad file descriptor"))).warning("lost")
