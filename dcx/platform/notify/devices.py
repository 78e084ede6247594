"""The customer's devices for push: enable push on this one, rename or remove any of them.

The routes sit on the inbox's blueprint; the list is shown on the notification preferences.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.platform.inputs import JSONBodyError, json_object
from dcx.platform.notify import webpush
from dcx.platform.notify.models import PushSubscription
from dcx.platform.notify.views import bp


class DeviceNameForm(FlaskForm):
    """Rename one device."""

    name = StringField(_l("Device name"), validators=[DataRequired(), Length(max=80)])


class RemoveDeviceForm(FlaskForm):
    """Remove one device (a POST with its CSRF token)."""


def devices_context(user_id: int) -> dict[str, Any]:
    """What the preferences page needs to show the devices and enable push on this one."""
    return {
        "push_devices": webpush.devices(user_id),
        "push_public_key": webpush.public_key(),
        "remove_device_form": RemoveDeviceForm(),
    }


@bp.route("/push/subscriptions", methods=["POST"])
@login_required
def subscribe():
    """Register this browser's push subscription as a device on the account (JSON)."""
    try:
        body = json_object()
    except JSONBodyError:
        body = {}
    if not isinstance(body.get("subscription"), dict):
        return jsonify(error=_("That subscription could not be read.")), 400
    subscription = body["subscription"]
    keys = subscription.get("keys") if isinstance(subscription.get("keys"), dict) else {}
    fields = (subscription.get("endpoint"), keys.get("p256dh"), keys.get("auth"), body.get("name"))
    if not all(isinstance(value, str) for value in fields[:3]):
        return jsonify(error=_("That subscription could not be read.")), 400
    name = fields[3] if isinstance(fields[3], str) and fields[3].strip() else _("This device")
    try:
        device = webpush.subscribe(current_user.id, fields[0], fields[1], fields[2], name)
    except webpush.PushError:
        return jsonify(error=_("This browser's push service is not supported.")), 400
    db.session.commit()
    return jsonify(id=device.id, name=device.name), 201


def _back():
    return redirect(url_for("notify.preferences") + "#push-devices", 303)


@bp.route("/push/devices/<int:device_id>/rename", methods=["POST"])
@login_required
def rename_device(device_id: int):
    """Give a device a name the customer recognises."""
    device = owned_or_404(PushSubscription, device_id, current_user.id)
    form = DeviceNameForm()
    if not form.validate_on_submit():
        flash(_("Give the device a name of at most 80 characters."), "warning")
        return _back()
    webpush.rename(device, form.name.data or "")
    db.session.commit()
    flash(_("Device renamed."), "success")
    return _back()


@bp.route("/push/devices/<int:device_id>/remove", methods=["POST"])
@login_required
def remove_device(device_id: int):
    """Stop pushing to a device."""
    device = owned_or_404(PushSubscription, device_id, current_user.id)
    if not RemoveDeviceForm().validate_on_submit():
        flash(_("That form expired; please try again."), "warning")
        return _back()
    webpush.remove(device)
    db.session.commit()
    flash(_("Device removed: it no longer receives push messages."), "success")
    return _back()
