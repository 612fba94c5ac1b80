"""`python manage.py demo`: the default framework and a small organisation to log in to.

Users (password "demo"): hana (HR admin), mona (manager of managers), max and mia
(engineering managers under mona), erin and sam (under max), eli (under mia). Submitted
self and manager assessments, with a divergence or two, so every page has data.
Safe to run twice: people are updated in place and assessments added only once.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from assessments.checkins import NewAction, checkin_create, checkin_update
from assessments.cycles import cycle_create, cycle_open
from assessments.evidence import evidence_add
from assessments.feedback import feedback_answer, feedback_request_create
from assessments.models import Assessment, CheckIn, Cycle, Evidence, FeedbackRequest
from assessments.rollups import submitted
from assessments.services import assessment_rate, assessment_start, assessment_submit
from people.models import Person
from skills.models import Role, Skill

PASSWORD = "demo"

# username: (name, role key, target role key, manager username, HR)
PEOPLE: dict[str, tuple[str, str | None, str | None, str | None, bool]] = {
    "hana": ("Hana Hughes", None, None, None, True),
    "mona": ("Mona Martins", "manager-of-managers", None, None, False),
    "max": ("Max Meyer", "engineering-manager", None, "mona", False),
    "mia": ("Mia Moreau", "engineering-manager", "manager-of-managers", "mona", False),
    "erin": ("Erin Evans", "senior-engineer", "staff-engineer", "max", False),
    "sam": ("Sam Sato", "staff-engineer", "principal-engineer", "max", False),
    "eli": ("Eli Ekström", "senior-engineer", None, "mia", False),
}

# When each person's two rounds were, in months ago: six and three, but sam was last
# assessed over a year ago, so his ratings show as stale (CAREERMAP_STALE_AFTER_DAYS).
ROUNDS = {"sam": (16, 13)}

# Levels that make a point on the pages: (person, skill) -> (self, manager).
# erin rates her system design two levels above max's view of it (a divergence);
# eli underrates his mentoring (a divergence the other way).
NOTABLE = {
    ("erin", "system-design"): (4, 2),
    ("erin", "explaining-tech"): (2, 3),
    ("erin", "technical-depth"): (4, 4),
    ("eli", "mentoring"): (1, 3),
    ("max", "delegation"): (4, 3),
}

# What a person might write as evidence, per skill of the default framework: two each
# (one per round), so that no sentence stands behind an unrelated skill.
EVIDENCE = {
    "technical-depth": (
        "Found the cause of the checkout latency spikes: lock contention in the pool.",
        "Rewrote the report generator's queries; the nightly run went from 40 to 6 minutes.",
    ),
    "system-design": (
        "Led the design review for the billing service split; wrote the decision record.",
        "Designed the event schema for orders so that three consumers could evolve apart.",
    ),
    "operational-excellence": (
        "Ran the incident review after the March outage and followed up every action.",
        "Added alerts on queue age; we now page before customers notice a backlog.",
    ),
    "cross-team-projects": (
        "Coordinated the search rollout across three teams against a fixed launch date.",
        "Kept the shared migration plan and its weekly status for the four teams in it.",
    ),
    "explaining-tech": (
        "Explained the migration trade-offs to the finance team in a one-page brief.",
        "Presented the outage's cause and cost to the sales leads without jargon.",
    ),
    "writing-decisions": (
        "Wrote the decision record for moving to managed PostgreSQL, options and costs.",
        "Started the team's RFC template; five proposals have used it since.",
    ),
    "stakeholder-management": (
        "Agreed the reporting scope with finance before we built it, and kept them posted.",
        "Negotiated the launch date down to what we could deliver, with product's support.",
    ),
    "collaboration-conflict": (
        "Brought the two teams arguing over the API ownership to an agreed split.",
        "Mediated the on-call rota dispute; the new rota came from both sides.",
    ),
    "mentoring": (
        "Paired weekly with two newer engineers through their first on-call rotation.",
        "Mentored an engineer through their first design review; they led the next one.",
    ),
    "delegation": (
        "Handed the release process to a teammate with a checklist, then stepped back.",
        "Gave the data import project to a senior engineer and only reviewed the milestones.",
    ),
    "feedback": (
        "Gave a peer specific, written feedback on their review comments' tone.",
        "Asked my team for feedback on our retros and changed the format after it.",
    ),
    "hiring": (
        "Rewrote our interview exercise around a real bug; candidates rate it fairer.",
        "Interviewed eight candidates this quarter and wrote calibrated feedback for each.",
    ),
    "managing-managers": (
        "Coached a new engineering manager through their first performance reviews.",
        "Set up a monthly forum where my managers compare how they rate their people.",
    ),
    "strategic-thinking": (
        "Proposed retiring the legacy API over two quarters, with the customers' path.",
        "Mapped which services block next year's international launch, and in what order.",
    ),
    "technical-direction": (
        "Set the direction for the team's move to typed Python, with a staged plan.",
        "Chose the queueing approach for the platform after comparing three prototypes.",
    ),
    "self-awareness": (
        "Noticed I dominate design meetings; now I speak last and ask first.",
        "Asked my manager where my estimates go wrong; I now add review time explicitly.",
    ),
    "fair-assessment": (
        "Rated my reports against written level descriptors, citing their work.",
        "Compared my ratings with a peer manager's and re-examined two that differed.",
    ),
    "technical-judgement": (
        "Asked what the cache rewrite would cost to undo; we chose the smaller change.",
        "Backed the team's database choice in review after walking through its failure modes.",
    ),
    "business-impact": (
        "Framed the checkout rework as 'handle Black Friday without losing sales'.",
        "Measured the search change after launch: support tickets on search halved.",
    ),
    "product-sense": (
        "Proposed dropping two report filters nobody used; the feature shipped a sprint early.",
        "Read a month of support tickets and brought the top three pains to planning.",
    ),
    "decisions-under-uncertainty": (
        "Picked the reversible option for the feature flag service and revisited it in a month.",
        "Ran a two-week spike before committing to the new message broker.",
    ),
    "project-management": (
        "Kept the export project's plan and weekly progress note; it landed on the date.",
        "Coordinated the response to the payment-provider incident with updates every 30 minutes.",
    ),
    "budget-headcount": (
        "Built next year's headcount plan for the team and defended it with finance.",
        "Cut the cloud bill by a fifth by right-sizing the staging environments.",
    ),
    "team-health-performance": (
        "Noticed the on-call load burning out two people and rebalanced the rota.",
        "Held the hard conversation about missed commitments early, with a clear plan.",
    ),
    "coaching": (
        "Helped a teammate find their own fix for the flaky tests by asking, not telling.",
        "Coached a new lead through their first planning round with questions only.",
    ),
    "hiring-pipeline": (
        "Gave a meetup talk on our data platform; two applicants came from it.",
        "Rewrote the job description with the recruiter; the interview pass rate doubled.",
    ),
    "organisation-design": (
        "Split the platform team along its two services; hand-offs dropped sharply.",
        "Designed the structure for the new payments department with its two managers.",
    ),
}


# What a manager saw, per skill: every manager rating cites it (a rating two levels or
# more from the person's own must cite evidence; the demo's always do). {name} is the
# person's first name.
OBSERVED = {
    "technical-depth": "{name} found the root cause in the last two production bugs we had.",
    "system-design": "{name}'s design for the export job needed a second review round.",
    "operational-excellence": "{name} ran the on-call handover and wrote the runbook updates.",
    "cross-team-projects": "{name} kept the search migration on track with the data team.",
    "explaining-tech": "{name}'s demo to the sales leads was clear and drew good questions.",
    "writing-decisions": "{name} writes a decision record for each change of direction.",
    "stakeholder-management": "{name} negotiated the launch date with support, not around it.",
    "collaboration-conflict": "{name} settled the API naming dispute with the mobile team.",
    "mentoring": "{name} paired weekly with our newest engineer through their first quarter.",
    "delegation": "{name} handed the release process to the team and stayed available.",
    "feedback": "{name} gives specific feedback in reviews and asks for it in retros.",
    "hiring": "{name} ran eight interviews this half and calibrated with the panel.",
    "managing-managers": "{name} coached both team leads through their first reviews.",
    "strategic-thinking": "{name}'s plan for next year weighed three options with costs.",
    "technical-direction": "{name} set the migration path off the legacy queue for two teams.",
    "self-awareness": "{name} named their own blind spot on estimates in our last 1:1.",
    "fair-assessment": "{name}'s ratings of their reports cite work, not impressions.",
    "technical-judgement": "{name} asked the question that changed the caching decision.",
    "business-impact": "{name} explains the team's work in terms of sales and cost.",
    "product-sense": "{name} cut scope from the reports feature with user evidence.",
    "decisions-under-uncertainty": "{name} decided on the broker after a time-boxed spike.",
    "project-management": "{name} kept the export plan visible and flagged risks early.",
    "budget-headcount": "{name}'s headcount plan held through the year.",
    "team-health-performance": "{name} spotted the on-call strain and acted on it quickly.",
    "coaching": "{name} asks before telling in one-to-ones, and people grow from it.",
    "hiring-pipeline": "{name}'s talk and job post brought us two strong candidates.",
    "organisation-design": "{name}'s team split removed most of the hand-offs.",
}

# A few items of each person's evidence log: (title, kind, days ago, skills, description).
# Items the person added themselves; observations are added by their manager.
LOG: dict[str, list[tuple[str, str, int, tuple[str, ...], str]]] = {
    "erin": [
        (
            "Design doc: splitting the billing service",
            "decision",
            40,
            ("system-design", "writing-decisions"),
            "Wrote the design and the decision record; reviewed with two teams.",
        ),
        (
            "Incident review: checkout outage of 14 October",
            "incident",
            50,
            ("operational-excellence",),
            "Coordinated the response and wrote the blameless review.",
        ),
        (
            "Talk: how our payments flow works, for the support team",
            "talk",
            70,
            ("explaining-tech",),
            "Forty minutes, no jargon; the slides are on the wiki.",
        ),
        (
            "Mentoring Sam's intern through the first project",
            "mentoring",
            100,
            ("mentoring",),
            "Weekly pairing for ten weeks; the intern shipped the CSV export.",
        ),
    ],
    "sam": [
        (
            "RFC: one queue for every team's background jobs",
            "decision",
            30,
            ("technical-direction", "system-design"),
            "Adopted by three teams after two review rounds.",
        ),
        (
            "Led the search migration across data and web teams",
            "project",
            90,
            ("cross-team-projects", "stakeholder-management"),
            "Six weeks, two teams, shipped a week early.",
        ),
        (
            "Reviewed the mobile team's API proposal",
            "review",
            20,
            ("collaboration-conflict",),
            "Suggested the naming both teams agreed on.",
        ),
    ],
    "eli": [
        (
            "Onboarding guide for new engineers",
            "writing",
            60,
            ("mentoring", "explaining-tech"),
            "The guide the last three hires started from.",
        ),
        (
            "Incident review: the stuck nightly import",
            "incident",
            35,
            ("operational-excellence", "technical-depth"),
            "Found the lock and wrote the fix and the review.",
        ),
    ],
    "max": [
        (
            "Handed the release process to the team",
            "project",
            80,
            ("delegation",),
            "Wrote the checklist, paired on two releases, then stepped back.",
        ),
        (
            "Hiring panel calibration for the platform roles",
            "review",
            45,
            ("hiring", "fair-assessment"),
            "Eight interviews, one calibration session, notes shared.",
        ),
    ],
    "mia": [
        (
            "Coached two new team leads through their first review cycle",
            "mentoring",
            55,
            ("managing-managers", "feedback"),
            "Fortnightly sessions; both leads' reviews cited work.",
        ),
    ],
}

# Observations: a manager's note in the log of someone below them (added_by, person, item).
OBSERVATIONS: list[tuple[str, str, tuple[str, str, int, tuple[str, ...], str]]] = [
    (
        "max",
        "erin",
        (
            "Ran the architecture guild's session on caching",
            "talk",
            25,
            ("explaining-tech", "technical-depth"),
            "Seen in the room: clear, and the questions were good.",
        ),
    ),
    (
        "mia",
        "eli",
        (
            "Mentored the two interns through their summer project",
            "mentoring",
            120,
            ("mentoring",),
            "Both interns named Eli in their end-of-summer notes.",
        ),
    ),
]


# Input from others (assessments.feedback): erin asks four colleagues about four skills
# and all answer, so system design and explaining tech pass the threshold of 3 while
# mentoring and stakeholder management stay below it (can't-say answers); max asks about
# sam, and nobody has answered yet. (requester, person, skills, message, respondents)
FEEDBACK: list[tuple[str, str, tuple[str, ...], str, tuple[str, ...]]] = [
    (
        "erin",
        "erin",
        ("system-design", "explaining-tech", "mentoring", "stakeholder-management"),
        "I am aiming at Staff Engineer and would like to know how these look from where "
        "you sit: one concrete example each helps me most.",
        ("sam", "eli", "mia", "mona"),
    ),
    (
        "max",
        "sam",
        ("technical-direction", "cross-team-projects", "mentoring"),
        "Sam is aiming at Principal Engineer: how have you seen him set direction beyond our team?",
        ("erin", "eli", "mia"),
    ),
]

# Their answers: respondent -> skill -> (level or None for can't say, example).
FEEDBACK_ANSWERS: dict[str, dict[str, tuple[int | None, str]]] = {
    "sam": {
        "system-design": (
            3,
            "Her billing split design held up in review; the rollback plan was thin.",
        ),
        "explaining-tech": (
            3,
            "Her write-up of the checkout outage was the one support forwarded.",
        ),
        "mentoring": (4, "My intern said her weekly pairing was the most useful hour of the week."),
        "stakeholder-management": (None, ""),
    },
    "eli": {
        "system-design": (
            3,
            "Reviewed her event schema for orders: clear, with versioning thought through.",
        ),
        "explaining-tech": (2, "In the guild session the first half lost the non-backend people."),
        "mentoring": (None, ""),
        "stakeholder-management": (2, "Finance learnt about the reporting delay late, from us."),
    },
    "mia": {
        "system-design": (
            2,
            "The export job design needed a second review round for its failure modes.",
        ),
        "explaining-tech": (
            3,
            "Her caching talk drew good questions from my team's product manager.",
        ),
        "mentoring": (3, "Helped one of my engineers prepare their first design review."),
        "stakeholder-management": (None, ""),
    },
    "mona": {
        "system-design": (
            4,
            "Her decision record on the billing split is the one I point others to.",
        ),
        "explaining-tech": (3, "Explained the outage's cost to the sales leads without jargon."),
        "mentoring": (None, ""),
        "stakeholder-management": (None, ""),
    },
}


class Command(BaseCommand):
    help = "Load the default framework and the demo organisation (refused when DEBUG is off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo creates users with the password 'demo'; refused with DEBUG off. "
                "Set DJANGO_DEBUG=1, or pass --force if you really mean it."
            )
        started = timezone.now()
        call_command("import_framework", stdout=self.stdout, stderr=self.stderr)
        _backdate_framework(since=started)
        with transaction.atomic():
            people = self._people()
            logged = self._evidence(people)
            made = self._assessments(people, logged)
            self._feedback(people)
            self._rhythm(people)
        self.stdout.write(
            f"Demo organisation ready ({len(people)} people, {made} new assessments)."
        )
        self.stdout.write("Log in with any of these (password: demo):")
        for username, (name, *_, manager, is_hr) in PEOPLE.items():
            what = "HR admin" if is_hr else (people[username].role or "no role")
            under = f", reports to {manager}" if manager else ""
            self.stdout.write(f"  {username:<5} {name} ({what}{under})")

    def _people(self) -> dict[str, Person]:
        roles = {r.key: r for r in Role.objects.all()}
        people: dict[str, Person] = {}
        for username, (name, role_key, target_key, manager, is_hr) in PEOPLE.items():
            person = Person.objects.filter(username=username).first() or Person(username=username)
            person.name = name
            person.email = f"{username}@example.com"
            person.role = roles.get(role_key) if role_key else None
            person.target_role = roles.get(target_key) if target_key else None
            person.manager = people[manager] if manager else None
            person.is_hr = is_hr
            person.is_active = True
            person.set_password(PASSWORD)
            person.save()
            people[username] = person
        return people

    def _evidence(self, people: dict[str, Person]) -> dict[tuple[str, str], list[int]]:
        """Each person's log, added once; {(username, skill): item ids} for citations."""
        skills = {s.key: s for s in Skill.objects.active()}
        entries = [(u, u, entry) for u, items in LOG.items() for entry in items]
        entries += OBSERVATIONS
        today = timezone.localdate()
        found: dict[tuple[str, str], list[int]] = {}
        for adder, username, (title, kind, days_ago, keys, description) in entries:
            person = people[username]
            item = Evidence.objects.filter(person=person, title=title).first()
            if item is None:
                item = evidence_add(
                    by=people[adder],
                    person=person,
                    title=title,
                    kind=kind,
                    date=today - timedelta(days=days_ago),
                    description=description,
                    skills=[k for k in keys if k in skills],
                )
            for key in keys:
                found.setdefault((username, key), []).append(item.pk)
        return found

    def _assessments(
        self, people: dict[str, Person], logged: dict[tuple[str, str], list[int]]
    ) -> int:
        """Two rounds of self and manager assessments, three months apart (ROUNDS)."""
        rng = random.Random(7)
        made = 0
        now = timezone.now()
        for username, person in people.items():
            own_role, target_role = (
                {e.skill.key: e.level for e in role.expectations.select_related("skill")}
                if role is not None
                else {}
                for role in (person.role, person.target_role)
            )
            keys = sorted(own_role.keys() | target_role.keys())
            if not keys or Assessment.objects.filter(person=person).exists():
                continue
            for round_, months_ago in enumerate(ROUNDS.get(username, (6, 3))):
                at = now - timedelta(days=30 * months_ago, hours=rng.randint(0, 48))
                own, theirs = [], []
                for key in keys:
                    # People mostly meet their own role's expectations (now and then a
                    # level short or past it), and fall short of a target role's new ones;
                    # some have started to grow towards the target. Earlier rounds sit a
                    # little lower: people grow between them.
                    if key in own_role:
                        base = own_role[key] + rng.choice((0, 0, 0, 0, 1, -1))
                    else:
                        base = target_role[key] - rng.choice((1, 2))
                    if target_role.get(key, 0) > base and rng.random() < 0.3:
                        base += 1
                    base = max(base - (1 - round_), 0)
                    self_level, manager_level = NOTABLE.get(
                        (username, key), (base + rng.choice((0, 0, 1)), base)
                    )
                    if round_ == 0 and (username, key) in NOTABLE:
                        self_level, manager_level = (
                            max(self_level - 1, 0),
                            max(manager_level - 1, 0),
                        )
                    written = EVIDENCE.get(key, ("",))
                    # Some answers carry no evidence, as in real life.
                    evidence = written[round_ % len(written)] if rng.random() < 0.8 else ""
                    own.append({"skill": key, "level": min(self_level, 5), "evidence": evidence})
                    # The manager's rating cites what they saw, and the person's log.
                    observed = OBSERVED.get(key, "").format(name=person.get_short_name())
                    theirs.append(
                        {
                            "skill": key,
                            "level": min(manager_level, 5),
                            "evidence": observed,
                            "evidence_items": logged.get((username, key), []),
                        }
                    )
                rounds = [(person, Assessment.Kind.SELF, own, 0)]
                if person.manager is not None:
                    rounds.append((person.manager, Assessment.Kind.MANAGER, theirs, 5))
                for author, kind, ratings, delay in rounds:
                    draft = assessment_start(by=author, person=person, kind=kind)
                    assessment_rate(by=author, assessment=draft, ratings=ratings)
                    assessment_submit(by=author, assessment=draft)
                    # Spread the history over time (demo data only: submitted_at is
                    # otherwise always the moment of submission).
                    when = at + timedelta(days=delay)
                    Assessment.objects.filter(pk=draft.pk).update(
                        created_at=when - timedelta(days=1), submitted_at=when
                    )
                    # A changed submitted_at can change which rating is latest.
                    submitted(assessment=draft)
                    made += 1
        return made

    def _feedback(self, people: dict[str, Person]) -> None:
        """The requests of FEEDBACK, made once, answered as FEEDBACK_ANSWERS says."""
        due = timezone.localdate(timezone=timezone.get_default_timezone()) + timedelta(days=14)
        for requester, about, keys, message, respondents in FEEDBACK:
            person = people[about]
            if FeedbackRequest.objects.filter(person=person, requester=people[requester]).exists():
                continue
            made = feedback_request_create(
                by=people[requester],
                person=person,
                skills=list(keys),
                respondents=[people[r].pk for r in respondents],
                message=message,
                due=due,
            )
            for respondent in respondents:
                given = FEEDBACK_ANSWERS.get(respondent) if about == "erin" else None
                if given is None:
                    continue
                feedback_answer(
                    by=people[respondent],
                    request=made,
                    answers=[
                        {"skill": key, "level": level, "example": example}
                        for key, (level, example) in given.items()
                    ],
                )

    def _rhythm(self, people: dict[str, Person]) -> None:
        """Once: an open review cycle for everyone (hana's), and a check-in of max with
        erin a week ago, with notes, an agreed action, a private note and the next one
        a week from now."""
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        if not Cycle.objects.filter(name=DEMO_CYCLE).exists():
            cycle = cycle_create(
                by=people["hana"],
                values={
                    "name": DEMO_CYCLE,
                    "scope": Cycle.Scope.EVERYONE,
                    "self_due": today + timedelta(days=14),
                    "feedback_due": today + timedelta(days=21),
                    "manager_due": today + timedelta(days=28),
                    "reminder_days": [7, 1],
                },
            )
            cycle_open(by=people["hana"], cycle=cycle)
        erin, max_ = people["erin"], people["max"]
        if not CheckIn.objects.filter(person=erin).exists():
            checkin = checkin_create(
                by=max_,
                person=erin,
                date=today - timedelta(days=7),
                next_date=today + timedelta(days=7),
            )
            checkin_update(
                by=max_,
                checkin=checkin,
                notes="Talked through the billing split design doc and the on-call handover.",
                private_notes="Ask about the conference budget before the next one.",
                add_actions=[NewAction(text="Write up the billing split decision record")],
            )


DEMO_CYCLE = "Winter 2026 review"


def _backdate_framework(*, since: Any) -> None:
    """The framework's history written by this run, dated a month before the earliest
    round of assessments: a company writes its framework before assessing against it,
    and Home says when a role's expectations changed after someone's last
    self-assessment (demo data only: history is otherwise always the moment of the
    write)."""
    earliest = max(months for rounds in (*ROUNDS.values(), (6, 3)) for months in rounds)
    before = timezone.now() - timedelta(days=30 * (earliest + 1))
    for model in apps.get_app_config("skills").get_models():
        fields = {f.name for f in model._meta.get_fields()}
        if model.__name__.startswith("Historical") and "history_date" in fields:
            model._default_manager.filter(history_date__gte=since).update(history_date=before)
