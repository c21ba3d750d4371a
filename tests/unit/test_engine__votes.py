"""Vote thresholds and quorum in exact integer arithmetic (checked against Fractions)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.votes import MAJORITY, TWO_THIRDS, VoteRule


def vote(entitled, present, vfor, against=0):
    return {"entitled": entitled, "present": present, "votes_for": vfor, "votes_against": against}


def test_two_thirds_boundaries_and_messages():
    assert TWO_THIRDS.evaluate(vote(9, 9, 6)).passed  # 6/9 == 2/3 exactly
    assert not TWO_THIRDS.evaluate(vote(10, 10, 6)).passed
    r = TWO_THIRDS.evaluate(vote(10, 10, 6))
    assert r.message == "6 of 10 entitled voted for; at least 7 (2/3 of 10) are needed."
    assert r.needed == 7


def test_more_than_half_is_strict():
    assert not MAJORITY.evaluate(vote(10, 10, 5)).passed
    assert MAJORITY.evaluate(vote(10, 10, 6)).passed
    assert MAJORITY.evaluate(vote(9, 9, 5)).passed
    assert MAJORITY.evaluate(vote(10, 10, 5)).message == (
        "5 of 10 entitled voted for; at least 6 (more than half of 10) are needed.")


def test_base_present_and_custom_quorum():
    rule = VoteRule(1, 2, strict=True, base="present", quorum_numerator=2, quorum_denominator=3, quorum_strict=False)
    assert rule.evaluate(vote(10, 7, 4)).passed
    assert rule.quorum_reason(vote(10, 6, 4)) == (
        "Only 6 of 10 entitled were present; at least 7 are needed for a quorum.")
    assert rule.quorum_reason(vote(10, 7, 4)) is None


def test_arithmetic_errors():
    assert TWO_THIRDS.check_arithmetic(vote(5, 5, 3, 2)) == {}
    assert set(TWO_THIRDS.check_arithmetic(vote(5, 6, 3, 2))) == {"present"}
    assert set(TWO_THIRDS.check_arithmetic(vote(5, 4, 3, 2))) == {"votes_for"}
    assert set(TWO_THIRDS.check_arithmetic(vote(0, 0, 0, 0))) == {"entitled"}
    assert set(TWO_THIRDS.check_arithmetic({"entitled": 3, "present": 2, "votes_for": 1.5, "votes_against": 0})) == {
        "votes_for"}


@settings(max_examples=300, deadline=None)
@given(
    num=st.integers(1, 9), den=st.integers(1, 9), strict=st.booleans(),
    entitled=st.integers(1, 10_000), data=st.data(),
)
def test_threshold_matches_exact_fractions(num, den, strict, entitled, data):
    rule = VoteRule(num, den, strict=strict)
    present = data.draw(st.integers(0, entitled))
    vfor = data.draw(st.integers(0, present))
    result = rule.evaluate(vote(entitled, present, vfor))
    share = Fraction(vfor, entitled)
    expected = share > Fraction(num, den) if strict else share >= Fraction(num, den)
    assert result.passed == expected
    # "needed" is the smallest count that passes.
    assert rule.evaluate(vote(entitled, entitled, min(result.needed, entitled))).passed == (result.needed <= entitled)
    if result.needed >= 1 and result.needed - 1 <= entitled:
        assert not rule.evaluate(vote(entitled, entitled, result.needed - 1)).passed


def test_votes__for_and_against_as_domain_md_names_them():
    from workflow.votes import normalise_vote_keys

    assert normalise_vote_keys({"for": 7, "against": 2, "entitled": 10}) == {
        "votes_for": 7, "votes_against": 2, "entitled": 10}
    # the canonical names win when both are sent
    assert normalise_vote_keys({"for": 1, "votes_for": 7})["votes_for"] == 7
