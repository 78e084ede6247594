"""Government: Street sensors spot congestion, departments act together, and repairs are published the moment they are done."""

from flask_babel import lazy_gettext as _l

from dcx.government import (
    api,
    cli,
    jobs,
    seed,
    simulate,
    views,
    workspace,
)
from dcx.government.views import open311 as open311_views
from dcx.verticals import Topic, TourStep, Vertical, jobs_in

vertical = Vertical(
    key="government",
    title=_l("Government"),
    icon="buildings",
    promise=_l(
        "Street sensors spot congestion, departments act together, and repairs are published the moment they are done."
    ),
    persona=_l("%(city_officer)s, a city traffic officer"),
    story=_l(
        "Bluetooth sensors on the streets count vehicles and pedestrians. A city employee watches the traffic and shares congestion with the other departments. When the cause is something broken, like a streetlight, the repair is scheduled in an online planner and the crew is followed on the map. When it is fixed, the public hears about it at once. The city comes across as modern and efficient."
    ),
    blueprint=views.bp,
    api_blueprint=api.bp,
    mounts=(("/open311/v2", open311_views.bp),),
    cli=cli.government_group,
    staff_endpoint="government.staff.home",
    seed=seed.load,
    scale=seed.scale,
    summary_card=workspace.summary_card,
    calendar=workspace.calendar,
    simulate=simulate.period,
    jobs=jobs_in(jobs),
    topics=(
        Topic(
            "government.fix_check",
            _l("A repair you reported or follow was fixed"),
            ("email", "push"),
        ),
        Topic(
            "government.incident_shared",
            _l("An incident was shared with your department"),
            ("email",),
        ),
    ),
    timeline_kinds={
        "report_submitted": _l("Report sent to the city"),
        "repair_status": _l("Report status changed"),
        "repair_fixed": _l("Repair fixed"),
    },
    tour=(
        TourStep(
            _l("Traffic at a glance"),
            _l(
                "%(city_officer)s opens the traffic dashboard: sensors count cars and people, and the road turning red has a travel time half again its free-flow time."
            ),
            "government.staff.home",
            "city_officer",
            "#city-map",
        ),
        TourStep(
            _l("Share it with the departments"),
            _l(
                "The congestion is an incident. %(city_officer)s writes down the cause, a broken streetlight, and shares it with public works, who acknowledge it."
            ),
            "government.staff.incidents",
            "city_officer",
        ),
        TourStep(
            _l("Public works on it"),
            _l(
                "%(public_works)s in public works finds the task handed over with the incident: one click acknowledges it, another marks it done, and transport sees both on the incident."
            ),
            "government.staff.tasks",
            "public_works",
            "#department-tasks",
        ),
        TourStep(
            _l("Plan the repair"),
            _l(
                "In the planner %(city_officer)s books the lighting crew for the next free slot; a crew already busy then is refused."
            ),
            "government.staff.planner",
            "city_officer",
            "#week-plan",
        ),
        TourStep(
            _l("A citizen reports a pothole"),
            _l(
                "%(maria)s starts a report on her laptop and finishes it on her phone; she follows it to the end."
            ),
            "government.report",
            "maria",
            "#report-form",
        ),
        TourStep(
            _l("Told at once"),
            _l(
                "When the crew marks the job done, the public page, the Atom feed and the social posts update immediately, and the reporter is asked if it is really fixed."
            ),
            "government.status",
            "",
        ),
    ),
)
