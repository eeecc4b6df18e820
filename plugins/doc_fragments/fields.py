# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The fields option of the _info modules."""

    DOCUMENTATION = r"""
options:
  fields:
    description:
      - The attributes of each returned object to keep (top-level names as the module returns them, such as
        C(email) or C(status)); C(id) is always kept, where the objects have one. Other attributes are left out of
        the result.
      - For large listings, where most of a task's time goes to handling the result rather than to reading it from
        PagerDuty, a few fields keep the result small and the task fast.
      - An attribute that none of the returned objects has gives a warning (it is most likely misspelt).
      - By default every attribute is returned.
    type: list
    elements: str
    version_added: 1.1.0
"""
