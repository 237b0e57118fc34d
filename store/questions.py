"""The question bank: one suggested question per person before each 1:1, in a fair rotation."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

GENERAL = "General"
ALIGNMENT = "Alignment"
PROGRESS = "Progress"
RELATIONSHIPS = "Relationships"
ASPIRATIONS = "Aspirations"
NEXT_STEPS = "Next steps"

CATEGORIES: tuple[str, ...] = (GENERAL, ALIGNMENT, PROGRESS, RELATIONSHIPS, ASPIRATIONS, NEXT_STEPS)

BOTH = "both"
MANAGER = "manager"
REPORT = "report"
ROLES: tuple[str, ...] = (MANAGER, REPORT)
AUDIENCES: tuple[str, ...] = (BOTH, MANAGER, REPORT)

MAX_KEY_LENGTH = 64
MAX_TEXT_LENGTH = 150


@dataclass(frozen=True)
class Question:
    """A question one person can bring to the 1:1; `audience` says who it is suggested to."""

    key: str
    category: str
    text: str
    audience: str


def _q(key: str, category: str, text: str, audience: str = BOTH) -> Question:
    """Build a bank entry; the audience is both sides unless given."""
    return Question(key=key, category=category, text=text, audience=audience)


BANK: tuple[Question, ...] = (
    # General: how the person is doing, energy, workload, time off.
    _q(
        "general-energy",
        GENERAL,
        "How's your energy this week: running on empty, fully charged, or somewhere in between?",
    ),
    _q(
        "general-how-are-you",
        GENERAL,
        "How are you doing, really, at work and outside of it?",
    ),
    _q("general-on-your-mind", GENERAL, "What's been on your mind most since we last talked?"),
    _q(
        "general-best-and-hardest",
        GENERAL,
        "What was the best part of your week, and what was the hardest?",
    ),
    _q(
        "general-workload",
        GENERAL,
        "How does your workload feel right now: too much, too little, or about right?",
    ),
    _q(
        "general-time-off",
        GENERAL,
        "When did you last take a real break? Is there time off you'd like to plan?",
    ),
    _q(
        "general-what-you-need",
        GENERAL,
        "What do you need more of, or less of, to do your best work?",
    ),
    _q("general-surprise", GENERAL, "What surprised you this week, good or bad?"),
    _q(
        "general-take-off-plate",
        GENERAL,
        "Is there anything I could take off your plate right now?",
        MANAGER,
    ),
    _q(
        "general-how-is-team",
        GENERAL,
        "How are you and the team doing this week, from where you sit?",
        REPORT,
    ),
    # Alignment: team priorities and how the work connects to them.
    _q(
        "alignment-team-priorities",
        ALIGNMENT,
        "What do you see as the team's top three priorities right now?",
    ),
    _q(
        "alignment-connect-work",
        ALIGNMENT,
        "How does what you're working on connect to what the team needs most this quarter?",
        MANAGER,
    ),
    _q(
        "alignment-my-work-matters",
        ALIGNMENT,
        "How does my work connect to the team's biggest goals right now?",
        REPORT,
    ),
    _q(
        "alignment-clear-to-say-no",
        ALIGNMENT,
        "Are our priorities clear enough that you could say no to something without asking me?",
        MANAGER,
    ),
    _q(
        "alignment-what-to-drop",
        ALIGNMENT,
        "If we had to drop one thing this month, what should it be?",
    ),
    _q(
        "alignment-decision-context",
        ALIGNMENT,
        "Is there a recent decision that didn't make sense to you, and should we talk it through?",
    ),
    _q(
        "alignment-company-context",
        ALIGNMENT,
        "Is there anything happening in the company you'd like more context on?",
    ),
    _q(
        "alignment-different-directions",
        ALIGNMENT,
        "Where do you feel we're pulling in different directions?",
    ),
    _q(
        "alignment-time-vs-priorities",
        ALIGNMENT,
        "Does the way you spend your time match what matters most right now?",
    ),
    _q(
        "alignment-success-for-me",
        ALIGNMENT,
        "What would a great quarter look like for me, in your words?",
        REPORT,
    ),
    # Progress: wins, roadblocks, lessons, start/stop/continue.
    _q(
        "progress-wins",
        PROGRESS,
        "What's a win from the past week worth celebrating, big or small?",
    ),
    _q(
        "progress-roadblocks",
        PROGRESS,
        "What's slowing you down right now, and how can we clear it?",
    ),
    _q("progress-waiting-on", PROGRESS, "Where are you stuck, or waiting on someone else?"),
    _q(
        "progress-lesson-learned",
        PROGRESS,
        "What's one lesson you learned recently that the rest of the team should hear?",
    ),
    _q("progress-proud-of", PROGRESS, "What are you most proud of since our last 1:1?"),
    _q("progress-at-risk", PROGRESS, "Is anything at risk of slipping? What would help it land?"),
    _q(
        "progress-start-stop-continue",
        PROGRESS,
        "What's one thing we should start, one we should stop, and one we should keep doing?",
    ),
    _q(
        "progress-quality-and-speed",
        PROGRESS,
        "Are we trading off quality and speed in the right places?",
    ),
    _q(
        "progress-feedback-on-work",
        PROGRESS,
        "Is there a piece of your recent work you'd like my feedback on?",
        MANAGER,
    ),
    _q(
        "progress-feedback-for-me",
        PROGRESS,
        "Which piece of my recent work would you like to give me feedback on?",
        REPORT,
    ),
    # Relationships: feedback both ways, collaboration, recognition, how we work together.
    _q(
        "relationships-feedback-for-manager",
        RELATIONSHIPS,
        "What's one thing I could do differently to be a better manager for you?",
        MANAGER,
    ),
    _q(
        "relationships-feedback-for-report",
        RELATIONSHIPS,
        "What's one thing I could do better, and one thing I should keep doing?",
        REPORT,
    ),
    _q(
        "relationships-held-back-feedback",
        RELATIONSHIPS,
        "What feedback have you been holding on to for me that I should hear?",
    ),
    _q(
        "relationships-collaboration",
        RELATIONSHIPS,
        "Who have you enjoyed working with lately, and who's been harder to work with?",
    ),
    _q(
        "relationships-recognition",
        RELATIONSHIPS,
        "Who on the team deserves a thank-you this week?",
    ),
    _q(
        "relationships-communication",
        RELATIONSHIPS,
        "How is the way we communicate working for you: channels, frequency, level of detail?",
    ),
    _q(
        "relationships-better-one-on-ones",
        RELATIONSHIPS,
        "How could our 1:1s be more useful to you?",
    ),
    _q(
        "relationships-team-mood",
        RELATIONSHIPS,
        "How does the team feel to you lately? Anything I might be missing?",
    ),
    _q(
        "relationships-tension",
        RELATIONSHIPS,
        "Is there any tension with someone that we should talk about before it grows?",
    ),
    _q(
        "relationships-partners",
        RELATIONSHIPS,
        "Who outside our team could you learn from or partner with?",
    ),
    # Aspirations: career goals and growth.
    _q(
        "aspirations-career-goals",
        ASPIRATIONS,
        "Where would you like your career to be in two or three years?",
    ),
    _q(
        "aspirations-skill-to-grow",
        ASPIRATIONS,
        "What skill would you most like to grow this year?",
    ),
    _q(
        "aspirations-energizing-work",
        ASPIRATIONS,
        "Which parts of your work give you energy, and which drain it?",
    ),
    _q(
        "aspirations-stretch-project",
        ASPIRATIONS,
        "What's a stretch project you'd love to take on?",
    ),
    _q(
        "aspirations-next-level",
        ASPIRATIONS,
        "What would I need to show to be ready for the next level?",
        REPORT,
    ),
    _q(
        "aspirations-support-growth",
        ASPIRATIONS,
        "How can I help you grow toward where you want to go?",
        MANAGER,
    ),
    _q(
        "aspirations-curious-about",
        ASPIRATIONS,
        "What have you been curious about lately, at work or outside of it?",
    ),
    _q(
        "aspirations-redesign-role",
        ASPIRATIONS,
        "If you could redesign your role, what would you change?",
    ),
    _q(
        "aspirations-admired-career",
        ASPIRATIONS,
        "Whose career do you admire, and what is it about it that you admire?",
    ),
    # Next steps: commitments, follow-ups, decisions, planning ahead.
    _q("next-steps-commitments", NEXT_STEPS, "What are we each committing to before our next 1:1?"),
    _q(
        "next-steps-help-this-week",
        NEXT_STEPS,
        "What's one thing I can do this week to help you move forward?",
        MANAGER,
    ),
    _q(
        "next-steps-take-off-your-plate",
        NEXT_STEPS,
        "Is there anything you'd like me to take on or handle for you?",
        REPORT,
    ),
    _q(
        "next-steps-revisit-action",
        NEXT_STEPS,
        "Which action item from last time do we need to revisit?",
    ),
    _q(
        "next-steps-next-week-success",
        NEXT_STEPS,
        "What's the one thing that would make next week a success?",
    ),
    _q(
        "next-steps-decide-today",
        NEXT_STEPS,
        "Is there a decision we should make today rather than later?",
    ),
    _q("next-steps-check-in-next", NEXT_STEPS, "What should we check in on next time?"),
    _q(
        "next-steps-time-off-ahead",
        NEXT_STEPS,
        "Any time off coming up that we should plan around?",
    ),
    _q(
        "next-steps-raise-elsewhere",
        NEXT_STEPS,
        "Is there anything I should raise with other teams or leadership for you?",
        MANAGER,
    ),
    _q(
        "next-steps-not-covered",
        NEXT_STEPS,
        "Is there anything we didn't get to today that we should make time for?",
    ),
)

_BY_KEY: dict[str, Question] = {question.key: question for question in BANK}


def by_key(key: str) -> Question | None:
    """The question with this key, or None when the bank no longer has it."""
    return _BY_KEY.get(key)


def questions_for(role: str) -> tuple[Question, ...]:
    """Every question that may be suggested to `role` ("manager" or "report"), in bank order."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    return tuple(question for question in BANK if question.audience in (BOTH, role))


