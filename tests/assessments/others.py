"""Shared by the tests of where input from others shows (issue 18): answered requests,
made through the services (assessments.feedback), never written to the tables."""

from __future__ import annotations

from datetime import timedelta

from assessments.feedback import feedback_answer, feedback_request_create, site_today
from people.models import Person
from tests.factories import PersonFactory

_made = 0


def give_others(person: Person, levels: dict[str, list[int | None]], by: Person | None = None):
    """Ask fresh colleagues about `person`'s skills (slug -> one level per colleague, None
    for "can't say") and have each answer: colleague n gives levels[skill][n], or "can't
    say" where that list is shorter."""
    global _made
    _made += 1
    count = max(len(v) for v in levels.values())
    peers = [PersonFactory(username=f"peer{_made}-{n}") for n in range(count)]
    made = feedback_request_create(
        by=by or person,
        person=person,
        skills=list(levels),
        respondents=[p.pk for p in peers],
        message="Please.",
        due=site_today() + timedelta(days=7),
    )
    for n, peer in enumerate(peers):
        answers = []
        for skill, given in levels.items():
            level = given[n] if n < len(given) else None
            example = f"Example {skill} {level} by {peer.username}" if level is not None else ""
            answers.append({"skill": skill, "level": level, "example": example})
        feedback_answer(by=peer, request=made, answers=answers)
    return peers
