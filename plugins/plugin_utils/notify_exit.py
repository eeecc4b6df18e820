# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The end of the process before the end of the play: at exit, and on SIGTERM (Rundeck's "Kill job").

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import contextlib
import os
import signal


class ExitHooks(object):
    """Calls ``on_exit()`` when the process exits and ``on_sigterm()`` when it receives SIGTERM, then lets the
    signal do what it did before: the handler in place (ansible-core's own since 2.19, else the default) is called
    afterwards, so the process ends exactly as it would have.

    Only in the process that made the hooks: a worker forked from it (ansible-core before 2.19 leaves the handler
    in place when it forks) has no run to report and must stop as it always did.

    A SIGTERM that arrives while the play's thread works in the state directory (see :meth:`section`) is handled
    right after it leaves: handled at once, it would find the directory's lock held by this very thread, or end
    the process halfway through writing the spool.

    ``register`` (``atexit.register``), ``signals`` (the ``signal`` module), ``getpid`` and ``kill`` are passed in.
    """

    def __init__(self, register=atexit.register, signals=signal, getpid=os.getpid, kill=os.kill):
        self._register = register
        self._signals = signals
        self._getpid = getpid
        self._kill = kill
        self._pid = getpid()
        self._on_exit = self._on_sigterm = None
        self._previous_sigterm = signals.SIG_DFL
        self._depth = 0                 # > 0 while the play's thread works in the state directory
        self._deferred = None

    def install(self, on_exit, on_sigterm):
        """Call ``on_exit`` at exit and ``on_sigterm`` on SIGTERM (unless SIGTERM is ignored)."""
        self._on_exit, self._on_sigterm = on_exit, on_sigterm
        self._register(self._at_exit)
        try:
            previous = self._signals.getsignal(self._signals.SIGTERM)
            if previous == self._signals.SIG_IGN or previous is None:
                return
            self._previous_sigterm = previous
            self._signals.signal(self._signals.SIGTERM, self.handle_sigterm)
        except (ValueError, OSError):   # not the main thread, or no signals here
            return

    @contextlib.contextmanager
    def section(self):
        """The play's thread works in the state directory: a SIGTERM arriving meanwhile is handled right after."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._deferred is not None:
                signum, frame = self._deferred
                self._deferred = None
                self.handle_sigterm(signum, frame)

    def handle_sigterm(self, signum, frame):
        """The SIGTERM handler."""
        if self._depth and self._getpid() == self._pid:
            self._deferred = (signum, frame)    # handled as soon as the state directory is left
            return
        previous = self._previous_sigterm
        try:
            self._signals.signal(self._signals.SIGTERM, previous)
            if self._getpid() == self._pid and self._on_sigterm is not None:
                self._on_sigterm()
        except Exception:  # the signal must be passed on, whatever happens
            pass
        if callable(previous):
            previous(signum, frame)
        else:
            self._kill(self._getpid(), signum)

    def _at_exit(self):
        if self._getpid() != self._pid:
            return
        try:
            self._on_exit()
        except Exception:
            pass
