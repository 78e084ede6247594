"""Education: Classes, textbooks and tests in one portal, with help suggested where you struggle."""

from flask_babel import lazy_gettext as _l

from dcx.education import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="education",
    title=_l("Education"),
    icon="mortarboard",
    promise=_l(
        "Classes, textbooks and tests in one portal, with help suggested where you struggle."
    ),
    persona=_l("Maria, a first-year student"),
    story=_l(
        "A student signs in to the university portal to reach classes and digital textbooks. Each module ends with a test, and the portal suggests material for the topics the student found hard. Professors are a message or a booked meeting away, on the web or on the phone. The student feels personally supported."
    ),
    blueprint=views.bp,
)
