# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``fields`` option of the ``_info`` modules: which attributes of each returned object to keep.

A listing of 10,000 users is a 9 MB result; Ansible then scrubs, encodes, decodes
and templates all of it.  Projecting each object on the attributes the task
needs, in the module before ``exit_json``, keeps the result small.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The argument spec of the option, the same in every _info module (documented by the oncall.pagerduty.fields fragment)
FIELDS_SPEC = dict(type="list", elements="str")


def wanted_fields(fields):
    """The attribute names to keep, ``id`` first and each once; None when every attribute is kept."""
    if not fields:
        return None
    names = [name.strip() for name in fields if name and name.strip()]
    return list(dict.fromkeys(["id"] + names))


def fields_problem(fields):
    """Why ``fields`` cannot name attributes (a blank name), or None."""
    if fields is not None and any(not (name or "").strip() for name in fields):
        return "fields must name attributes (such as email or status), got a blank name in %r" % (fields,)
    return None


def projected(item, names):
    """``item`` with only the attributes ``names`` (those it has), in that order; ``item`` itself when ``names`` is
    None or it is not an object."""
    if names is None or not isinstance(item, dict):
        return item
    return dict((name, item[name]) for name in names if name in item)


def projected_all(items, names):
    """Each item projected on ``names`` (see :func:`projected`)."""
    if names is None:
        return items
    return [projected(item, names) for item in items]


def missing_fields(items, names):
    """The names (but ``id``) that none of ``items`` has: most likely misspelt.  Empty when there are no items."""
    if names is None or not items:
        return []
    seen = set()
    for item in items:
        if isinstance(item, dict):
            seen.update(item)
    return [name for name in names if name != "id" and name not in seen]


def light(items, fields, what, warn):
    """``items`` projected on ``fields`` (each item whole when no fields are given); ``warn(message)`` is called for
    each field that none of them has, naming ``what`` they are (``user``, ``incident``)."""
    names = wanted_fields(fields)
    for name in missing_fields(items, names):
        warn("fields: no %s returned has the attribute %r" % (what, name))
    return projected_all(items, names)
