# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One change tracker for every module: it feeds both ``changed`` and ``diff``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ChangeTracker(object):
    """Collects (parameter, before, after) while a module compares desired with current state."""

    def __init__(self):
        self._changes = []

    def compare(self, parameter, current, desired):
        """Record a change when ``desired`` is given and differs from ``current``; return whether it does."""
        if desired is None or current == desired:
            return False
        self.add(parameter, current, desired)
        return True

    def add(self, parameter, before, after):
        for index, (name, old, _new) in enumerate(self._changes):
            if name == parameter:
                self._changes[index] = (name, old, after)
                return
        self._changes.append((parameter, before, after))

    def extend(self, other):
        """Add the changes another tracker (a plan's) recorded."""
        for name, before, after in other.items():
            self.add(name, before, after)

    def items(self):
        """``(parameter, before, after)`` of each change, in the order recorded."""
        return list(self._changes)

    @property
    def changed(self):
        return bool(self._changes)

    def diff(self):
        """Ansible's ``diff`` shape: the changed parameters before and after."""
        return {
            "before": dict((name, before) for name, before, _after in self._changes),
            "after": dict((name, after) for name, _before, after in self._changes),
        }
