"""Education: Classes, textbooks and tests in one portal, with help suggested where you struggle."""

from flask_babel import lazy_gettext as _l

from dcx.education import customer_card, jobs, meetings, seed, simulate, views
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="education",
    title=_l("Education"),
    icon="mortarboard",
    promise=_l(
        "Classes, textbooks and tests in one portal, with help suggested where you struggle."
    ),
    persona=_l("%(maria)s, a first-year student"),
    story=_l(
        "A student signs in to the university portal to reach classes and digital textbooks. Each module ends with a test, and the portal suggests material for the topics the student found hard. Professors are a message or a booked meeting away, on the web or on the phone. The student feels personally supported."
    ),
    blueprint=views.bp,
    staff_endpoint="education.staff.home",
    jobs=jobs_in(jobs),
    topics=(
        Topic("education.reply", _l("A professor replied to you"), ("email", "push")),
        Topic("education.reminder", _l("Office hours tomorrow"), ("email", "push")),
        Topic("education.booking", _l("A student booked your office hours"), ("email",)),
        Topic(
            meetings.CANCELLED_TOPIC,
            _l("Your office hours booking was cancelled"),
            ("email",),
            attachments=meetings.cancellation_attachments,
        ),
        Topic("education.nudge", _l("Pick up where you left off"), ("email",)),
        Topic("education.digest", _l("Weekly progress digest"), ("email",)),
    ),
    timeline_kinds={
        "test_submitted": _l("Module test submitted"),
        "module_unlocked": _l("Module unlocked"),
        "office_hours_booked": _l("Office hours booked"),
    },
    seed=seed.seed,
    simulate=simulate.period,
    scale=seed.scale,
    tour=(
        TourStep(
            _l("%(maria)s's courses"),
            _l(
                "%(maria)s signs in and sees both her courses, how far she is in each, and the next step the portal suggests."
            ),
            "education.index",
            "maria",
            "#education-dashboard",
        ),
        TourStep(
            _l("Where she struggled"),
            _l(
                "Her first test went well except one topic. The portal names the questions she missed and points her to the exact textbook sections and extra exercises."
            ),
            "education.mastery_overview",
            "maria",
            "[data-suggestion]",
        ),
        TourStep(
            _l("A professor a message away"),
            _l(
                "She asks her professor a question; the reply appears in the chat without reloading, and reaches her phone if she has already left."
            ),
            "education.messages",
            "maria",
            "#conversations",
        ),
        TourStep(
            _l("Office hours in her calendar"),
            _l(
                "She books a slot about her weak topic and adds the invitation to her calendar; a reminder arrives the day before."
            ),
            "education.office_hours",
            "maria",
            "[data-slot]",
        ),
        TourStep(
            _l("The professor's class view"),
            _l(
                "The professor sees each student's progress, which topics the class finds hard, who is stuck, and who booked her office hours."
            ),
            "education.staff.home",
            "professor",
            "[data-course]",
        ),
    ),
    calendar=meetings.calendar_entries,
    summary_card=customer_card.summary_card,
)
