"""Banking: Open a savings account in minutes, set goals, and know what is safe to spend after bills."""

from flask_babel import lazy_gettext as _l

from dcx.banking import jobs, reports, seed, simulate, views, workspace
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="banking",
    title=_l("Banking"),
    icon="bank",
    promise=_l(
        "Open a savings account in minutes, set goals, and know what is safe to spend after bills."
    ),
    persona=_l("%(alex)s, saving for a trip and a new laptop"),
    story=_l(
        "A customer opens a savings account from the app without visiting a branch, sets savings goals with the budgeting tool, and sees what is safe to spend once bills, payments and goals are counted. Every month a message brings the savings progress and a spending report. The bank feels like a friendly advisor."
    ),
    blueprint=views.bp,
    jobs=jobs_in(jobs),
    topics=(
        Topic(
            "banking.monthly_summary", _l("Monthly savings and spending report"), ("email", "push")
        ),
        Topic("banking.bill_due", _l("A bill is due soon"), ("push",)),
        Topic("banking.low_safe_to_spend", _l("Safe to spend is low"), ("push",)),
        Topic("banking.advisor_note", _l("A note from your bank advisor"), ("email",)),
    ),
    staff_endpoint="banking.staff.home",
    seed=seed.seed,
    scale=seed.scale,
    tour=(
        TourStep(
            _l("Open a savings account"),
            _l(
                "%(alex)s opens a savings account in five short steps, starting on the laptop and finishing on the phone. The APY is worked out from the rate and how often interest is paid."
            ),
            "banking.open_savings",
            "alex",
            "#open-savings",
        ),
        TourStep(
            _l("Goals that plan themselves"),
            _l(
                "Each goal says what to put aside this month, and whether %(alex)s is on track or behind. Reaching one is celebrated."
            ),
            "banking.goals",
            "alex",
            "[data-goal]",
        ),
        TourStep(
            _l("Safe to spend, and why"),
            _l(
                "One number for the days until payday, with a waterfall that shows every bill, pending payment and goal taken into account — including the car instalment from the dealer."
            ),
            "banking.safe_to_spend",
            "alex",
            "#sts-breakdown",
        ),
        TourStep(
            _l("The monthly report"),
            _l(
                "On the 1st, a message links to last month's report: income against spending, categories compared with the month before, top merchants and goal progress."
            ),
            "banking.reports",
            "alex",
            "#report-months",
        ),
        TourStep(
            _l("The advisor's view"),
            _l(
                "Sam, the bank advisor, sees who is behind on their goals and sends a friendly note that lands in the customer's inbox."
            ),
            "banking.staff.home",
            "bank_advisor",
            "#goals-behind",
        ),
    ),
    timeline_kinds={
        "account_opened": _l("Savings account opened"),
        "goal_created": _l("Savings goal set"),
        "goal_reached": _l("Goal reached"),
        "salary_received": _l("Salary received"),
    },
    summary_card=workspace.summary_card,
    calendar=reports.calendar_entries,
    simulate=simulate.period,
)
