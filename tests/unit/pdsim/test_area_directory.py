"""The directory area on its own: built from the plumbing and a set of abilities, no other area, no HTTP."""

import re

import pytest

from pdsim.errors import ArgumentsCausedError, InvalidInput, NotFound, PaymentRequired
from pdsim.model.core import Plumbing
from pdsim.model.directory import Directory

SEED = {
    "users": [{"id": "PALICE1", "name": "Alice", "email": "alice@example.com", "role": "owner"},
              {"name": "Bob", "email": "bob@example.com", "time_zone": "Asia/Tokyo"}],
    "teams": [{"id": "PTEAM01", "name": "Ops", "members": [{"user": "bob@example.com", "role": "manager"},
                                                           {"user": "PALICE1"}]}],
    "tokens": [{"token": "alice-token", "user": "alice@example.com"}, {"token": "account-token", "read_only": True}],
}


def build(seed=None, abilities=("teams",), time_zone="Europe/Paris", rng_seed=1):
    directory = Directory(Plumbing(rng_seed), set(abilities), time_zone)
    directory.load(SEED if seed is None else seed)
    return directory


def test_seed_users_teams_and_tokens():
    directory = build()
    alice, bob = directory.user_by_email("ALICE@example.com"), directory.user_by_email("bob@example.com")
    assert alice["id"] == "PALICE1" and re.match(r"^P[A-Z0-9]{6}$", bob["id"])
    assert alice["time_zone"] == "Europe/Paris" and bob["time_zone"] == "Asia/Tokyo", "the account's zone by default"
    assert directory.team_members["PTEAM01"] == {bob["id"]: "manager", "PALICE1": "responder"}
    assert directory.user_for_token("alice-token") == {"user_id": "PALICE1", "read_only": False}
    assert directory.user_for_token("account-token") == {"user_id": None, "read_only": True}
    assert directory.user_for_token("nope") is None
    assert [c["address"] for c in directory.contact_methods[bob["id"]]] == ["bob@example.com"]


def test_the_same_seed_gives_the_same_ids():
    assert build().user_by_email("bob@example.com")["id"] == build().user_by_email("bob@example.com")["id"]
    assert build().user_by_email("bob@example.com")["id"] != build(rng_seed=2).user_by_email("bob@example.com")["id"]


@pytest.mark.parametrize("seed, message", [
    ({"users": [{"id": "PX", "name": "A", "email": "a@example.com"}, {"id": "PX", "name": "B", "email": "b@ex.com"}]},
     "duplicate id PX in seed"),
    ({"tokens": [{"token": "t", "user": "ghost@example.com"}]}, "token for unknown user ghost@example.com"),
])
def test_seed_mistakes_are_refused(seed, message):
    with pytest.raises(ValueError, match=message):
        build(seed)


def test_seed_user_names_by_email_or_id():
    directory = build()
    assert directory.seed_user("PALICE1")["name"] == directory.seed_user("alice@example.com")["name"] == "Alice"
    with pytest.raises(ValueError, match="unknown user PGHOST1"):
        directory.seed_user("PGHOST1")


def test_requester_from_the_from_header():
    directory = build()
    assert directory.requester_from("Bob@Example.com")["name"] == "Bob"
    with pytest.raises(InvalidInput) as raised:
        directory.requester_from("ghost@example.com")
    assert raised.value.code == 1008 and raised.value.message == "Requester User Not Found"


def test_other_areas_guard_and_follow_deletions():
    directory = build()
    bob = directory.user_by_email("bob@example.com")
    forgotten = []

    def refuse_bob(user):
        if user["name"] == "Bob":
            raise ArgumentsCausedError("Bob is busy")

    directory.guard_user_deletion(refuse_bob)
    directory.on_user_deleted(forgotten.append)
    with pytest.raises(ArgumentsCausedError, match="Bob is busy"):
        directory.delete_user(bob["id"])
    assert bob["id"] in directory.users and forgotten == [], "a refused deletion changes nothing"
    carol = directory.add_user({"name": "Carol", "email": "carol@example.com"})
    directory.set_team_member("PTEAM01", carol["id"])
    directory.delete_user(carol["id"])
    assert forgotten == [carol["id"]] and carol["id"] not in directory.team_members["PTEAM01"]
    assert directory.user_by_email("carol@example.com") is None and carol["id"] not in directory.contact_methods
    with pytest.raises(NotFound):
        directory.delete_user(carol["id"])


def test_abilities_are_read_when_used():
    abilities = {"teams"}
    directory = Directory(Plumbing(), abilities)
    directory.load(SEED)
    assert [t["name"] for t in directory.search_teams()] == ["Ops"]
    abilities.discard("teams")
    with pytest.raises(PaymentRequired):
        directory.search_teams()


def test_generated_users_follow_the_seed():
    directory = build()
    directory.generate_users(3)
    assert [u["name"] for u in directory.search_users(query="scale")] == [
        "Scale User 00001", "Scale User 00002", "Scale User 00003"]
