"""The health story in Chromium: a visit sets the goal and the medicine, the patient tracks,
learns and posts, another member cheers, a crisis alerts the care team, a reminder arrives once."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_visible()


def _log_bp(page: Page, base: str, systolic: int, diastolic: int) -> None:
    page.goto(f"{base}/health/vitals")
    page.get_by_label("Kind of reading").select_option("bp")
    page.get_by_label("Upper number (systolic, mmHg)").fill(str(systolic))
    page.get_by_label("Lower number (diastolic, mmHg)").fill(str(diastolic))
    page.get_by_role("button", name="Save reading").click()
    expect(page.locator("#readings")).to_contain_text(f"{systolic}/{diastolic}")


def test_health_story(page: Page, browser, live_server, live_db):
    from dcx.extensions import db
    from dcx.health import care_team, community
    from dcx.platform import clock

    with live_db():
        doc = make_user("doc@example.com", "Dr. Lucía Vidal", role="staff", department="health")
        maria = make_user("maria@example.com", "María Popescu")
        member = make_user("member@example.com", "Mo Member")
        care_team.add_to_care_team(maria.id, doc.id)
        community.ensure_groups(
            [
                {
                    "slug": "lower-blood-pressure",
                    "name": "Lower blood pressure",
                    "measure": "systolic",
                }
            ]
        )
        community.set_display_name(member.id, "MoMoves")
        # The demo clock moves forward to the next 10:00 UTC, so dose times are predictable.
        now = clock.now()
        ten = datetime.combine(now.date(), time(10), tzinfo=UTC)
        if ten <= now:
            ten += timedelta(days=1)
        clock.advance(ten - now + timedelta(seconds=5))
        db.session.commit()
        maria_id, doc_id = maria.id, doc.id
        due = (ten.date() + timedelta(days=90)).isoformat()

    base = live_server
    # --- the visit: the clinician agrees a BP goal, prescribes and assigns a module ----------
    _sign_in(page, base, "doc@example.com")
    page.goto(f"{base}/health/staff")
    page.get_by_role("link", name="María Popescu").click()
    page.get_by_role("link", name="Record a visit").click()
    page.get_by_label("Visit notes").fill("Agreed: less salt, daily walks, Lisinopril.")
    page.get_by_label("Goal measure").select_option("systolic")
    page.get_by_label("Baseline (empty: latest readings)").fill("150")
    page.get_by_label("Goal target").fill("130")
    page.get_by_label("Goal due date").fill(due)
    page.get_by_label("Medication name").fill("Lisinopril")
    page.get_by_label("Dose", exact=True).fill("10 mg")
    page.get_by_label("Times of day (e.g. 08:00, 20:00)").fill("09:30, 10:30")
    page.get_by_label("Assign a learning module").select_option("blood-pressure-basics")
    page.get_by_role("button", name="Save visit").click()
    expect(page.locator(".alert-success")).to_contain_text("Visit recorded")
    expect(page.locator("[data-goal]")).to_contain_text("Systolic blood pressure")

    # --- the patient, on her own device --------------------------------------------------
    patient_ctx = browser.new_context()
    p = patient_ctx.new_page()
    _sign_in(p, base, "maria@example.com")
    for s, d in [(146, 92), (140, 88), (136, 86)]:
        _log_bp(p, base, s, d)
    expect(p.locator("#latest-bp")).to_contain_text("High, stage 1")
    expect(p.locator("[data-band='stage2']").first).to_be_visible()
    chart = p.locator(".dcx-chart svg").first
    expect(chart).to_contain_text("Goal: Systolic blood pressure 130")

    p.goto(f"{base}/health/food")
    p.get_by_label("Meal").select_option("lunch")
    p.get_by_label("Food 1").select_option("lentils")
    p.get_by_label("Grams 1").fill("200")
    p.get_by_label("Food 2").select_option("mixed_salad")
    p.get_by_label("Grams 2").fill("100")
    p.get_by_role("button", name="Save meal").click()
    expect(p.locator("[data-nutrient='kcal']")).to_contain_text("249")

    p.goto(f"{base}/health/exercise")
    p.get_by_label("Activity").fill("Brisk walk")
    p.get_by_label("Minutes", exact=True).fill("40")
    p.get_by_label("Intensity").select_option("moderate")
    p.get_by_role("button", name="Save activity").click()
    expect(p.locator("#weekly-minutes")).to_contain_text("40 / 150")

    p.goto(f"{base}/health/medications")
    dose = p.locator("[data-dose='Lisinopril 09:30']")
    dose.get_by_role("button", name="Taken").click()
    expect(p.locator("[data-dose='Lisinopril 09:30']")).to_contain_text("Taken")
    expect(p.locator("#adherence")).to_have_text("100%")

    p.goto(f"{base}/health/goals")
    goal = p.locator("[data-measure='systolic']")
    expect(goal.locator(".goal-current")).to_have_text("140.7")  # average of the last three
    expect(goal.locator(".goal-progress")).to_have_text("47%")
    expect(goal.locator(".dcx-chart svg").first).to_contain_text("Target 130")
    goal.get_by_label("How is it going?").select_option("good")
    goal.get_by_label("Note for your care team").fill("Walking every lunchtime")
    goal.get_by_role("button", name="Check in").click()
    expect(p.locator(".alert-success")).to_contain_text("Check-in sent")

    p.goto(f"{base}/health/learn")
    card = p.locator("[data-module='blood-pressure-basics']")
    expect(card).to_contain_text("Assigned by your care team")
    with p.expect_response(lambda r: r.url.endswith("/learn/blood-pressure-basics/seen")) as seen:
        card.get_by_role("link", name="Start").click()  # the page's read receipt, a POST
    assert seen.value.status == 204
    p.goto(f"{base}/health/learn")  # the mark moved: the module is under way
    card.get_by_role("link", name="Continue").click()
    p.get_by_role("link", name="Next").click()
    p.get_by_role("link", name="Next").click()
    p.get_by_role("link", name="Go to the quiz").click()
    p.get_by_label("The systolic (upper) number").check()
    p.get_by_label("About five minutes").check()
    p.get_by_label("A crisis: measure again and seek care").check()
    p.get_by_role("button", name="Check my answers").click()
    expect(p.locator("#quiz-result")).to_contain_text("Module completed")

    p.goto(f"{base}/health/community/lower-blood-pressure")
    p.get_by_label("Community display name").fill("MariaWalks")
    p.get_by_role("button", name="Save name").click()
    p.get_by_label("Your post").fill(
        "Two weeks of lunchtime walks and my readings are coming down!"
    )
    p.get_by_label("This is a milestone I want to share").check()
    p.get_by_role("button", name="Post", exact=True).click()
    post = p.locator("article[data-post]").first
    expect(post).to_contain_text("MariaWalks")
    expect(post.locator(".cheer-count")).to_have_text("0")

    # --- another member cheers, on another device -----------------------------------------
    member_ctx = browser.new_context()
    m = member_ctx.new_page()
    _sign_in(m, base, "member@example.com")
    m.goto(f"{base}/health/community/lower-blood-pressure")
    m_post = m.locator("article[data-post]").first
    expect(m_post).to_contain_text("Two weeks of lunchtime walks")
    expect(m.locator("body")).not_to_contain_text("María Popescu")  # only the chosen name
    expect(m.locator("#posts")).not_to_contain_text("136/86")
    m_post.get_by_role("button", name="Cheer").click()
    expect(m.locator("article[data-post]").first.locator(".cheer-count")).to_have_text("1")
    p.reload()
    expect(p.locator("article[data-post]").first.locator(".cheer-count")).to_have_text("1")

    # --- a crisis reading alerts the care team --------------------------------------------
    _log_bp(p, base, 186, 122)
    expect(p.locator("#latest-bp")).to_contain_text("Your care team has been alerted")
    with live_db():
        from dcx.platform.notify.models import Message

        alerts = db.session.query(Message).filter_by(user_id=doc_id).all()
        assert [a.topic for a in alerts] == ["health.crisis_alert"]
        assert "186/122" in alerts[0].body
        cheers = db.session.query(Message).filter_by(user_id=maria_id, topic="health.community")
        assert cheers.count() == 1
    page.goto(f"{base}/health/staff")
    row = page.locator(f"#panel tr[data-patient='{maria_id}']")
    expect(row).to_contain_text("Hypertensive crisis")
    page.get_by_role("link", name="María Popescu").click()
    expect(page.locator("#check-ins")).to_contain_text("Walking every lunchtime")

    # --- the clock moves past 10:30: the reminder arrives exactly once ----------------------
    with live_db():
        from dcx.platform.jobs.runner import run_due_jobs
        from dcx.platform.notify.models import Message

        clock.advance(timedelta(minutes=40))
        db.session.commit()
        run_due_jobs()
        run_due_jobs()
        reminders = (
            db.session.query(Message)
            .filter_by(user_id=maria_id, topic="health.dose_reminder")
            .all()
        )
        assert len(reminders) == 1, [r.key for r in reminders]
        assert reminders[0].key.endswith("T1030")

    # --- the patient's pages fit a phone -------------------------------------------------
    p.set_viewport_size({"width": 390, "height": 844})
    page.set_viewport_size({"width": 390, "height": 844})
    checks = [
        (p, path)
        for path in (
            "/health/",
            "/health/vitals",
            "/health/food",
            "/health/medications",
            "/health/goals",
            "/health/community/lower-blood-pressure",
        )
    ]
    checks += [(page, "/health/staff"), (page, f"/health/staff/patients/{maria_id}/visit")]
    for tab, path in checks:
        tab.goto(f"{base}{path}")
        overflow = tab.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
    patient_ctx.close()
    member_ctx.close()
