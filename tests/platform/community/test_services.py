"""The shared community: members, threads, posts, reactions once, reports once, moderation,
all scoped to the vertical that owns the space and read in a bounded number of queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.community import services as community
from dcx.platform.community.models import CommunityReport
from tests.conftest import make_user


@pytest.fixture
def people(app):
    return [make_user(f"p{i}@example.com", f"Person {i}") for i in range(3)]


def _space(vertical="retail", slug="club"):
    (space,) = community.ensure_spaces(vertical, [{"slug": slug, "name": slug.title()}])
    return space


def test_spaces_are_got_or_created_per_vertical(app):
    club = _space("retail", "together")
    group = _space("health", "together")
    assert club.id != group.id
    assert _space("retail", "together").id == club.id
    assert [s.id for s in community.spaces("retail")] == [club.id]
    assert community.space_by_slug("health", "together") is group
    assert community.space_by_id("health", club.id) is None  # another vertical's id
    assert community.space_by_id("retail", "nope") is None


def test_join_leave_and_counts(app, people):
    ana, bo, _cy = people
    club = _space()
    assert community.join(club, ana.id) and community.join(club, bo.id)
    assert not community.join(club, ana.id)
    assert community.spaces_with_counts("retail", ana.id) == [(club, 2, True)]
    assert community.leave(club, ana.id) and not community.leave(club, ana.id)
    assert community.spaces_with_counts("retail", ana.id) == [(club, 1, False)]
    assert community.memberships_of(bo.id, "retail") == 1
    assert community.memberships_of(bo.id, "health") == 0


def test_threads_are_for_members_and_count_visible_posts(app, people):
    ana, bo, _cy = people
    club = _space()
    with pytest.raises(community.CommunityError):
        community.start_thread(club, ana.id, "Hello", "First")
    community.join(club, ana.id)
    thread = community.start_thread(club, ana.id, " Hello ", "First")
    assert thread.title == "Hello"
    with pytest.raises(community.CommunityError):
        community.start_thread(club, ana.id, "Hello", "Again")  # one title per space
    with pytest.raises(community.CommunityError):
        community.reply_in_thread(thread, bo.id, "me too")
    community.join(club, bo.id)
    reply = community.reply_in_thread(thread, bo.id, "me too")
    with pytest.raises(community.CommunityError):
        community.reply_in_thread(thread, bo.id, "   ")
    assert community.threads_of(club.id) == [(thread, 2)]
    community.hide(reply)
    assert community.threads_of(club.id) == [(thread, 1)]
    assert [p.body for p in community.thread_posts(thread)] == ["First"]
    assert community.thread_in("retail", thread.id) is thread
    assert community.thread_in("health", thread.id) is None


def test_react_once_never_ones_own(app, people):
    ana, bo, cy = people
    group = _space("health", "move")
    post = community.post(group, ana.id, "150 minutes!", milestone=True)
    assert not community.react(ana.id, post)
    assert community.react(bo.id, post) and not community.react(bo.id, post)
    assert community.react(cy.id, post)
    reply = community.post(group, bo.id, "Well done", milestone=True, parent=post)
    assert not reply.milestone  # a reply is never a milestone
    (top,) = community.conversations(group, bo.id, author_names=lambda ids: {ana.id: "Walker"})
    assert (top.author, top.reactions, top.reacted) == ("Walker", 2, True)
    assert [r.post.id for r in top.replies] == [reply.id]
    assert top.replies[0].author == ""  # an author the vertical does not name stays unnamed
    (default,) = community.conversations(group, cy.id)
    assert default.author == "Person 0"  # the account name unless the vertical says otherwise


def test_report_once_then_hide_or_dismiss(app, people):
    ana, bo, cy = people
    club, group = _space(), _space("health", "move")
    rude = community.post(club, ana.id, "Rude")
    fine = community.post(club, ana.id, "Fine")
    other = community.post(group, ana.id, "Elsewhere")
    assert community.report(bo.id, rude, " rude ") is not None
    assert community.report(bo.id, rude, "again") is None
    community.report(cy.id, rude, "")
    community.report(bo.id, fine, "meh")
    community.report(bo.id, other, "x")
    queue = community.open_reports("retail")
    assert [(r.post.id, r.reports, r.reasons) for r in queue] == [
        (rude.id, 2, ["rude"]),
        (fine.id, 1, ["meh"]),
    ]
    assert community.open_report_count("retail") == 2
    assert community.open_report_count("health") == 1
    assert community.moderate(rude, "hidden") == 2 and rude.hidden
    assert community.moderate(fine, "dismissed") == 1 and not fine.hidden
    with pytest.raises(community.CommunityError):
        community.moderate(fine, "delete")
    assert community.open_reports("retail") == [] and community.open_report_count("retail") == 0
    statuses = db.session.execute(
        select(CommunityReport.status).where(CommunityReport.post_id.in_([rude.id, fine.id]))
    ).scalars()
    assert sorted(statuses) == ["dismissed", "hidden", "hidden"]
    assert community.visible_post("retail", rude.id) is None
    assert community.visible_post("retail", fine.id) is fine
    assert community.visible_post("health", fine.id) is None


def test_lists_take_a_fixed_number_of_queries(app, query_counter):
    group = _space("health", "move")
    counts = []
    for n in (2, 12):
        authors = [make_user(f"a{n}-{i}@example.com", f"A {i}") for i in range(n)]
        for author in authors:
            post = community.post(group, author.id, "Hello")
            community.react(authors[0].id, post)
            community.report(authors[0].id, post, "why")
            community.post(group, authors[0].id, "Hi", parent=post)
        db.session.commit()
        with query_counter() as q:
            assert len(community.conversations(group, authors[0].id)) >= n
            assert len(community.open_reports("health")) >= n - 1
            community.spaces_with_counts("health", authors[0].id)
        counts.append(q())
    assert counts[0] == counts[1], counts
