"""A person's own map, to take away: latest ratings with evidence, gaps against the gap
role, and the growth plan. The gaps come from selectors.py, like everywhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.utils import timezone

from assessments.selectors import growth_plan_for, latest_ratings
from core.spreadsheets import csv_text
from people.models import Person

CSV_COLUMNS = [
    "skill",
    "skill_name",
    "category",
    "expected",
    "self",
    "manager",
    "current",
    "gap",
    "self_evidence",
    "manager_evidence",
    "focus_target_level",
    "actions",
]


def map_export(*, person: Person) -> dict[str, Any]:
    """Everything My map shows, as data. 6 queries."""
    plan = growth_plan_for(person=person, suggestions=0)
    ratings = latest_ratings(person=person)
    gaps = plan.gaps
    return {
        "person": {
            "username": person.username,
            "name": person.get_full_name(),
            "role": person.role.key if person.role else None,
            "target_role": person.target_role.key if person.target_role else None,
        },
        "exported_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "gaps": {
            "role": gaps.role.key if gaps.role else None,
            "readiness": gaps.readiness,
            "skills": [
                {
                    "skill": row.key,
                    "expected": row.expected,
                    "self": row.self_level,
                    "manager": row.manager_level,
                    "current": row.current,
                    "gap": row.gap,
                }
                for row in gaps.rows
            ],
        },
        "ratings": [
            {
                "skill": rating.skill.key,
                "kind": kind,
                "level": rating.level,
                "evidence": rating.evidence,
                "by": rating.assessment.author.username,
                # Submitted, so set (the assessment_submitted_at_iff_submitted constraint).
                "submitted_at": cast(datetime, rating.assessment.submitted_at)
                .isoformat()
                .replace("+00:00", "Z"),
            }
            for (kind, _), rating in sorted(
                ratings.items(), key=lambda item: (item[1].skill.key, item[0][0])
            )
        ],
        "growth_plan": {
            "status": plan.plan.status if plan.plan else None,
            "focus": [
                {
                    "skill": f.focus.skill.key,
                    "target_level": f.focus.target_level,
                    "current": f.current,
                    "actions": [
                        {
                            "text": a.text,
                            "due_date": a.due_date.isoformat() if a.due_date else None,
                            "done": a.done,
                        }
                        for a in f.actions
                    ],
                }
                for f in plan.focus
            ],
        },
    }


def map_csv(*, person: Person) -> str:
    """One row per skill that the gap role expects or that someone rated: expected and
    latest levels, the gap, the evidence, and the growth plan's target and actions."""
    plan = growth_plan_for(person=person, suggestions=0)
    ratings = latest_ratings(person=person)
    gap_rows = {row.key: row for row in plan.gaps.rows}
    skills = {row.key: row.loaded_skill for row in plan.gaps.rows}
    skills.update({r.skill.key: r.skill for r in ratings.values()})
    by_kind = {(kind, r.skill.key): r for (kind, _), r in ratings.items()}
    focus = {f.focus.skill.key: f for f in plan.focus}
    lines = []
    # The gap rows in their order (biggest gap first), then skills rated but not expected.
    ordered = [row.loaded_skill for row in plan.gaps.rows]
    ordered += sorted((s for k, s in skills.items() if k not in gap_rows), key=lambda s: s.key)
    for skill in ordered:
        row = gap_rows.get(skill.key)
        own, theirs = by_kind.get(("self", skill.key)), by_kind.get(("manager", skill.key))
        aim = focus.get(skill.key)
        lines.append(
            [
                skill.key,
                skill.name,
                skill.category.name,
                row.expected if row else "",
                own.level if own else "",
                theirs.level if theirs else "",
                _blank(row.current) if row else "",
                row.gap if row else "",
                own.evidence if own else "",
                theirs.evidence if theirs else "",
                aim.focus.target_level if aim else "",
                "; ".join(_action(a) for a in aim.actions) if aim else "",
            ]
        )
    return csv_text(CSV_COLUMNS, lines)


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _action(action: Any) -> str:
    due = f", due {action.due_date.isoformat()}" if action.due_date else ""
    return f"{action.text} ({'done' if action.done else 'open'}{due})"
