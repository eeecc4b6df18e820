"""The directory: users (roles, contact methods, notification rules), teams and their members, REST API tokens."""

import re

from ..errors import InvalidInput, ArgumentsCausedError, PaymentRequired
from .core import Store, reference, WEB_BASE

ROLES = ("admin", "limited_user", "observer", "owner", "read_only_user",
         "restricted_access", "read_only_limited_user", "user")
TEAM_ROLES = ("observer", "responder", "manager")
COLORS = ("purple", "red", "green", "blue", "teal", "orange", "brown", "turquoise",
          "dark-slate-blue", "cayenne", "orange-red", "dark-orchid", "dark-slate-grey",
          "lime", "dark-magenta", "lime-green", "midnight-blue", "deep-pink",
          "dark-green", "dark-orange", "dark-cyan", "darkolive-green", "dark-slate-gray",
          "grey", "gray", "black", "white", "yellow", "silver")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Roles an account may only give with an ability (see the User schema's ``role``).
ROLE_ABILITIES = {"read_only_user": "read_only_users", "read_only_limited_user": "read_only_users",
                  "observer": "advanced_permissions", "restricted_access": "advanced_permissions"}
USER_FIELDS = ("name", "email", "time_zone", "color", "role", "description", "job_title")
MAX_LENGTHS = {"name": 100, "email": 100, "job_title": 100}


def _time_zones():
    """IANA time zone names, or None where this Python has no time zone data (then any name is accepted)."""
    try:
        import zoneinfo
        zones = zoneinfo.available_timezones()
    except ImportError:
        return None
    return zones or None


TIME_ZONES = _time_zones()


class Directory(object):
    """The account's people: users, their contact methods and notification rules, teams, and API tokens.

    Depends on nothing but the plumbing and the account's ``abilities`` (a set of names,
    shared with the other areas).  Areas that keep users elsewhere register with
    :meth:`guard_user_deletion` and :meth:`on_user_deleted`.
    """

    def __init__(self, plumbing, abilities, time_zone="Etc/UTC"):
        self.plumbing = plumbing
        self.abilities = abilities
        self.time_zone = time_zone
        self.users = Store("user", "User")
        self._user_emails = {}          # lower-case email -> user id, so 10,000+ users stay fast
        self._users_by_name = None       # users in PagerDuty's order, rebuilt after a change
        self.teams = Store("team", "Team")
        self.team_members = {}          # team id -> {user id: team role}
        self.contact_methods = {}       # user id -> [contact method]
        self.notification_rules = {}    # user id -> [notification rule]
        self.tokens = {}                # REST API token -> {"user_id", "read_only"}
        self._deletion_checks = []      # check(user): raises to refuse deleting the user
        self._removal_checks = []       # check(team, user): raises to refuse taking the user off the team
        self._deletion_cleanups = []    # cleanup(user_id): forget a deleted user

    # -- seed ----------------------------------------------------------------
    def load(self, seed):
        """Users, teams (with members) and tokens of a seed document."""
        for spec in seed.get("users", []):
            spec = dict(spec)
            wanted_id = spec.pop("id", None)
            self.create_user(spec, user_id=self.plumbing.claim(wanted_id) if wanted_id else None)
        for spec in seed.get("teams", []):
            team = self.create_team({"name": spec["name"], "description": spec.get("description")},
                                    team_id=self.plumbing.claim(spec["id"]) if spec.get("id") else None)
            for member in spec.get("members", []):
                user = self.user_by_email(member["user"]) or self.users.get(member["user"])
                self.team_members[team["id"]][user["id"]] = member.get("role", "responder")
        for spec in seed.get("tokens", []):
            user = self.user_by_email(spec["user"]) if spec.get("user") else None
            if spec.get("user") and user is None:
                raise ValueError("token for unknown user %s" % spec["user"])
            self.tokens[spec["token"]] = {"user_id": user["id"] if user else None,
                                          "read_only": bool(spec.get("read_only"))}

    def seed_user(self, target):
        """The user a seed names by email or ID."""
        user = self.user_by_email(target) if "@" in target else self.users.find(target)
        if user is None:
            raise ValueError("seed refers to unknown user %s" % target)
        return user

    def generate_users(self, count, domain="scale.example.com"):
        """Add ``count`` users (for scale tests), named so that their order is predictable."""
        width = max(5, len(str(count)))
        for number in range(1, count + 1):
            self.create_user({"name": "Scale User %0*d" % (width, number),
                              "email": "scale.user.%0*d@%s" % (width, number, domain)})

    # -- tokens and requesters ----------------------------------------------------
    def user_for_token(self, token):
        """``{"user_id", "read_only"}`` for a REST API token, or None when unknown."""
        return self.tokens.get(token)

    def requester_from(self, email):
        """The user named by a ``From`` header."""
        user = self.user_by_email(email)
        if user is None:
            raise InvalidInput("The From header must be the email address of a user of this account: %s" % email,
                               code=1008, message="Requester User Not Found")
        return user

    # -- users -------------------------------------------------------------
    def user_by_email(self, email):
        """The user with this address, in any case (``create_user``, ``update_user`` and ``delete_user`` keep the
        index; change a user's email only through them)."""
        return self.users.find(self._user_emails.get((email or "").strip().lower()))

    def _check_user_fields(self, fields, user_id=None):
        errors = []
        if "name" in fields and not (fields["name"] or "").strip():
            errors.append("Name can't be blank")
        if "email" in fields:
            email = fields["email"] or ""
            if not EMAIL.match(email) or len(email) < 6:
                errors.append("Email is invalid")
            else:
                other = self.user_by_email(email)
                if other is not None and other["id"] != user_id:
                    errors.append("Email has already been taken")
        for field, most in sorted(MAX_LENGTHS.items()):
            if isinstance(fields.get(field), str) and len(fields[field]) > most:
                errors.append("%s is too long (maximum is %d characters)"
                              % (field.replace("_", " ").capitalize(), most))
        if "role" in fields and fields["role"] not in ROLES:
            errors.append("Role is invalid")
        if "color" in fields and fields["color"] not in COLORS:
            errors.append("Color is invalid")
        if fields.get("time_zone") is not None and TIME_ZONES is not None and fields["time_zone"] not in TIME_ZONES:
            errors.append("Time zone is invalid")
        if errors:
            raise ArgumentsCausedError(*errors)

    def _check_role_ability(self, role):
        ability = ROLE_ABILITIES.get(role)
        if ability is not None and ability not in self.abilities:
            raise PaymentRequired("The %s role needs the %s ability, which this account does not have"
                                  % (role, ability))

    def create_user(self, fields, user_id=None):
        """A new user from trusted input (the seed); :meth:`add_user` applies the API's extra rules."""
        fields = dict(fields)
        for key in ("id", "type", "teams", "contact_methods", "notification_rules", "avatar_url",
                    "invitation_sent", "created_via_sso", "http_cal_url", "web_cal_url", "license"):
            fields.pop(key, None)
        if not fields.get("name") or not fields.get("email"):
            raise ArgumentsCausedError(*[("%s can't be blank" % k.capitalize())
                                         for k in ("name", "email") if not fields.get(k)])
        self._check_user_fields(fields)
        user_id = user_id or self.plumbing.new_id()
        user = {
            "id": user_id,
            "type": "user",
            "summary": fields["name"],
            "name": fields["name"],
            "email": fields["email"],
            "time_zone": fields.get("time_zone") or self.time_zone,
            "color": fields.get("color") or COLORS[len(self.users) % 8],
            "role": fields.get("role") or "user",
            "avatar_url": "https://secure.gravatar.com/avatar/%s.png?d=mm&r=PG" % user_id.lower(),
            "description": fields.get("description"),
            "invitation_sent": True,
            "job_title": fields.get("job_title"),
            "created_via_sso": False,
            "html_url": "%s/users/%s" % (WEB_BASE, user_id),
        }
        self.users.add(user)
        self._user_emails[user["email"].lower()] = user_id
        self._users_by_name = None
        self._add_default_notifications(user)
        return user

    def _add_default_notifications(self, user):
        """A new user is notified by email at once: one contact method, one notification rule."""
        contact = {
            "id": self.plumbing.new_id(), "type": "email_contact_method", "summary": "Default",
            "label": "Default", "address": user["email"], "send_short_email": False,
        }
        self.contact_methods[user["id"]] = [contact]
        self.notification_rules[user["id"]] = [{
            "id": self.plumbing.new_id(), "type": "assignment_notification_rule",
            "summary": "0 minutes: channel %s" % contact["id"],
            "start_delay_in_minutes": 0, "urgency": "high",
            "contact_method": dict(contact),
        }]

    def add_user(self, fields):
        """``POST /users``: an account has one owner, and some roles need an ability."""
        role = (fields or {}).get("role")
        if role == "owner":
            raise ArgumentsCausedError("Role cannot be owner: an account has one owner, and ownership is "
                                       "transferred in the web app")
        if role in ROLES:
            self._check_role_ability(role)
        return self.create_user(fields)

    def update_user(self, user_id, fields):
        user = self.users.get(user_id)
        changes = {k: v for k, v in fields.items() if k in USER_FIELDS}
        self._check_user_fields(changes, user_id=user_id)
        if changes.get("role") == "owner" and user["role"] != "owner":
            raise ArgumentsCausedError("Role cannot be changed to owner")
        if user["role"] == "owner" and "role" in changes and changes["role"] != "owner":
            raise ArgumentsCausedError("The account owner's role cannot be changed")
        if "role" in changes and changes["role"] != user["role"]:
            self._check_role_ability(changes["role"])
        if "time_zone" in changes and changes["time_zone"] is None:
            changes["time_zone"] = self.time_zone
        old_email = user["email"].lower()
        user.update(changes)
        user["summary"] = user["name"]
        self._users_by_name = None
        if user["email"].lower() != old_email:
            self._user_emails.pop(old_email, None)
            self._user_emails[user["email"].lower()] = user_id
        return user

    def guard_user_deletion(self, check, first=False):
        """Let another area refuse to delete a user: ``check(user)`` raises the API error to answer (``first``:
        before the checks registered so far, for the refusal PagerDuty documents)."""
        self._deletion_checks.insert(0 if first else len(self._deletion_checks), check)

    def on_user_deleted(self, cleanup):
        """Let another area forget a deleted user: ``cleanup(user_id)`` runs after the user is gone."""
        self._deletion_cleanups.append(cleanup)

    def delete_user(self, user_id):
        user = self.users.get(user_id)
        if user["role"] == "owner":
            raise ArgumentsCausedError("The account owner cannot be deleted")
        for check in self._deletion_checks:
            check(user)
        self.users.delete(user_id)
        self._user_emails.pop(user["email"].lower(), None)
        self._users_by_name = None
        for members in self.team_members.values():
            members.pop(user_id, None)
        self.contact_methods.pop(user_id, None)
        self.notification_rules.pop(user_id, None)
        for cleanup in self._deletion_cleanups:
            cleanup(user_id)

    def teams_of(self, user_id):
        return [team for team in self.teams.values() if user_id in self.team_members.get(team["id"], {})]

    def render_user(self, user, include=(), requester=None):
        """A user as PagerDuty shows it.

        Calendar feed URLs (bearer credentials) only come with a ``requester``, as on
        ``GET /users/{id}``: for the requester's own profile, or when an admin asks
        for ``include[]=calendar_urls``.  List endpoints never pass a requester.
        """
        out = dict(user)
        out["teams"] = [reference(t) for t in self.teams_of(user["id"])]
        out["contact_methods"] = [self._contact_ref(c) for c in self.contact_methods.get(user["id"], [])]
        out["notification_rules"] = [self._rule_ref(r) for r in self.notification_rules.get(user["id"], [])]
        out["coordinated_incidents"] = []
        out["self"] = reference(user)["self"]
        if "contact_methods" in include:
            out["contact_methods"] = [dict(c, self=self._contact_ref(c)["self"])
                                      for c in self.contact_methods.get(user["id"], [])]
        if "notification_rules" in include:
            out["notification_rules"] = [dict(r) for r in self.notification_rules.get(user["id"], [])]
        if "teams" in include:
            out["teams"] = [self.render_team(t) for t in self.teams_of(user["id"])]
        if requester is not None and (requester["id"] == user["id"] or (
                "calendar_urls" in include and requester["role"] in ("admin", "owner"))):
            key = user["id"].lower() + "calendarsecret"
            out["http_cal_url"] = "https://pdsim.pagerduty.com/private/%s/feed" % key
            out["web_cal_url"] = "webcal://pdsim.pagerduty.com/private/%s/feed" % key
        return out

    def _contact_ref(self, contact):
        return {"id": contact["id"], "type": contact["type"] + "_reference", "summary": contact["summary"],
                "self": "https://api.pagerduty.com/users/contact_methods/%s" % contact["id"]}

    def _rule_ref(self, rule):
        return {"id": rule["id"], "type": "assignment_notification_rule_reference", "summary": rule["summary"],
                "self": "https://api.pagerduty.com/users/notification_rules/%s" % rule["id"]}

    def search_users(self, query=None, team_ids=None):
        """Users in PagerDuty's order (by name); ``query`` matches name or email, ``team_ids`` any of the teams.

        Unknown team IDs match nobody (the listing has no 404).
        """
        if self._users_by_name is None:    # sorted once per change, not once per page
            self._users_by_name = sorted(self.users.values(), key=lambda u: (u["name"].lower(), u["id"]))
        users = self._users_by_name
        if query:
            needle = query.strip().lower()
            users = [u for u in users if needle in u["name"].lower() or needle in u["email"].lower()]
        if team_ids:
            members = set()
            for team_id in team_ids:
                members.update(self.team_members.get(team_id, {}))
            users = [u for u in users if u["id"] in members]
        return users

    # -- teams -------------------------------------------------------------
    def create_team(self, fields, team_id=None):
        name = (fields.get("name") or "").strip()
        if not name:
            raise ArgumentsCausedError("Name can't be blank")
        if any(t["name"].lower() == name.lower() for t in self.teams.values()):
            raise ArgumentsCausedError("Name has already been taken")
        team_id = team_id or self.plumbing.new_id()
        team = {
            "id": team_id, "type": "team", "summary": name, "name": name,
            "description": fields.get("description"), "parent": None,
            "default_role": "manager",
        }
        self.team_members[team_id] = {}
        return self.teams.add(team)

    def require_teams(self):
        """Teams are a plan feature: without the ``teams`` ability the team endpoints answer 402."""
        if "teams" not in self.abilities:
            raise PaymentRequired("Teams are not available to this account")

    def team(self, team_id):
        """``GET /teams/{id}``."""
        self.require_teams()
        return self.teams.get(team_id)

    def render_team(self, team):
        out = dict(team)
        out["self"] = reference(team)["self"]
        out["html_url"] = reference(team)["html_url"]
        return out

    def set_team_member(self, team_id, user_id, role=None):
        """``PUT /teams/{id}/users/{user_id}``: add a user (with the team's default role) or change the role."""
        self.require_teams()
        team = self.teams.get(team_id)
        user = self.users.get(user_id)
        if role is not None and role not in TEAM_ROLES:
            raise InvalidInput("role must be one of %s" % ", ".join(TEAM_ROLES))
        if user["role"] == "read_only_user":
            raise ArgumentsCausedError("User %s has the read_only_user role and cannot be added to a team"
                                       % user_id)
        members = self.team_members[team_id]
        members[user_id] = role or members.get(user_id) or team.get("default_role") or "manager"

    def guard_team_removal(self, check):
        """Let another area refuse to take a user off a team: ``check(team, user)`` raises the API error."""
        self._removal_checks.append(check)

    def remove_team_member(self, team_id, user_id):
        self.require_teams()
        team = self.teams.get(team_id)
        user = self.users.get(user_id)
        if user_id in self.team_members[team_id]:
            for check in self._removal_checks:
                check(team, user)
        self.team_members[team_id].pop(user_id, None)

    def search_teams(self, query=None):
        """``GET /teams``: the teams whose name contains ``query``, by name."""
        self.require_teams()
        teams = self.teams.values()
        if query:
            teams = [t for t in teams if query.lower() in t["name"].lower()]
        return sorted(teams, key=lambda t: (t["name"].lower(), t["id"]))
