"""Health: Goals set with your doctor, tracked between visits, with learning and a supportive community."""

from flask_babel import lazy_gettext as _l

from dcx.health import api, hooks, jobs, simulate, views
from dcx.health.seed import seed
from dcx.health.seed_scale import scale
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="health",
    title=_l("Health"),
    icon="heart-pulse",
    promise=_l(
        "Goals set with your doctor, tracked between visits, with learning and a supportive community."
    ),
    persona=_l("%(maria)s, working on her blood pressure"),
    story=_l(
        "During a visit, the patient and the doctor agree on wellness goals. Between visits the patient logs vital signs, food, exercise and medication in the app, learns with short interactive modules and joins a community of people with the same goals. Health improves, visits become fewer and costs fall. Care feels professional and personal."
    ),
    blueprint=views.bp,
    api_blueprint=api.bp,
    private_timeline=True,
    staff_endpoint="health.staff.home",
    jobs=jobs_in(jobs),
    topics=(
        Topic("health.dose_reminder", _l("Medication reminders"), ("push",)),
        Topic("health.missed_dose", _l("Missed-dose follow-ups"), ("push",)),
        Topic("health.weekly_summary", _l("Weekly health summary"), ("email",)),
        Topic("health.crisis_alert", _l("Patient crisis alerts (care team)"), ("email", "sms")),
        Topic("health.community", _l("Community replies and cheers"), ()),
        Topic("health.goal_proposed", _l("Goals proposed by your care team"), ("email",)),
    ),
    timeline_kinds={
        "visit": _l("Visit"),
        "goal_set": _l("Goal agreed"),
        "goal_reached": _l("Goal reached"),
        "medication_prescribed": _l("Medication prescribed"),
        "module_completed": _l("Learning module completed"),
        "crisis_reading": _l("Very high blood pressure"),
    },
    seed=seed,
    scale=scale,
    calendar=hooks.calendar,
    simulate=simulate.period,
    summary_card=hooks.summary_card,
    tour=(
        TourStep(
            _l("The patient panel"),
            _l(
                "%(clinician)s starts her day with the patients who need her most: out-of-range "
                "readings, missed doses and goals drifting the wrong way rise to the top."
            ),
            "health.staff.home",
            "clinician",
            "#panel",
        ),
        TourStep(
            _l("Goals agreed at the visit"),
            _l(
                "%(maria)s sees the blood-pressure goal she agreed with her doctor, how far she has "
                "come, and can tell her care team how it is going."
            ),
            "health.goals",
            "maria",
            "[data-measure='systolic']",
        ),
        TourStep(
            _l("Readings with meaning"),
            _l(
                "Each reading is placed in its blood-pressure band with plain advice, and the "
                "trend is drawn against her target."
            ),
            "health.vitals",
            "maria",
            "#readings",
        ),
        TourStep(
            _l("Medicines on time"),
            _l(
                "Doses are marked with one tap; adherence is shown as the share of days covered, "
                "with 80 percent as the mark. Reminders arrive at dose times."
            ),
            "health.medications",
            "maria",
            "#doses",
        ),
        TourStep(
            _l("Learning and community"),
            _l(
                "Short modules suggested from her goals, and a group of people with the same "
                "goal who cheer each other on, under names they choose."
            ),
            "health.community",
            "maria",
            "#groups",
        ),
    ),
)
