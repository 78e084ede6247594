"""The bundled learning modules: a few short pages each, then a quiz to check understanding.

Modules are content, not rows: they ship with the package (so every showcase has them) and a
patient's progress is kept in ``health_module_progress`` by the module's slug.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Question:
    """A multiple-choice question; ``answer`` is the index of the right option."""

    text: str
    options: tuple[str, ...]
    answer: int


@dataclass(frozen=True)
class Module:
    """A learning module: pages to read, a quiz, and the measures it helps with."""

    slug: str
    title: str
    minutes: int
    measures: tuple[str, ...]
    pages: tuple[tuple[str, str], ...]
    quiz: tuple[Question, ...]


MODULES: dict[str, Module] = {
    m.slug: m
    for m in (
        Module(
            slug="blood-pressure-basics",
            title=_l("Blood pressure, explained"),
            minutes=5,
            measures=("systolic", "diastolic"),
            pages=(
                (
                    _l("Two numbers"),
                    _l(
                        "A blood pressure reading has two numbers. The first (systolic) is the "
                        "pressure while your heart beats; the second (diastolic) is the pressure "
                        "while it rests between beats. Both are measured in millimetres of "
                        "mercury (mmHg)."
                    ),
                ),
                (
                    _l("Measuring at home"),
                    _l(
                        "Sit quietly for five minutes with your back supported and feet flat. "
                        "Rest your arm at heart level, avoid coffee and exercise for 30 minutes "
                        "before, and take two readings a minute apart."
                    ),
                ),
                (
                    _l("What the bands mean"),
                    _l(
                        "Below 120 over 80 is normal. 120 to 129 with a lower number under 80 is "
                        "elevated. 130 to 139 or 80 to 89 is stage 1, and 140 or 90 and above is "
                        "stage 2. Above 180 or 120 is a crisis: rest, measure again and seek care "
                        "at once if it stays that high."
                    ),
                ),
            ),
            quiz=(
                Question(
                    _l("Which number is measured while the heart beats?"),
                    (_l("The systolic (upper) number"), _l("The diastolic (lower) number")),
                    0,
                ),
                Question(
                    _l("How long should you sit quietly before measuring?"),
                    (_l("No need to wait"), _l("About five minutes"), _l("An hour")),
                    1,
                ),
                Question(
                    _l("A reading of 185 over 110 is…"),
                    (_l("Elevated"), _l("Stage 1"), _l("A crisis: measure again and seek care")),
                    2,
                ),
            ),
        ),
        Module(
            slug="salt-and-your-plate",
            title=_l("Salt and your plate"),
            minutes=4,
            measures=("systolic", "diastolic", "weight"),
            pages=(
                (
                    _l("Where salt hides"),
                    _l(
                        "Most salt comes from bread, cheese, ready meals and snacks rather than "
                        "the salt shaker. Checking labels for sodium helps you choose."
                    ),
                ),
                (
                    _l("Fill half the plate"),
                    _l(
                        "Vegetables and fruit on half the plate, whole grains on a quarter and "
                        "lean protein on the rest is a simple pattern that lowers blood pressure "
                        "over a few weeks."
                    ),
                ),
            ),
            quiz=(
                Question(
                    _l("Where does most of the salt we eat come from?"),
                    (_l("The salt shaker"), _l("Bread, cheese, ready meals and snacks")),
                    1,
                ),
                Question(
                    _l("What fills half of a balanced plate?"),
                    (_l("Vegetables and fruit"), _l("Pasta"), _l("Meat")),
                    0,
                ),
            ),
        ),
        Module(
            slug="move-more",
            title=_l("Moving more, a step at a time"),
            minutes=4,
            measures=("exercise_minutes", "weight", "systolic"),
            pages=(
                (
                    _l("150 minutes a week"),
                    _l(
                        "Adults benefit from about 150 minutes a week of moderate activity, such "
                        "as brisk walking, where you can talk but not sing. Vigorous minutes "
                        "count double."
                    ),
                ),
                (
                    _l("Make it stick"),
                    _l(
                        "Short walks add up: three 10-minute walks count as much as one of 30. "
                        "Pick a time of day and a friend, and log it here so you see progress."
                    ),
                ),
            ),
            quiz=(
                Question(
                    _l("How many minutes of moderate activity a week are recommended?"),
                    (_l("30"), _l("150"), _l("600")),
                    1,
                ),
                Question(
                    _l("Do three 10-minute walks count?"),
                    (_l("Yes, they add up"), _l("No, only long sessions count")),
                    0,
                ),
            ),
        ),
        Module(
            slug="medicines-on-time",
            title=_l("Taking medicines on time"),
            minutes=3,
            measures=("adherence",),
            pages=(
                (
                    _l("Why timing matters"),
                    _l(
                        "Blood pressure medicines work best at a steady level. Taking them at "
                        "the same times every day keeps that level even."
                    ),
                ),
                (
                    _l("If you miss a dose"),
                    _l(
                        "Take it when you remember unless the next dose is close; never take two "
                        "at once. Tell your care team if side effects make you skip doses."
                    ),
                ),
            ),
            quiz=(
                Question(
                    _l("You missed a dose and the next one is in an hour. What do you do?"),
                    (_l("Take two now"), _l("Skip the missed one and take the next on time")),
                    1,
                ),
            ),
        ),
        Module(
            slug="glucose-steady",
            title=_l("Keeping glucose steady"),
            minutes=4,
            measures=("glucose",),
            pages=(
                (
                    _l("Highs and lows"),
                    _l(
                        "A fasting glucose between 70 and 100 mg/dL is typical. Meals with fibre "
                        "and protein raise it more slowly than sugary drinks."
                    ),
                ),
            ),
            quiz=(
                Question(
                    _l("Which meal raises glucose more slowly?"),
                    (_l("Lentils and salad"), _l("A sugary drink")),
                    0,
                ),
            ),
        ),
    )
}
