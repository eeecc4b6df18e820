"""The pure parts of pd_user and pd_user_info: role names, input checks, what is hidden, team and user plans."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils.resolver import Resolver
from ansible_collections.oncall.pagerduty.plugins.modules import pd_user, pd_user_info
from unit.fakes import FakeClient, not_found

API_ROLES = ["admin", "limited_user", "observer", "owner", "read_only_user", "restricted_access",
             "read_only_limited_user", "user"]


@pytest.mark.parametrize("role", API_ROLES)
def test_api_role_names_map_to_themselves_in_any_case(role):
    assert pd_user.canonical_role(role) == role
    assert pd_user.canonical_role(role.upper()) == role
    assert pd_user.canonical_role(" %s " % role.replace("_", " ").title()) == role


@pytest.mark.parametrize("given, role", [
    ("Global Admin", "admin"), ("global admin", "admin"), ("Admin", "admin"),
    ("Manager", "user"), ("MANAGER", "user"),
    ("Responder", "limited_user"),
    ("Observer", "observer"),
    ("Account Owner", "owner"), ("Owner", "owner"),
    ("Full Stakeholder", "read_only_user"), ("Stakeholder", "read_only_user"), ("full-stakeholder", "read_only_user"),
    ("Limited Stakeholder", "read_only_limited_user"),
    ("Restricted Access", "restricted_access"), ("restricted_access", "restricted_access"),
])
def test_web_app_role_names(given, role):
    assert pd_user.canonical_role(given) == role


@pytest.mark.parametrize("given", ["boss", "", "super admin", "limited", "stake holder", None])
def test_unknown_roles(given):
    assert pd_user.canonical_role(given) is None


def test_role_error_is_one_line_naming_the_option_and_the_choices():
    message = pd_user.role_error("boss")
    assert message.startswith("role must be one of admin, limited_user,") and message.endswith("got 'boss'")
    assert "Responder" in message and "Full Stakeholder" in message and "\n" not in message


@pytest.mark.parametrize("email, ok", [
    ("jane@example.com", True), ("Jane.Doe+ops@sub.example.co.uk", True),
    ("jane.example.com", False), ("jane@localhost", False), ("a@b.c", False), ("jane doe@example.com", False),
    ("x" * 90 + "@example.com", False), ("", False),
])
def test_email_check(email, ok):
    problem = pd_user.check_email(email)
    assert (problem is None) == ok
    if problem:
        assert problem.startswith("email must be an email address")


USER = {
    "id": "PXPGF42", "type": "user", "name": "Jane", "email": "jane@example.com",
    "http_cal_url": "https://example.pagerduty.com/private/secret/feed",
    "web_cal_url": "webcal://example.pagerduty.com/private/secret/feed",
    "contact_methods": [
        {"id": "P1", "type": "email_contact_method", "label": "Work", "address": "jane@example.com"},
        {"id": "P2", "type": "push_notification_contact_method", "label": "Phone", "address": "device-token"},
        {"id": "P3", "type": "phone_contact_method_reference", "summary": "Mobile"},
    ],
    "notification_rules": [{"id": "P4", "type": "assignment_notification_rule",
                            "contact_method": {"id": "P2", "type": "sms_contact_method", "address": "+15555550100"}}],
}


@pytest.mark.parametrize("module", [pd_user, pd_user_info], ids=["pd_user", "pd_user_info"])
def test_calendar_urls_and_contact_addresses_are_never_returned(module):
    clean = module.sanitized(USER)
    text = repr(clean)
    assert "cal_url" not in text and "secret" not in text
    assert "device-token" not in text and "+15555550100" not in text
    assert clean["email"] == "jane@example.com", "the user's own login stays"
    assert clean["contact_methods"][0] == {"id": "P1", "type": "email_contact_method", "label": "Work"}
    assert clean["contact_methods"][2] == USER["contact_methods"][2]
    assert "address" in USER["contact_methods"][0], "the input is not changed"


def refs(*pairs):
    return [{"id": i, "type": "team_reference", "summary": n} for i, n in pairs]


def test_team_plans():
    current = refs(("PT1", "Checkout"), ("PT2", "Platform"))
    assert pd_user.plan_teams(current, [("PT1", "Checkout")], "merge") == ([], [])
    assert pd_user.plan_teams(current, [("PT1", "Checkout")], "exact") == ([], [("PT2", "Platform")])
    assert pd_user.plan_teams(current, [("PT3", "Data")], "merge") == ([("PT3", "Data")], [])
    assert pd_user.plan_teams(current, [], "exact") == ([], [("PT1", "Checkout"), ("PT2", "Platform")])
    assert pd_user.plan_teams([], [("PT3", "Data")], "exact") == ([("PT3", "Data")], [])


def test_incident_list_is_bounded():
    incidents = [{"id": "PI%d" % n, "incident_number": n, "title": "t%d" % n} for n in range(1, 14)]
    text = pd_user.incidents_text(incidents)
    assert text.startswith("#1 t1 (PI1), #2 t2 (PI2)") and text.endswith("#10 t10 (PI10), and 3 more")


# -- teams: asked about only when the user is not on them already, through the resolver --------------------

def test_teams_known_to_the_user_cost_no_request():
    client = FakeClient({})
    teams = pd_user.Teams(Resolver(client), refs(("PTCHKOT", "Checkout"), ("PTPLATF", "Platform")))
    assert teams.resolve(["Checkout", "PTPLATF", "Checkout"]) == [("PTCHKOT", "Checkout"), ("PTPLATF", "Platform")]
    assert client.calls == []


def test_a_name_in_another_case_is_asked_about_since_another_team_may_match_it_exactly():
    client = FakeClient({"/teams": {"teams": [{"id": "PT1", "name": "checkout"}, {"id": "PT2", "name": "Checkout"}]}})
    teams = pd_user.Teams(Resolver(client), refs(("PT2", "Checkout")))
    assert teams.resolve(["checkout"]) == [("PT1", "checkout")]
    assert [(c[0], c[1]) for c in client.calls] == [("GET", "/teams")]


def test_new_teams_by_id_and_by_name():
    client = FakeClient({
        "/teams/PTDATA1": {"team": {"id": "PTDATA1", "name": "Data"}},
        "/teams/PLATFORMS": not_found("/teams/PLATFORMS"),
        "/teams": {"teams": [{"id": "PTPLAT2", "name": "PLATFORMS"}, {"id": "PTPLAT3", "name": "Platforms EU"}]},
    })
    teams = pd_user.Teams(Resolver(client), [])
    # PLATFORMS looks like an ID; when no team has that ID it is taken as a name
    assert teams.resolve(["PTDATA1", "PLATFORMS"]) == [("PTDATA1", "Data"), ("PTPLAT2", "PLATFORMS")]
    asked = [(c[0], c[1]) for c in client.calls]
    assert asked == [("GET", "/teams/PTDATA1"), ("GET", "/teams/PLATFORMS"), ("GET", "/teams")]


def test_several_team_names_are_resolved_from_one_listing():
    client = FakeClient({}, {"/teams": [{"id": "PT1", "name": "Checkout"}, {"id": "PT2", "name": "Platform"},
                                        {"id": "PT3", "name": "platform"}]})
    teams = pd_user.Teams(Resolver(client), [])
    assert teams.resolve(["CHECKOUT", "platform"]) == [("PT1", "Checkout"), ("PT3", "platform")]
    assert [c[0] for c in client.calls] == ["LIST"]
    with pytest.raises(PagerDutyError, match=r"^teams: 'platFORM' matches 2 teams without regard to case: "
                                             r"Platform \(PT2\), platform \(PT3\); use the ID$"):
        pd_user.Teams(Resolver(client), []).resolve(["Checkout", "platFORM"])
    with pytest.raises(PagerDutyError, match="^teams: no team is named 'Nope'$"):
        pd_user.Teams(Resolver(client), []).resolve(["Checkout", "Nope"])


# -- IDs and names, as pd_user_info and the incident modules use them ----------------------------------------


# -- planning and applying a user ------------------------------------------------------------------------

JANE = {"id": "PXPGF42", "type": "user", "name": "Jane", "email": "Jane@Example.com", "role": "user",
        "job_title": None, "teams": refs(("PT1", "Checkout"))}


def test_a_user_that_is_as_desired_has_an_empty_plan():
    desired = {"name": "Jane", "email": "jane@example.com", "job_title": "", "role": "user"}
    plan = pd_user.plan_user(JANE, desired, found_by_email=True)
    assert plan.fields == {} and not plan.changes.changed


def test_only_the_fields_that_differ_are_planned():
    plan = pd_user.plan_user(JANE, {"name": "Jane Doe", "email": "jane@example.com", "role": "limited_user"},
                             found_by_email=False)
    assert plan.fields == {"name": "Jane Doe", "email": "jane@example.com", "role": "limited_user"}, \
        "found by ID, an address in another case is a change PagerDuty stores"
    assert plan.changes.diff()["before"] == {"name": "Jane", "email": "Jane@Example.com", "role": "user"}


def test_a_new_user_gets_every_field_and_the_state_change():
    plan = pd_user.plan_user(None, {"name": "Ann", "email": "ann@example.com"}, True, [("PT1", "Checkout")])
    assert plan.creating and plan.fields == {"name": "Ann", "email": "ann@example.com"}
    assert plan.adding == [("PT1", "Checkout")]
    assert plan.changes.items()[-1] == ("state", "absent", "present")
    assert plan.predicted(True) == {"type": "user", "name": "Ann", "summary": "Ann", "email": "ann@example.com",
                                    "teams": [{"id": "PT1", "type": "team_reference", "summary": "Checkout"}]}


def test_teams_exact_plans_the_removal_and_shows_the_names():
    plan = pd_user.plan_user(JANE, {}, True, [("PT2", "Platform")], "exact")
    assert plan.adding == [("PT2", "Platform")] and plan.removing == [("PT1", "Checkout")]
    assert plan.changes.diff() == {"before": {"teams": ["Checkout"]}, "after": {"teams": ["Platform"]}}
    assert plan.predicted(True)["teams"] == [{"id": "PT2", "type": "team_reference", "summary": "Platform"}]


@pytest.mark.parametrize("given, current, check_mode, expected", [
    (dict(user_id="PNOONE1"), None, False, ("user_id: no PagerDuty user has the ID PNOONE1", None)),
    (dict(email="a@example.com"), None, False, ("name is required to create the user a@example.com", None)),
    (dict(email="a@example.com", name="A"), None, False, ("from_email (or PAGERDUTY_FROM_EMAIL) is required", None)),
    (dict(email="a@example.com", name="A"), None, True, (None, "from_email (or PAGERDUTY_FROM_EMAIL) is required")),
    (dict(email="a@example.com", name="A", from_email="ops@example.com"), None, False, (None, None)),
    (dict(user_id="PXPGF42"), JANE, False, (None, None)),
])
def test_creation_problems(given, current, check_mode, expected):
    params = dict(dict((name, None) for name in pd_user.ARGUMENT_SPEC), **dict(dict(from_email=None), **given))
    desired = dict((k, v) for k, v in given.items() if k in ("email", "name"))
    error, warning = pd_user.creation_problem(params, desired, current, check_mode)
    for found, wanted in ((error, expected[0]), (warning, expected[1])):
        assert (found is None) if wanted is None else found.startswith(wanted)


def test_role_problems():
    owner = dict(JANE, role="owner")
    assert pd_user.role_problem(JANE, pd_user.plan_user(JANE, {"role": "owner"}, True)).startswith(
        "role: the PagerDuty API cannot make a user the account owner")
    assert pd_user.role_problem(owner, pd_user.plan_user(owner, {"role": "admin"}, True)).startswith(
        "role: Jane <Jane@Example.com> (PXPGF42) is the account owner")
    stakeholder = pd_user.plan_user(JANE, {"role": "read_only_user"}, True, [("PT2", "Platform")])
    assert pd_user.role_problem(JANE, stakeholder) == ("teams: PagerDuty does not put a read_only_user (Full "
                                                       "Stakeholder) on a team; cannot add the user to Platform")
    assert pd_user.role_problem(JANE, pd_user.plan_user(JANE, {"role": "admin"}, True, [("PT2", "P")])) is None


def test_applying_a_plan_writes_the_user_then_the_teams_then_reads_it_back():
    plan = pd_user.plan_user(JANE, {"name": "Jane Doe"}, True, [("PT2", "Platform")], "exact")
    client = FakeClient({"PUT /users/PXPGF42": {"user": dict(JANE, name="Jane Doe")},
                         "/users/PXPGF42": {"user": dict(JANE, name="Jane Doe", teams=refs(("PT2", "Platform")))}})
    user = pd_user.apply_user_plan(client, Resolver(client), plan)
    assert [(c[0], c[1]) for c in client.calls] == [
        ("PUT", "/users/PXPGF42"), ("PUT", "/teams/PT2/users/PXPGF42"), ("DELETE", "/teams/PT1/users/PXPGF42"),
        ("GET", "/users/PXPGF42")]
    assert client.calls[0][2] == {"user": {"type": "user", "name": "Jane Doe", "email": "Jane@Example.com"}}
    assert user["teams"] == refs(("PT2", "Platform"))


def test_a_402_on_a_team_write_is_one_line_about_the_plan():
    from ansible_collections.oncall.pagerduty.plugins.module_utils.errors import PagerDutyAPIError
    refused = PagerDutyAPIError(402, "PUT", "u", "/teams/PT2/users/PXPGF42", message="Payment Required")
    client = FakeClient({"PUT /teams/PT2/users/PXPGF42": refused})
    plan = pd_user.plan_user(JANE, {}, True, [("PT2", "Platform")])
    with pytest.raises(pd_user.TeamsUnavailable, match=r"^teams: this PagerDuty account's plan does not include "
                                                       r"teams \(PagerDuty answered 402 on PUT /teams/PT2/users"):
        pd_user.apply_user_plan(client, Resolver(client), plan)
