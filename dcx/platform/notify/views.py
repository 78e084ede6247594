"""The inbox pages: messages, preferences, the phone preview and the admin's outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.filters import machine_time
from dcx.platform import clock, staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import is_safe_next
from dcx.platform.accounts.views import role_required
from dcx.platform.notify import mail, services
from dcx.platform.notify import outbox as outbox_admin
from dcx.platform.notify.forms import CHANNEL_LABELS, MarkAllReadForm, preferences_form
from dcx.platform.notify.models import Delivery, Message
from dcx.platform.notify.quiet import time_of
from dcx.verticals import registry

bp = Blueprint("notify", __name__, url_prefix="/inbox", template_folder="templates")


def init_csrf_exemptions(csrf) -> None:
    """A mail provider's one-click unsubscribe POST carries no CSRF token, only the link's."""
    csrf.exempt(unsubscribe)


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _topic_labels() -> dict[str, str]:
    return {key: topic.label for key, topic in registry().topics().items()}


@bp.route("/")
@login_required
def index():
    """The customer's messages, newest first, unread ones marked."""
    pagination = services.inbox_page(current_user.id, page=max(_page(), 1))
    return render_template(
        "notify/index.html",
        pagination=pagination,
        unread=services.unread_count(current_user.id),
        topics=_topic_labels(),
        channels=CHANNEL_LABELS,
    )


@bp.route("/<int:message_id>", methods=["GET", "POST"])
@login_required
def open_message(message_id: int):
    """The message. Opened from the inbox (a POST) it is marked read and its local link is
    followed; a GET only shows it, so a prefetch or a link scanner marks nothing read."""
    message = owned_or_404(Message, message_id, current_user.id)
    local_link = message.link if message.link and is_safe_next(message.link) else None
    if request.method == "POST":
        services.mark_read(message)
        db.session.commit()
        return redirect(local_link or url_for("notify.open_message", message_id=message.id), 303)
    return render_template(
        "notify/message.html",
        message=message,
        local_link=local_link,
        topics=_topic_labels(),
        channels=CHANNEL_LABELS,
    )


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every message read."""
    form = MarkAllReadForm()
    if not form.validate_on_submit():
        flash(_("That form expired; please try again."), "warning")
        return redirect(url_for("notify.index"), 303)
    count = services.mark_all_read(current_user.id)
    db.session.commit()
    flash(
        ngettext("%(num)d message marked read.", "%(num)d messages marked read.", count), "success"
    )
    return redirect(url_for("notify.index"), 303)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Per topic, which channels besides the inbox; and quiet hours for SMS and push."""
    topics = registry().topics()
    hours = services.quiet_hours(current_user.id)
    initial = {"timezone": current_user.timezone or "UTC"}
    if hours is not None:
        initial = {
            "quiet_enabled": True,
            "quiet_start": time_of(hours.start_minute),
            "quiet_end": time_of(hours.end_minute),
            "timezone": hours.timezone,
        }
    form = preferences_form(topics, services.preferences(current_user.id), **initial)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template(
                "notify/preferences.html",
                form=form,
                groups=_topic_groups(form),
                channels=CHANNEL_LABELS,
                **_devices(),
            ), 400
        services.save_preferences(current_user.id, form.choices())
        if form.quiet_enabled.data:
            services.set_quiet_hours(
                current_user.id, form.quiet_start.data, form.quiet_end.data, form.timezone.data
            )
        else:
            services.set_quiet_hours(current_user.id, None, None)
        db.session.commit()
        flash(_("Your notification preferences are saved."), "success")
        return redirect(url_for("notify.preferences"), 303)
    return render_template(
        "notify/preferences.html",
        form=form,
        groups=_topic_groups(form),
        channels=CHANNEL_LABELS,
        **_devices(),
    )


def _devices() -> dict:
    from dcx.platform.notify.devices import devices_context

    return devices_context(current_user.id)


def _topic_groups(form) -> list[tuple[str, list]]:
    """The form's topic rows grouped under the industry that declared them."""
    owner = {t.key: v.title for v in registry() for t in v.topics}
    groups: dict[str, list] = {}
    for row in form.topic_fields:
        groups.setdefault(owner.get(row[0], _("Other")), []).append(row)
    return list(groups.items())


def _phone_items(user_id: int) -> list[dict]:
    return [
        {
            "id": delivery.id,
            "channel": delivery.channel,
            "text": delivery.rendered,
            "title": message.title,
            "link": message.link if is_safe_next(message.link) else "",
            "sent_at": machine_time(delivery.sent_at) or None,
        }
        for delivery, message in services.phone_messages(user_id)
    ]


@bp.route("/phone")
@login_required
def phone():
    """The SMS and push messages this customer received, on a phone-shaped preview."""
    return render_template(
        "notify/phone.html",
        items=services.phone_messages(current_user.id),
        channels=CHANNEL_LABELS,
    )


@bp.route("/phone.json")
@login_required
def phone_json():
    """The phone preview's messages as JSON, for the presenter bar to poll."""
    return jsonify(
        {
            "unread": services.unread_count(current_user.id),
            "messages": _phone_items(current_user.id),
        }
    )


@bp.route("/unsubscribe/<int:user_id>/<topic>/<token>", methods=["GET", "POST"])
def unsubscribe(user_id: int, topic: str, token: str):
    """Stop one kind of email without signing in: the link in every email's footer.

    GET asks (a link scanner must not unsubscribe anyone); POST, from that page or a mail
    provider's one-click (RFC 8058, ``List-Unsubscribe=One-Click``), stops it. The token is a
    keyed hash of the customer and the topic, so it opens nothing else.
    """
    spec = registry().topics().get(topic)
    if spec is None or not mail.token_is_valid(user_id, topic, token):
        abort(404)
    db.get_or_404(User, user_id)
    done = request.method == "POST"
    if done:
        mail.stop_emails(user_id, topic)
        db.session.commit()
    return render_template("notify/unsubscribe.html", topic=spec.label, done=done)


@bp.route("/outbox")
@role_required("admin")
def outbox():
    """The admin's view of the outbox: every delivery's status, attempts and last error."""
    status = request.args.get("status", "")
    pagination = outbox_admin.outbox_page(status, _page(), staff_lists.page_size())
    emails = outbox_admin.recipient_emails(d.user_id for d in pagination.items)
    return render_template(
        "notify/outbox.html",
        pagination=pagination,
        status=status,
        emails=emails,
        channels=CHANNEL_LABELS,
    )


@bp.route("/outbox/retry", methods=["POST"])
@role_required("admin")
def retry_dead_letters():
    """Queue every dead letter again, once the mail server is back."""
    queued = outbox_admin.retry_dead_letters(clock.now())
    db.session.commit()
    flash(
        ngettext(
            "%(num)d message is queued again; the next delivery run sends it.",
            "%(num)d messages are queued again; the next delivery run sends them.",
            queued,
        )
        if queued
        else _("There is no dead letter to retry."),
        "success" if queued else "info",
    )
    return redirect(url_for("notify.outbox", status="failed"), 303)


@bp.route("/outbox/<int:delivery_id>/retry", methods=["POST"])
@role_required("admin")
def retry_delivery(delivery_id: int):
    """Queue a dead letter again: the outbox job sends it on its next run."""
    db.get_or_404(Delivery, delivery_id)
    if outbox_admin.retry_dead_letter(delivery_id, clock.now()):
        flash(_("The message is queued again; the next delivery run sends it."), "success")
    else:
        flash(_("Only a message whose every attempt failed can be retried."), "warning")
    db.session.commit()
    return redirect(url_for("notify.outbox", status="failed"), 303)
