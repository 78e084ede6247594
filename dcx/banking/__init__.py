"""Banking: Open a savings account in minutes, set goals, and know what is safe to spend after bills."""

from flask_babel import lazy_gettext as _l

from dcx.banking import views
from dcx.verticals import Vertical

vertical = Vertical(
    key="banking",
    title=_l("Banking"),
    icon="bank",
    promise=_l(
        "Open a savings account in minutes, set goals, and know what is safe to spend after bills."
    ),
    persona=_l("Alex, saving for a trip and a new laptop"),
    story=_l(
        "A customer opens a savings account from the app without visiting a branch, sets savings goals with the budgeting tool, and sees what is safe to spend once bills, payments and goals are counted. Every month a message brings the savings progress and a spending report. The bank feels like a friendly advisor."
    ),
    blueprint=views.bp,
)
