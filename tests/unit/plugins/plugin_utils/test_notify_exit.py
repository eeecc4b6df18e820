"""Unit tests of the notify callback's exit hooks: SIGTERM and the exit of the process, with fake signals."""

from notify_fakes import FakeSignals

from ansible_collections.oncall.pagerduty.plugins.plugin_utils.notify_exit import ExitHooks


class Process(object):
    """getpid and kill of a process whose pid the test changes (a forked worker has another)."""

    def __init__(self):
        self.pid = 100
        self.killed = []

    def getpid(self):
        return self.pid

    def kill(self, pid, signum):
        self.killed.append((pid, signum))


def hooks(handler=FakeSignals.SIG_DFL):
    signals, process, registered, calls = FakeSignals(handler), Process(), [], []
    exit_hooks = ExitHooks(register=registered.append, signals=signals, getpid=process.getpid, kill=process.kill)
    exit_hooks.install(lambda: calls.append("exit"), lambda: calls.append("sigterm"))
    return exit_hooks, signals, process, registered, calls


def test_sigterm_is_reported_then_the_default_action_ends_the_process():
    exit_hooks, signals, process, _registered, calls = hooks()
    assert signals.handler == exit_hooks.handle_sigterm
    exit_hooks.handle_sigterm(15, None)
    assert calls == ["sigterm"] and process.killed == [(100, 15)]
    assert signals.handler == FakeSignals.SIG_DFL, "the default action is back in place before the signal is resent"


def test_sigterm_is_passed_on_to_the_handler_that_was_in_place():
    passed_on = []
    exit_hooks, _signals, process, _registered, calls = hooks(lambda signum, frame: passed_on.append((signum, frame)))
    exit_hooks.handle_sigterm(15, "frame")
    assert calls == ["sigterm"] and passed_on == [(15, "frame")] and process.killed == []


def test_an_ignored_sigterm_stays_ignored():
    _exit_hooks, signals, _process, registered, _calls = hooks(FakeSignals.SIG_IGN)
    assert signals.handler == FakeSignals.SIG_IGN and len(registered) == 1


def test_a_forked_worker_only_passes_the_signal_on():
    exit_hooks, _signals, process, registered, calls = hooks()
    process.pid = 200
    exit_hooks.handle_sigterm(15, None)
    registered[0]()
    assert calls == [] and process.killed == [(200, 15)]


def test_sigterm_in_a_section_waits_for_its_end():
    exit_hooks, _signals, process, _registered, calls = hooks()
    with exit_hooks.section():
        with exit_hooks.section():
            exit_hooks.handle_sigterm(15, None)
        assert calls == [] and process.killed == []
    assert calls == ["sigterm"] and process.killed == [(100, 15)]


def test_at_exit_in_this_process_and_never_raising():
    _exit_hooks, _signals, _process, registered, calls = hooks()
    registered[0]()
    assert calls == ["exit"]
    process, registered = Process(), []

    def failing():
        raise RuntimeError("the state directory is gone")
    ExitHooks(register=registered.append, signals=FakeSignals(), getpid=process.getpid).install(failing, None)
    registered[0]()         # nothing raised at exit
