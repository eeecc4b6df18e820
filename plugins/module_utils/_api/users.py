# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PagerDuty's users and teams.  One function per endpoint; see ``_api/__init__.py``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.plugins.module_utils._api import Collection, delete_found, rest_path, unwrap

USERS = Collection("/users", "users", "user")
TEAMS = Collection("/teams", "teams", "team")


def get_user(client, user_id, include=None):
    """``GET /users/{id}``: the user, or None when PagerDuty does not know the ID."""
    return USERS.get(client, user_id, {"include[]": list(include)} if include else None)


def search_users(client, query, include=None):
    """``GET /users?query=``, first page: ``(users, page)``."""
    return USERS.search(client, query, {"include[]": list(include)} if include else None)


def list_users(client, params=None, first=None):
    """``GET /users``, every page: ``(users, info)``."""
    return USERS.list_all(client, params, first=first)


def create_user(client, user, confirm=None):
    """``POST /users`` (not safe to repeat: ``confirm`` finds the user after a lost answer)."""
    answer = client.post("/users", {"user": dict(user, type="user")}, needs_from=True, confirm=confirm)
    return unwrap(answer, "user", "POST /users")


def update_user(client, user_id, user):
    """``PUT /users/{id}`` with the fields of ``user``."""
    path = rest_path("/users/%s", user_id)
    return unwrap(client.put(path, {"user": dict(user, type="user")}), "user", "PUT " + path)


def delete_user(client, user_id):
    """``DELETE /users/{id}``: True when deleted, False when PagerDuty had no such user (already gone)."""
    return delete_found(client, rest_path("/users/%s", user_id))


def add_team_member(client, team_id, user_id):
    """``PUT /teams/{id}/users/{user_id}`` (safe to repeat; a new member gets the team's default role)."""
    client.put(rest_path("/teams/%s/users/%s", team_id, user_id))


def remove_team_member(client, team_id, user_id):
    """``DELETE /teams/{id}/users/{user_id}`` (safe to repeat)."""
    client.delete(rest_path("/teams/%s/users/%s", team_id, user_id))
