"""The professor's class a page at a time: who is stuck decided in SQL by the same rule as the
class overview, the topic totals summed in SQL, and pages whose cost does not grow with the
class."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from dcx.education import class_pages, module_tests, services, teaching
from dcx.education.models import EducationAttempt, EducationEnrollment
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.staff_lists import ListRequest
from tests.conftest import make_user
from tests.education.conftest import build_course, miss_beta, right_answers
from tests.education.test_views import login
from tests.page_cost import page_cost

# points out of 10 per attempt: under the pass marks (60 and 50), at them, and just around them
SCORES = (None, 0.0, 5.94, 5.95, 6.0, 10.0)


@pytest.fixture
def app_config():
    """Four students a page, so a small class fills several pages."""
    return {"DCX_STAFF_PAGE_SIZE": 4}


def _attempt(user_id: int, test_id: int, number: int, points: float, submitted=True) -> None:
    db.session.add(
        EducationAttempt(
            user_id=user_id,
            test_id=test_id,
            number=number,
            points=points,
            max_points=10.0,
            submitted_at=clock.now() if submitted else None,
        )
    )


def _class(professor, rule: str, size: int, start: int = 0):
    """A course under ``rule`` and ``size`` students with varied attempts and activity."""
    t = build_course(professor, code=f"R{rule[:3].upper()}{start}", rule=rule)
    combos = list(itertools.product(SCORES, SCORES, SCORES, (0, 3, 9)))
    for n in range(start, start + size):
        first, second, third, idle = combos[(n * 37) % len(combos)]
        user = make_user(f"s{rule}{n:03d}@example.com", f"Student {n:03d}")
        services.enroll(user.id, t.course)
        attempts = [s for s in (first, second, third) if s is not None]
        for number, points in enumerate(attempts, start=1):
            _attempt(user.id, t.t1.id, number, points)
        if n % 4 == 0:  # the second module's test too, and an attempt never submitted
            _attempt(user.id, t.t2.id, 1, 10.0 if n % 8 else 1.0)
            _attempt(user.id, t.t2.id, 2, 0.0, submitted=False)
        enrollment = db.session.query(EducationEnrollment).filter_by(user_id=user.id).one()
        enrollment.last_active_at = clock.now() - timedelta(days=idle)
    db.session.commit()
    return t


@pytest.mark.parametrize("rule", ["highest", "last"])
def test_the_sql_rule_of_stuck_is_the_class_overview_rule(app, rule):
    professor = make_user("prof@example.com", "Prof", role="staff", department="education")
    t = _class(professor, rule, 60)
    rows, totals = teaching.class_overview(t.course)
    expected = [r.user.id for r in rows if r.stuck_reasons]
    summary = class_pages.stuck_students(t.course, limit=1000)
    assert [r.user.id for r in summary.rows] == expected and summary.total == len(expected)
    # the grid reaches both halves of the rule, and not everybody is stuck
    reasons = " ".join(x for r in rows for x in r.stuck_reasons)
    assert "failed" in reasons and "inactive" in reasons and 0 < len(expected) < len(rows)
    first = class_pages.stuck_students(t.course, limit=3)
    assert [r.user.id for r in first.rows] == expected[:3] and first.total == len(expected)
    assert [(m.key, m.earned, m.possible) for m in class_pages.class_totals(t.course)] == [
        (m.key, m.earned, m.possible) for m in totals
    ]


def test_a_page_of_the_class_is_those_students_rows(app):
    professor = make_user("prof@example.com", "Prof", role="staff", department="education")
    t = _class(professor, "highest", 10)
    everyone = {r.user.id: r for r in teaching.class_overview(t.course)[0]}
    seen = []
    for number in (1, 2, 3):
        with app.test_request_context():
            page, rows = class_pages.class_page(t.course, ListRequest(page=number))
        assert page.total == 10 and len(rows) == (4 if number < 3 else 2)
        for row in rows:
            same = everyone[row.user.id]
            assert (row.progress, row.stuck_reasons) == (same.progress, same.stuck_reasons)
            assert row.mastery == same.mastery
        seen += [r.user.id for r in rows]
    assert seen == list(everyone)
    assert class_pages.student_count(t.course) == 10


@pytest.mark.parametrize("rule", ["highest", "last"])
def test_the_students_shown_are_read_as_one_row_each(app, rule):
    """Answers, attempts and chapters read of a page's students are summed in SQL: one row
    a student however much each did, and the same progress, mastery and reasons as the
    class overview words them."""
    professor = make_user("prof@example.com", "Prof", role="staff", department="education")
    t = build_course(professor, rule=rule)
    wrong = {q.id: [0] for q in t.q[:4]}
    for n in range(10):
        user = make_user(f"s{n:03d}@example.com", f"Student {n:03d}")
        services.enroll(user.id, t.course)
        for responses in ([wrong, miss_beta(t), right_answers(t), wrong] * 2)[
            n % 4 : n % 4 + n % 4
        ]:
            module_tests.submit_attempt(module_tests.start_attempt(user.id, t.t1), responses)
        if n % 3 == 0:  # the second test, attempted without answers
            _attempt(user.id, t.t2.id, 1, 10.0 if n % 2 else 1.0)
        if n % 2 == 0:
            services.mark_chapter_read(user.id, t.chapter)
        if n % 5 == 0:
            enrollment = db.session.query(EducationEnrollment).filter_by(user_id=user.id).one()
            enrollment.last_active_at = clock.now() - timedelta(days=9)
    db.session.commit()
    everyone = {r.user.id: r for r in teaching.class_overview(t.course)[0]}
    assert any(r.mastery for r in everyone.values()) and any(
        not r.mastery for r in everyone.values()
    )
    assert any(r.stuck_reasons for r in everyone.values())
    costs = []
    for number in (1, 2):
        with app.test_request_context():
            page, _ = class_pages.class_page(t.course, ListRequest(page=number))
        enrolled = [(e, db.session.get(User, e.user_id)) for e in page.items]
        with page_cost(db.engine) as cost:
            rows = class_pages.student_rows(t.course, enrolled)
        # the course's questions (5) once, then one aggregate row per student shown
        costs.append(cost.as_tuple())
        for row in rows:
            same = everyone[row.user.id]
            assert (row.progress, row.stuck_reasons) == (same.progress, same.stuck_reasons)
            assert row.mastery == same.mastery
    assert costs == [(2, 5 + 4), (2, 5 + 4)]
    stuck = class_pages.stuck_students(t.course, limit=1000)
    assert [r.user.id for r in stuck.rows] == [i for i, r in everyone.items() if r.stuck_reasons]


def test_the_class_view_pages_and_searches(app):
    professor = make_user("prof@example.com", "Prof", role="staff", department="education")
    t = _class(professor, "highest", 10)
    client = login(app, professor)
    url = f"/education/staff/courses/{t.course.id}"
    body = client.get(f"{url}?page=3").get_data(as_text=True)
    assert body.count("data-student=") == 2 and 'rel="prev"' in body
    body = client.get(f"{url}?q=Student 007").get_data(as_text=True)
    assert body.count("data-student=") == 1
    body = client.get(f"{url}?q=nobody").get_data(as_text=True)
    assert body.count("data-student=") == 0 and "No student matches." in body
    for page in ("0", "-1", "x", "99"):
        assert client.get(f"{url}?page={page}").status_code == 200


def test_the_professor_pages_cost_the_same_for_8_and_40_students(app, monkeypatch):
    monkeypatch.setattr(services, "INACTIVE_AFTER", timedelta(days=1))  # many stuck
    professor = make_user("prof@example.com", "Prof", role="staff", department="education")
    t = build_course(professor)
    db.session.commit()
    course_id, test_id, client = t.course.id, t.t1.id, login(app, professor)
    costs, done = [], 0
    for size in (8, 40):
        course = db.session.get(type(t.course), course_id)
        for n in range(done, size):  # most failed twice; some idle
            user = make_user(f"s{n:03d}@example.com", f"Student {n:03d}")
            services.enroll(user.id, course)
            _attempt(user.id, test_id, 1, 0.0)
            _attempt(user.id, test_id, 2, 1.0 if n % 5 else 9.0)
            enrollment = db.session.query(EducationEnrollment).filter_by(user_id=user.id).one()
            enrollment.last_active_at = clock.now() - timedelta(days=n % 3)
        db.session.commit()
        done = size
        db.session.expunge_all()
        measured = []
        for url in ("/education/staff", f"/education/staff/courses/{course_id}"):
            client.get(url)
            with page_cost(db.engine) as cost:
                body = client.get(url).get_data(as_text=True)
            assert "data-stuck-total" in body
            measured.append((cost.statements, cost.rows))
        costs.append(measured)
    assert costs[0] == costs[1], costs
