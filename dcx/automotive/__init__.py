"""Automotive: Your car reports its own health: diagnostics, service reminders, recalls, financing and bills in one place."""

from flask_babel import lazy_gettext as _l

from dcx.automotive import api, cli, jobs, obligations, seed, simulate, views, workspace
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="automotive",
    title=_l("Automotive"),
    icon="car-front",
    promise=_l(
        "Your car reports its own health: diagnostics, service reminders, recalls, financing and bills in one place."
    ),
    persona=_l("%(alex)s, who owns two connected cars"),
    story=_l(
        "A new car sends its diagnostics to the maker through an API. Its owner follows them on a dashboard with service reminders and recall notices, and manages the car loan and bill payments in the same place. The brand becomes the trusted expert in caring for the car."
    ),
    blueprint=views.bp,
    api_blueprint=api.bp,
    cli=cli.automotive_group,
    jobs=jobs_in(jobs),
    topics=(
        Topic("automotive.service_reminder", _l("Car service reminders"), ("email", "push")),
        Topic("automotive.trouble_code", _l("Urgent car trouble codes"), ("push", "sms")),
        Topic("automotive.recall", _l("Recall notices"), ("email", "sms")),
        Topic("automotive.bill_due", _l("Car payments due"), ("email",)),
        Topic("automotive.booking", _l("Service booking confirmations"), ("email",)),
    ),
    staff_endpoint="automotive.staff.home",
    seed=seed.load,
    scale=seed.scale,
    tour=(
        TourStep(
            _l("The car reports in"),
            _l(
                "%(alex)s's two cars send their readings over the telematics API. The dashboard "
                "shows each car's health at a glance: good, needs attention or act now."
            ),
            "automotive.index",
            "alex",
            "#automotive-dashboard",
        ),
        TourStep(
            _l("A fault, explained"),
            _l(
                "The Golf's battery has been fading for weeks and now reports P0562. Instead of "
                "five cryptic characters, %(alex)s reads what it means, how serious it is and whether "
                "the car can still be driven, with one click to book a visit."
            ),
            "automotive.index",
            "alex",
            ".dcx-code",
        ),
        TourStep(
            _l("Recalls find the right owners"),
            _l(
                "The maker published a recall for the RAV4. Every affected owner was told at once "
                "and sees what to do and how to book the free repair."
            ),
            "automotive.recalls",
            "alex",
            "#automotive-recalls",
        ),
        TourStep(
            _l("The loan and the bills"),
            _l(
                "The car loan's balance, next instalment, payoff figure and the full amortisation "
                "table sit next to the bills, and an overdue instalment is paid in one click."
            ),
            "automotive.financing",
            "alex",
            "#automotive-bills",
        ),
        TourStep(
            _l("The service advisor's day"),
            _l(
                "%(service_advisor)s sees every car with an active code, service due or an open recall, and how "
                "far each recall campaign has got: notified, booked, remedied."
            ),
            "automotive.staff.home",
            "service_advisor",
            "#automotive-staff",
        ),
    ),
    timeline_kinds={
        "vehicle_added": _l("Vehicle added"),
        "code_reported": _l("Trouble code reported"),
        "service_booked": _l("Service booked"),
        "recall_notice": _l("Recall notice"),
        "service_done": _l("Visit completed"),
        "bill_paid": _l("Bill paid"),
    },
    obligations=obligations.obligations,
    obligations_many=obligations.obligations_many,
    calendar=obligations.calendar_entries,
    summary_card=workspace.summary_card,
    simulate=simulate.period,
)
