"""The questionnaire as data: disciplines, their questions, the answer scale and the stages.

Everything the assessment asks, how answers are labelled, where the maturity stages begin and
which demo stories show each discipline done well lives here, so changing the questionnaire
never touches the scoring code or the pages. Texts are marked for translation.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Question:
    """One statement about the prospect's organisation, answered on :data:`SCALE`."""

    id: str
    text: str


@dataclass(frozen=True)
class Discipline:
    """A group of questions scored together (strategy, design ...)."""

    key: str
    title: str
    summary: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Level:
    """One point of the answer scale."""

    value: int
    label: str
    description: str


@dataclass(frozen=True)
class Stage:
    """A maturity stage, reached from ``floor`` (a 0-100 score) upwards."""

    key: str
    floor: int
    label: str
    description: str


SCALE: tuple[Level, ...] = (
    Level(1, _l("Undeveloped"), _l("Not in place today.")),
    Level(2, _l("Emerging"), _l("Happens in places, depending on who is involved.")),
    Level(3, _l("Defined"), _l("Agreed, written down and known to the teams concerned.")),
    Level(4, _l("Managed"), _l("Practised across teams and checked against results.")),
    Level(5, _l("Systematic"), _l("Part of how the organisation works, and improved on purpose.")),
)
LOWEST = SCALE[0].value
HIGHEST = SCALE[-1].value

DISCIPLINES: tuple[Discipline, ...] = (
    Discipline(
        "strategy",
        _l("Strategy"),
        _l("Whether customer experience is a stated goal that shapes decisions and budgets."),
        (
            Question(
                "strategy_vision",
                _l(
                    "We have a written customer-experience ambition that leaders refer to when choosing priorities."
                ),
            ),
            Question(
                "strategy_lifecycle",
                _l(
                    "Our plans cover the whole relationship — onboarding, service, renewal and leaving — not only the sale."
                ),
            ),
            Question(
                "strategy_channels",
                _l(
                    "Digital and in-person channels are planned together as one experience, not as separate projects."
                ),
            ),
            Question(
                "strategy_funding",
                _l(
                    "Customer-experience work has its own budget and is funded over years, not campaign by campaign."
                ),
            ),
        ),
    ),
    Discipline(
        "customers",
        _l("Customer understanding"),
        _l("How well the organisation knows who its customers are and what they are trying to do."),
        (
            Question(
                "customers_research",
                _l(
                    "We talk to customers and watch them use our services regularly, not only when a project starts."
                ),
            ),
            Question(
                "customers_journeys",
                _l(
                    "We keep up-to-date maps of our customers' most important journeys, including the painful moments."
                ),
            ),
            Question(
                "customers_single_view",
                _l(
                    "Staff who serve a customer can see that customer's history across products and channels."
                ),
            ),
            Question(
                "customers_feedback",
                _l(
                    "Complaints and comments reach the teams that can fix their causes, and customers hear back."
                ),
            ),
        ),
    ),
    Discipline(
        "design",
        _l("Experience design"),
        _l("Whether services are designed around customers and consistent wherever they meet us."),
        (
            Question(
                "design_consistency",
                _l(
                    "A customer gets the same answers, prices and tone on the website, the app, the phone and in person."
                ),
            ),
            Question(
                "design_continuity",
                _l(
                    "A customer can start something on one device or channel and finish it on another without starting over."
                ),
            ),
            Question(
                "design_testing",
                _l(
                    "New services and changes are tried with real customers before they are released to everyone."
                ),
            ),
            Question(
                "design_accessibility",
                _l(
                    "Our services work on a phone and for people with disabilities, and we check this on every release."
                ),
            ),
        ),
    ),
    Discipline(
        "measurement",
        _l("Measurement"),
        _l("Whether the experience is measured, and whether the numbers change what happens next."),
        (
            Question(
                "measurement_metrics",
                _l(
                    "We track a small set of experience measures (satisfaction, effort, retention) alongside financial ones."
                ),
            ),
            Question(
                "measurement_journeys",
                _l(
                    "We can see where customers drop out of a journey or need to call us, channel by channel."
                ),
            ),
            Question(
                "measurement_action",
                _l(
                    "Experience measures are reviewed on a fixed rhythm and lead to named actions with owners."
                ),
            ),
            Question(
                "measurement_value",
                _l(
                    "We can show how a better experience changed revenue, cost to serve or loyalty."
                ),
            ),
        ),
    ),
    Discipline(
        "governance",
        _l("Governance"),
        _l(
            "Who owns the experience, how decisions across departments are made, and how data is handled."
        ),
        (
            Question(
                "governance_ownership",
                _l(
                    "Each important customer journey has one named owner who can make decisions across departments."
                ),
            ),
            Question(
                "governance_coordination",
                _l(
                    "Departments share information about a customer's situation instead of each starting from scratch."
                ),
            ),
            Question(
                "governance_data",
                _l(
                    "Customers can see and control what we keep about them, and consent is recorded and respected."
                ),
            ),
            Question(
                "governance_standards",
                _l(
                    "Shared design, language and service standards are maintained and used by every team."
                ),
            ),
        ),
    ),
    Discipline(
        "culture",
        _l("Culture"),
        _l("Whether people at every level act for the customer, and are trusted and equipped to."),
        (
            Question(
                "culture_leadership",
                _l(
                    "Leaders spend time with customers and front-line staff and talk about what they learned."
                ),
            ),
            Question(
                "culture_empowerment",
                _l(
                    "Front-line staff may solve a customer's problem on the spot without asking for permission."
                ),
            ),
            Question(
                "culture_recognition",
                _l(
                    "Objectives and recognition reward good customer outcomes, not only sales or volume."
                ),
            ),
            Question(
                "culture_learning",
                _l(
                    "Teams share what worked and what failed with customers openly, and adjust how they work."
                ),
            ),
        ),
    ),
)

# Where each maturity stage begins on the 0-100 scale: the one place these thresholds live.
STAGES: tuple[Stage, ...] = (
    Stage(
        "initial",
        0,
        _l("Initial"),
        _l("Customer experience depends on individual effort; little is shared or repeatable."),
    ),
    Stage(
        "developing",
        20,
        _l("Developing"),
        _l("Good practice exists in pockets; the next step is to agree on it and spread it."),
    ),
    Stage(
        "defined",
        40,
        _l("Defined"),
        _l("Ways of working are agreed; the next step is to run them everywhere and measure them."),
    ),
    Stage(
        "managed",
        60,
        _l("Managed"),
        _l("Practice is consistent and measured; the next step is to improve it on purpose."),
    ),
    Stage(
        "optimising",
        80,
        _l("Optimising"),
        _l("Customer experience is how the organisation works, and it keeps getting better."),
    ),
)

# A discipline scoring below this (0-100) is weak: the result recommends stories for it.
WEAK_BELOW = 50

# Which demo stories (vertical keys) show each discipline done well. Keys that are not
# loaded in the running app are skipped when the recommendations are built.
STORIES_BY_DISCIPLINE: dict[str, tuple[str, ...]] = {
    "strategy": ("banking", "automotive"),
    "customers": ("retail", "education"),
    "design": ("banking", "government"),
    "measurement": ("automotive", "health"),
    "governance": ("government", "health"),
    "culture": ("education", "retail"),
}


def all_questions() -> list[Question]:
    """Every question, in the order they are asked."""
    return [q for d in DISCIPLINES for q in d.questions]


def discipline(key: str) -> Discipline:
    """The discipline with this key (KeyError for an unknown one)."""
    for d in DISCIPLINES:
        if d.key == key:
            return d
    raise KeyError(key)
