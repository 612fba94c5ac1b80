"""A promotion case's packet (issue 20): what the deciders read, JSON-serialisable.

Built live (`build`) from the gap module (gaps_for against the case's target role, with
others' view from assessments.feedback), the person's evidence (assessments.evidence)
and growth plan; frozen into `case.packet` on submission. `of(case)` is the one
reader: the frozen packet once submitted, else the live one. Nothing here computes a
gap or a readiness: the gap module does.

Shape: {"version", "built_at", "person": {id, name, role}, "target_role": {key, name},
"readiness" (0..1 or null), "assessed", "met", "expected_count", "skills": [{key, name,
expected, self, manager, others (median or null), others_answers, current, gap,
evidence: [{id, title, kind, date}]}], "growth_plan": {status, focus: [{skill, name,
target_level, actions: [{text, done, due}]}]}, "assessments": {self, manager} (the
last submitted dates, ISO, or null)}.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from assessments.evidence import citable_by_skill
from assessments.gaps import gaps_for, with_others
from assessments.models import Assessment, FocusSkill, GrowthPlan, PromotionCase
from people.models import Person

VERSION = 1
EVIDENCE_PER_SKILL = 10


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def build(case: PromotionCase) -> dict[str, Any]:
    """The packet as of now (see the module's docstring for its shape)."""
    person = Person.objects.select_related("role", "target_role").get(pk=case.person_id)
    role = case.target_role
    gaps = with_others(gaps_for(person=person, role=role))
    evidence = citable_by_skill(person)
    skills = []
    for row in gaps.rows:
        skill = row.loaded_skill
        others = row.others
        skills.append(
            {
                "key": skill.key,
                "name": skill.name,
                "expected": row.expected,
                "self": row.self_level,
                "manager": row.manager_level,
                "others": others.median if others is not None and others.enough else None,
                "others_answers": others.answers if others is not None else 0,
                "current": row.current,
                "gap": row.gap,
                "evidence": [
                    {"id": e.pk, "title": e.title, "kind": e.kind, "date": _iso(e.date)}
                    for e in evidence.get(skill.pk, [])[:EVIDENCE_PER_SKILL]
                ],
            }
        )
    plan = GrowthPlan.objects.filter(person=person).first()
    focus = (
        FocusSkill.objects.filter(plan=plan)
        .select_related("skill")
        .prefetch_related("actions")
        .order_by("skill__key")
        if plan is not None
        else []
    )
    last = {
        kind: _iso(
            Assessment.objects.filter(person=person, kind=kind, status="submitted")
            .order_by("-submitted_at")
            .values_list("submitted_at", flat=True)
            .first()
        )
        for kind in ("self", "manager")
    }
    return {
        "version": VERSION,
        "built_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "name": person.get_full_name(),
            "role": person.role.name if person.role else None,
        },
        "target_role": {"key": role.key, "name": role.name},
        "readiness": gaps.readiness,
        "assessed": gaps.assessed,
        "met": gaps.met,
        "expected_count": len(gaps.rows),
        "skills": skills,
        "growth_plan": {
            "status": plan.status if plan is not None else None,
            "focus": [
                {
                    "skill": f.skill.key,
                    "name": f.skill.name,
                    "target_level": f.target_level,
                    "actions": [
                        {"text": a.text, "done": a.done, "due": _iso(a.due_date)}
                        for a in f.actions.all()
                    ],
                }
                for f in focus
            ],
        },
        "assessments": last,
    }


def of(case: PromotionCase) -> dict[str, Any]:
    """The frozen packet once submitted; the live one while a draft (or never frozen)."""
    if case.status != PromotionCase.Status.DRAFT and case.packet is not None:
        return dict(case.packet)
    return build(case)


def gaps_that_mattered(packet: dict[str, Any]) -> list[dict[str, Any]]:
    """The skills of a packet with a gap, widest first (the gap module's order)."""
    return [s for s in packet.get("skills", []) if s.get("gap")]
