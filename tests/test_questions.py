"""The question bank's content and the pure rotation that picks the next suggestion."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pytest

from store.questions import (
    BANK,
    CATEGORIES,
    MANAGER,
    REPORT,
    ROLES,
    Question,
    by_key,
    pick_question,
    questions_for,
)

KEY_FORMAT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SEEDS = (0, 1, 7, 42, 1234, 987654321)


def simulate(role: str, seed: int, count: int, history: list[str] | None = None) -> list[Question]:
    """Pick `count` questions for one role, appending each pick to the pair's history."""
    asked = list(history or [])
    picks = []
    for _ in range(count):
        question = pick_question(asked_keys=asked, role=role, seed=seed)
        picks.append(question)
        asked.append(question.key)
    return picks


def simulate_pair(seed: int, rounds: int) -> list[tuple[str, Question]]:
    """Alternate manager and report picks over one shared history, as before each meeting."""
    asked: list[str] = []
    picks = []
    for _ in range(rounds):
        for role in ROLES:
            question = pick_question(asked_keys=asked, role=role, seed=seed)
            picks.append((role, question))
            asked.append(question.key)
    return picks


def test_categories_are_the_playbook_six_in_order() -> None:
    assert CATEGORIES == (
        "General",
        "Alignment",
        "Progress",
        "Relationships",
        "Aspirations",
        "Next steps",
    )


def test_every_category_has_at_least_eight_questions() -> None:
    counts = Counter(question.category for question in BANK)
    assert set(counts) == set(CATEGORIES)
    assert all(counts[category] >= 8 for category in CATEGORIES), counts


def test_every_category_has_at_least_eight_questions_for_each_role() -> None:
    for role in ROLES:
        counts = Counter(question.category for question in questions_for(role))
        assert all(counts[category] >= 8 for category in CATEGORIES), (role, counts)


def test_keys_are_unique_short_dashed_and_name_their_category() -> None:
    keys = [question.key for question in BANK]
    assert len(keys) == len(set(keys))
    for question in BANK:
        assert len(question.key) <= 64, question.key
        assert KEY_FORMAT.match(question.key), question.key
        prefix = question.category.lower().replace(" ", "-") + "-"
        assert question.key.startswith(prefix), question.key


def test_texts_are_short_distinct_questions() -> None:
    texts = [question.text for question in BANK]
    assert len(texts) == len(set(texts))
    for text in texts:
        assert 0 < len(text) <= 150, text
        assert text.endswith("?"), text
        assert text == text.strip(), text
        assert "  " not in text, text


def test_audiences_are_known_and_both_sides_have_their_own_questions() -> None:
    audiences = Counter(question.audience for question in BANK)
    assert set(audiences) == {"both", "manager", "report"}
    assert audiences["both"] > audiences["manager"] + audiences["report"]


def test_the_playbook_topics_are_covered() -> None:
    keys = {question.key for question in BANK}
    for key in (
        "general-energy",
        "general-workload",
        "general-time-off",
        "general-what-you-need",
        "alignment-team-priorities",
        "alignment-connect-work",
        "progress-wins",
        "progress-roadblocks",
        "progress-lesson-learned",
        "progress-start-stop-continue",
        "relationships-feedback-for-manager",
        "relationships-feedback-for-report",
        "relationships-collaboration",
        "aspirations-career-goals",
        "aspirations-skill-to-grow",
        "next-steps-commitments",
    ):
        assert key in keys, key


def test_by_key_finds_a_question_and_answers_none_for_unknown_keys() -> None:
    question = by_key("progress-roadblocks")
    assert question is not None
    assert question.category == "Progress"
    assert question.text.endswith("?")
    assert by_key("no-such-question") is None
    assert by_key("") is None


def test_questions_for_filters_by_audience() -> None:
    manager = questions_for(MANAGER)
    report = questions_for(REPORT)
    assert {q.audience for q in manager} == {"both", "manager"}
    assert {q.audience for q in report} == {"both", "report"}
    assert by_key("relationships-feedback-for-manager") in manager
    assert by_key("relationships-feedback-for-manager") not in report
    assert by_key("aspirations-next-level") in report
    assert by_key("aspirations-next-level") not in manager
    shared = {q.key for q in BANK if q.audience == "both"}
    assert shared == {q.key for q in manager} & {q.key for q in report}


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="role"):
        pick_question(asked_keys=[], role="skip-level", seed=1)
    with pytest.raises(ValueError, match="role"):
        questions_for("")


@pytest.mark.parametrize("role", ROLES)
def test_picks_never_leave_the_role_audience(role: str) -> None:
    allowed = {"both", role}
    for seed in SEEDS:
        picks = simulate(role, seed, 3 * len(questions_for(role)))
        assert all(question.audience in allowed for question in picks)