def pick_question(*, asked_keys: Sequence[str], role: str, seed: int) -> Question:
    """The next question to suggest to `role`, given every key already suggested to the pair."""
    available = questions_for(role)
    available_keys = {question.key for question in available}
    used: set[str] = set()
    last_asked: dict[str, int] = {}
    last_category: str | None = None
    for index, key in enumerate(asked_keys):
        question = _BY_KEY.get(key)
        if question is None:
            continue
        last_category = question.category
        last_asked[key] = index
        if key in available_keys:
            used.add(key)
            if len(used) == len(available_keys):
                used.clear()
    remaining = [question for question in available if question.key not in used]
    fresh_category = [q for q in remaining if q.category != last_category]
    counts = Counter(question.category for question in remaining)
    keeps_variety = [q for q in fresh_category if _can_follow(q.category, counts)]
    candidates = keeps_variety or fresh_category or remaining
    return min(candidates, key=lambda q: (last_asked.get(q.key, -1), _tiebreak(seed, q.key)))


def _can_follow(category: str, counts: Counter[str]) -> bool:
    """Whether the rest of the round can still alternate categories after asking `category`."""
    total = sum(counts.values())
    return counts[category] <= (total + 1) // 2 and all(
        count <= total // 2 for other, count in counts.items() if other != category
    )


def _tiebreak(seed: int, key: str) -> bytes:
    """A stable pseudo-random rank of `key` for this seed (no global random state)."""
    return hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
