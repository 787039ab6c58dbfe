"""A person in isolation/quarantine: the physical slot is lost (cancelled, re-queued at
release) unless video hearings from quarantine are allowed and a video room is free."""
from __future__ import annotations

from ketensim.model.chain import Chain
from ketensim.scenario.schema import Scenario

from conftest import stationary

KIND = "unit"


def hear_blocked(from_quarantine: bool) -> tuple[Chain, object]:
    raw = stationary(rooms=2, persons_per_week=0.0, warmup_days=0, weeks=4)
    raw["ind"]["video"] = {"ind_rooms": {"Zevenaar": 2}, "coa_rooms": 2, "slots_per_room_per_week": 7,
                           "from_quarantine": from_quarantine}
    chain = Chain(Scenario.model_validate(raw), 0)
    hh = chain.new_household("first", 1, 1, 0.0)
    person = hh.members[0]
    person.blocked_until = 5.0
    done = chain.rooms.request(person)
    chain.run()
    return chain, done


def test_video_from_quarantine_uses_a_free_video_room():
    chain, done = hear_blocked(True)
    assert done.value == "video" and done.triggered
    assert sum(chain.rec.counts.get("ind.hearings_cancelled", [0])) == 0


def test_without_video_from_quarantine_the_slot_is_lost_and_the_person_heard_later():
    chain, done = hear_blocked(False)
    assert sum(chain.rec.counts["ind.hearings_cancelled"]) == 1
    assert done.triggered and done.value == "physical"
    assert chain.rooms.waits and min(chain.rooms.waits) == 0.0  # re-queued at release, heard then