@pytest.mark.parametrize("role", ROLES)
def test_no_repeat_until_every_question_for_the_role_was_suggested(role: str) -> None:
    available = {question.key for question in questions_for(role)}
    n = len(available)
    for seed in SEEDS:
        picks = [question.key for question in simulate(role, seed, n)]
        assert len(set(picks)) == n
        assert set(picks) == available


@pytest.mark.parametrize("role", ROLES)
def test_after_exhaustion_every_round_again_covers_everything(role: str) -> None:
    available = {question.key for question in questions_for(role)}
    n = len(available)
    for seed in SEEDS:
        picks = [question.key for question in simulate(role, seed, 3 * n + 5)]
        for start in (0, n, 2 * n):
            assert set(picks[start : start + n]) == available
        assert len(set(picks[3 * n :])) == 5


@pytest.mark.parametrize("role", ROLES)
def test_after_exhaustion_the_least_recently_asked_comes_back_first(role: str) -> None:
    n = len(questions_for(role))
    for seed in SEEDS:
        first_round = simulate(role, seed, n)
        history = [question.key for question in first_round]
        comeback = pick_question(asked_keys=history, role=role, seed=seed)
        last_category = first_round[-1].category
        oldest_other_category = next(q for q in first_round if q.category != last_category)
        assert comeback == oldest_other_category
        assert first_round.index(comeback) <= 1


def test_the_rotation_resumes_from_a_history_with_repeats_and_retired_keys() -> None:
    manager_keys = [question.key for question in questions_for(MANAGER)]
    history = [*manager_keys, *manager_keys, "retired-question", *manager_keys[:10]]
    picks = simulate(MANAGER, 3, len(manager_keys) - 10, history)
    assert {q.key for q in picks} == set(manager_keys[10:])
    assert len({q.key for q in picks}) == len(picks)


def test_the_first_pick_from_an_empty_history_is_any_allowed_question() -> None:
    question = pick_question(asked_keys=[], role=REPORT, seed=5)
    assert question in questions_for(REPORT)
    assert pick_question(asked_keys=["retired-question"], role=REPORT, seed=5) == question


@pytest.mark.parametrize("role", ROLES)
def test_consecutive_picks_change_category(role: str) -> None:
    n = len(questions_for(role))
    for seed in SEEDS:
        picks = simulate(role, seed, 3 * n)
        for previous, current in pairwise(picks):
            assert previous.category != current.category, (seed, previous.key, current.key)


def test_the_category_changes_from_the_other_persons_last_suggestion() -> None:
    history = ["progress-wins"]
    for seed in SEEDS:
        for role in ROLES:
            question = pick_question(asked_keys=history, role=role, seed=seed)
            assert question.category != "Progress"
            assert question.key != "progress-wins"


def test_a_pair_alternating_roles_stays_in_audience_and_covers_everything() -> None:
    for seed in SEEDS:
        picks = simulate_pair(seed, 80)
        for role, question in picks:
            assert question.audience in ("both", role)
        suggested = {question.key for _, question in picks}
        for role in ROLES:
            assert {question.key for question in questions_for(role)} <= suggested


def test_a_pair_alternating_roles_almost_always_changes_category() -> None:
    """The other person's picks can leave one category alone in a round: rare, never a repeat."""
    steps = same_category = 0
    for seed in range(40):
        picks = [question for _, question in simulate_pair(seed, 60)]
        steps += len(picks) - 1
        same_category += sum(a.category == b.category for a, b in pairwise(picks))
    assert same_category <= steps // 100


def test_a_pair_alternating_roles_sees_no_repeat_before_the_bank_is_used() -> None:
    shared_and_own = len(questions_for(MANAGER)) + len(questions_for(REPORT))
    union = len({q.key for role in ROLES for q in questions_for(role)})
    assert union < shared_and_own
    for seed in SEEDS:
        picks = [question.key for _, question in simulate_pair(seed, union // 2)]
        assert len(picks) == len(set(picks))


@pytest.mark.parametrize("role", ROLES)
def test_the_same_inputs_give_the_same_pick(role: str) -> None:
    history = ["general-energy", "progress-wins", "aspirations-career-goals"]
    for seed in SEEDS:
        first = pick_question(asked_keys=history, role=role, seed=seed)
        again = pick_question(asked_keys=tuple(history), role=role, seed=seed)
        assert first == again
    assert simulate(role, 99, 40) == simulate(role, 99, 40)


@pytest.mark.parametrize("role", ROLES)
def test_different_seeds_give_different_rotations(role: str) -> None:
    first_picks = {pick_question(asked_keys=[], role=role, seed=seed).key for seed in range(30)}
    assert len(first_picks) >= 10
    sequences = {tuple(q.key for q in simulate(role, seed, 10)) for seed in SEEDS}
    assert len(sequences) == len(SEEDS)


def test_the_pick_does_not_mutate_the_history() -> None:
    history = ["general-energy", "progress-wins"]
    pick_question(asked_keys=history, role=MANAGER, seed=1)
    assert history == ["general-energy", "progress-wins"]
