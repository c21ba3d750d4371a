"""Effects shared by the processes: ``effect(ctx)`` functions the engine runs
after a transition, inside its transaction. They change ``case.data`` through
``ctx.update_data`` (and, where a case decides it, a person); nothing else
changes a case."""

from __future__ import annotations


def store_request(ctx):
    """Add the payload's ``requested_on`` (ISO date) to the case's
    ``self_review_requests``: one more request for a self-review that went unanswered."""
    requests = list(ctx.data.get("self_review_requests", []))
    requests.append(ctx.payload["requested_on"])
    ctx.update_data(self_review_requests=requests)


def store_self_review(ctx):
    """Keep whether the member submitted a self-review (payload ``submitted`` is
    ``"yes"``) and the penalty they proposed for themselves, if the form asks for
    one (payload ``member_proposed_form``; None otherwise)."""
    ctx.update_data(self_review_submitted=ctx.payload.get("submitted") == "yes",
                    member_proposed_form=ctx.payload.get("member_proposed_form") or None)

