"""Health: Goals set with your doctor, tracked between visits, with learning and a supportive community."""

from flask_babel import lazy_gettext as _l

from dcx.health import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="health",
    title=_l("Health"),
    icon="heart-pulse",
    promise=_l(
        "Goals set with your doctor, tracked between visits, with learning and a supportive community."
    ),
    persona=_l("Maria, working on her blood pressure"),
    story=_l(
        "During a visit, the patient and the doctor agree on wellness goals. Between visits the patient logs vital signs, food, exercise and medication in the app, learns with short interactive modules and joins a community of people with the same goals. Health improves, visits become fewer and costs fall. Care feels professional and personal."
    ),
    blueprint=views.bp,
)
