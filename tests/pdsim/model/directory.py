"""Users, teams, escalation policies, services, priorities and incident workflows."""

import re

from ..errors import InvalidInput, NotFound, ArgumentsCausedError, PaymentRequired
from .core import Store, reference, utcnow, isoformat, WEB_BASE

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
    """Mixin: the account's people and routing objects."""

    def _init_directory(self):
        self.users = Store("user", "User")
        self._user_emails = {}          # lower-case email -> user id, so 10,000+ users stay fast
        self._users_by_name = None       # users in PagerDuty's order, rebuilt after a change
        self.teams = Store("team", "Team")
        self.team_members = {}          # team id -> {user id: team role}
        self.escalation_policies = Store("escalation_policy", "Escalation Policy")
        self.services = Store("service", "Service")
        self.integrations = Store("integration", "Integration")
        self.priorities = Store("priority", "Priority")
        self.incident_workflows = Store("incident_workflow", "Incident Workflow")
        self.contact_methods = {}       # user id -> [contact method]
        self.notification_rules = {}    # user id -> [notification rule]

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
                errors.append("%s is too long (maximum is %d characters)" % (field.replace("_", " ").capitalize(), most))
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
        if ability is not None and not self.has_ability(ability):
            raise PaymentRequired("The %s role needs the %s ability, which this account does not have"
                                  % (role, ability))

    def create_user(self, fields, user_id=None):
        """A new user from trusted input (the seed); :meth:`add_user` applies the API's extra rules."""
        fields = dict(fields)
        for key in ("id", "type", "teams", "contact_methods", "notification_rules", "avatar_url",
                    "invitation_sent", "created_via_sso", "http_cal_url", "web_cal_url", "license"):
            fields.pop(key, None)
        if not fields.get("name") or not fields.get("email"):
            raise ArgumentsCausedError(*[("%s can't be blank" % k.capitalize()) for k in ("name", "email") if not fields.get(k)])
        self._check_user_fields(fields)
        user_id = user_id or self.new_id()
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
        self.contact_methods[user_id] = [{
            "id": self.new_id(), "type": "email_contact_method", "summary": "Default",
            "label": "Default", "address": user["email"], "send_short_email": False,
        }]
        self.notification_rules[user_id] = [{
            "id": self.new_id(), "type": "assignment_notification_rule",
            "summary": "0 minutes: channel %s" % self.contact_methods[user_id][0]["id"],
            "start_delay_in_minutes": 0, "urgency": "high",
            "contact_method": dict(self.contact_methods[user_id][0]),
        }]
        return user

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

    def delete_user(self, user_id):
        user = self.users.get(user_id)
        if user["role"] == "owner":
            raise ArgumentsCausedError("The account owner cannot be deleted")
        open_incidents = self.open_incidents_assigned_to(user_id)
        if open_incidents:
            # DELETE /users/{id}: "Returns 400 if the user has assigned incidents" (without offboarding)
            raise InvalidInput(
                "User cannot be deleted as they have %d open incident(s): %s"
                % (len(open_incidents), ", ".join("#%d (%s)" % (i["incident_number"], i["id"]) for i in open_incidents)),
                message="Arguments Caused Error", code=2002,
            )
        self.users.delete(user_id)
        self._user_emails.pop(user["email"].lower(), None)
        self._users_by_name = None
        for members in self.team_members.values():
            members.pop(user_id, None)
        for policy in self.escalation_policies.values():
            for rule in policy["escalation_rules"]:
                rule["targets"] = [t for t in rule["targets"] if t["id"] != user_id]
        self.contact_methods.pop(user_id, None)
        self.notification_rules.pop(user_id, None)

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
            out["contact_methods"] = [dict(c, self=self._contact_ref(c)["self"]) for c in self.contact_methods.get(user["id"], [])]
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
        team_id = team_id or self.new_id()
        team = {
            "id": team_id, "type": "team", "summary": name, "name": name,
            "description": fields.get("description"), "parent": None,
            "default_role": "manager",
        }
        self.team_members[team_id] = {}
        return self.teams.add(team)

    def require_teams(self):
        """Teams are a plan feature: without the ``teams`` ability the team endpoints answer 402."""
        if not self.has_ability("teams"):
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
            raise ArgumentsCausedError("User %s has the read_only_user role and cannot be added to a team" % user_id)
        members = self.team_members[team_id]
        members[user_id] = role or members.get(user_id) or team.get("default_role") or "manager"

    def remove_team_member(self, team_id, user_id):
        self.require_teams()
        self.teams.get(team_id)
        self.users.get(user_id)
        self.team_members[team_id].pop(user_id, None)

    def search_teams(self, query=None):
        """``GET /teams``: the teams whose name contains ``query``, by name."""
        self.require_teams()
        teams = self.teams.values()
        if query:
            teams = [t for t in teams if query.lower() in t["name"].lower()]
        return sorted(teams, key=lambda t: (t["name"].lower(), t["id"]))

    # -- escalation policies ---------------------------------------------
    def render_escalation_policy(self, policy):
        out = dict(policy)
        out["self"] = reference(policy)["self"]
        out["html_url"] = reference(policy)["html_url"]
        out["escalation_rules"] = [
            {"id": r["id"], "escalation_delay_in_minutes": r["escalation_delay_in_minutes"],
             "targets": [dict(t) for t in r["targets"]]}
            for r in policy["escalation_rules"]
        ]
        out["services"] = [reference(s) for s in self.services.values()
                           if s["escalation_policy"]["id"] == policy["id"]]
        out["teams"] = [reference(self.teams.get(t)) for t in policy.get("team_ids", [])]
        out.pop("team_ids", None)
        return out

    def search_escalation_policies(self, query=None, team_ids=None, user_ids=None):
        policies = self.escalation_policies.values()
        if query:
            policies = [p for p in policies if query.lower() in p["name"].lower()]
        if team_ids:
            policies = [p for p in policies if set(team_ids) & set(p.get("team_ids", []))]
        if user_ids:
            policies = [p for p in policies
                        if any(t["id"] in user_ids for r in p["escalation_rules"] for t in r["targets"])]
        return sorted(policies, key=lambda p: (p["name"].lower(), p["id"]))

    def on_call_at(self, policy, level):
        """Users on call at ``level`` (1-based) of ``policy``: the rule's user targets."""
        rules = policy["escalation_rules"]
        if not 1 <= level <= len(rules):
            return []
        users = []
        for target in rules[level - 1]["targets"]:
            if target["type"] in ("user_reference", "user") and target["id"] in self.users:
                users.append(self.users.get(target["id"]))
        return users

    # -- services ------------------------------------------------------------
    def service_for_routing_key(self, routing_key):
        for integration in self.integrations.values():
            if integration["integration_key"] == routing_key:
                return self.services.get(integration["service_id"]), integration
        return None, None

    def render_service(self, service):
        out = dict(service)
        out["self"] = reference(service)["self"]
        out["html_url"] = reference(service)["html_url"]
        out["teams"] = [reference(self.teams.get(t)) for t in service.get("team_ids", [])]
        out["integrations"] = [
            {"id": i["id"], "type": "events_api_v2_inbound_integration_reference", "summary": i["summary"],
             "self": "%s/integrations/%s" % (out["self"], i["id"])}
            for i in self.integrations.values() if i["service_id"] == service["id"]
        ]
        out.pop("team_ids", None)
        return out

    def search_services(self, query=None, team_ids=None):
        services = self.services.values()
        if query:
            services = [s for s in services if query.lower() in s["name"].lower()]
        if team_ids:
            services = [s for s in services if set(team_ids) & set(s.get("team_ids", []))]
        return sorted(services, key=lambda s: (s["name"].lower(), s["id"]))

    # -- priorities ---------------------------------------------------------
    def priority_by_ref(self, ref):
        """A priority from a reference object or a name (the highest match wins)."""
        if isinstance(ref, str):
            for priority in self.priorities.values():
                if priority["name"] == ref:
                    return priority
            raise InvalidInput("Priority %r not found" % ref, code=1020, message="Invalid Priority")
        priority = self.priorities.find(ref.get("id"))
        if priority is None:
            raise InvalidInput("Priority %s not found" % ref.get("id"), code=1020, message="Invalid Priority")
        return priority

    def render_priority(self, priority):
        return dict(priority, self=reference(priority)["self"])

    # -- incident workflows ------------------------------------------------
    def render_incident_workflow(self, workflow):
        out = dict(workflow)
        out["self"] = reference(workflow)["self"]
        out["html_url"] = reference(workflow)["html_url"]
        return out

    def search_incident_workflows(self, query=None):
        workflows = self.incident_workflows.values()
        if query:
            workflows = [w for w in workflows if query.lower() in w["name"].lower()]
        return sorted(workflows, key=lambda w: (w["name"].lower(), w["id"]))

    # helpers for references sent by clients -------------------------------------
    def resolve_ref(self, store, ref, kinds):
        if not isinstance(ref, dict) or "id" not in ref:
            raise InvalidInput("%s must be a reference object with an id" % store.label)
        if ref.get("type") not in kinds:
            raise InvalidInput("%s reference type must be one of %s" % (store.label, ", ".join(kinds)))
        item = store.find(ref["id"])
        if item is None:
            raise NotFound("%s %s not found" % (store.label, ref["id"]))
        return item

    def timestamp(self):
        return isoformat(utcnow())
