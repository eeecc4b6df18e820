# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the notify callback prints: at most one warning at the end of a run, plus ``-vvv`` lines.

For internal use by the ``oncall.pagerduty.notify`` callback only; not a public API.

Problems found along the way (on any thread) are collected and reported together
when the run ends.  There is one reporting path with two outputs: Ansible's display,
and, inside a signal handler, where the display's lock may be held by the very code
the signal interrupted, a plain write to the standard error.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading

NAME = "oncall.pagerduty.notify"


class DisplayOutput(object):
    """Ansible's display (``vvv`` and ``warning``)."""

    def __init__(self, display):
        self._display = display

    def verbose(self, text):
        self._display.vvv(text)

    def warning(self, text):
        self._display.warning(text)


class SignalSafeOutput(object):
    """Safe in a signal handler: warnings written straight to file descriptor ``fd``; no verbose lines."""

    def __init__(self, write=os.write, fd=2):
        self._write = write
        self._fd = fd

    def verbose(self, text):
        """Not printed: only the warning is worth the risk of writing from a signal handler."""

    def warning(self, text):
        try:
            self._write(self._fd, ("[WARNING]: %s\n" % text).encode("utf-8", "replace"))
        except OSError:
            pass


class Reporter(object):
    """Collects the problems of a run and reports them once, with the run's own problems, through an output."""

    def __init__(self, output, quiet_output=None):
        self._output = output
        self._quiet_output = quiet_output or SignalSafeOutput()
        self._problems = []
        self._lock = threading.RLock()      # (re-entrant: the SIGTERM handler reports too)

    def problem(self, text, detail=None):
        """Remember a problem (``detail``: a traceback, shown at ``-vvv``) for the end of the run."""
        with self._lock:
            self._problems.append((text, detail))

    def report(self, run_problems, summary=None, quiet=False):
        """The ``summary`` line at ``-vvv``, then one warning of ``run_problems`` and the problems collected.

        ``quiet`` in a signal handler: the signal-safe output instead of the display.
        """
        output = self._quiet_output if quiet else self._output
        with self._lock:
            problems, self._problems = self._problems, []
        if summary:
            output.verbose("%s: %s" % (NAME, summary))
        for _text, detail in problems:
            if detail:
                output.verbose("%s: %s" % (NAME, detail))
        texts = list(run_problems) + [text for text, _detail in problems]
        if texts:
            output.warning("%s: %s" % (NAME, "; ".join(texts)))
