"""Notification forms: mark all read, and the per-topic channel preferences with quiet hours."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TimeField
from wtforms.validators import Optional

from dcx.platform.forms import SelectField
from dcx.platform.notify.services import EXTERNAL_CHANNELS

CHANNEL_LABELS = {"inbox": _l("Inbox"), "email": _l("Email"), "sms": _l("SMS"), "push": _l("Push")}


class MarkAllReadForm(FlaskForm):
    """Mark every message read (a POST with its CSRF token)."""


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, UTC first."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("UTC", "UTC"), *[(z, z.replace("_", " ")) for z in zones]]


def field_name(topic: str, channel: str) -> str:
    """The form field of one topic's channel, e.g. ``banking_monthly_summary__email``."""
    return f"{re.sub(r'[^0-9A-Za-z_]', '_', topic)}__{channel}"


class PreferencesForm(FlaskForm):
    """Quiet hours; the per-topic channel checkboxes are added by :func:`preferences_form`."""

    quiet_enabled = BooleanField(_l("Hold SMS and push during quiet hours"))
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()])
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=timezone_choices, default="UTC")

    topic_fields: list[tuple[str, str, dict[str, str]]] = []

    def validate(self, extra_validators=None) -> bool:
        """Quiet hours, when on, need a start and an end that differ."""
        valid = super().validate(extra_validators)
        if self.quiet_enabled.data and not self.quiet_end.errors:
            start, end = self.quiet_start.data, self.quiet_end.data
            if start is None or end is None:
                self.quiet_end.errors = [
                    *self.quiet_end.errors,
                    _l("Give both times, e.g. 22:00 and 07:00."),
                ]
                return False
            if start == end:
                self.quiet_end.errors = [
                    *self.quiet_end.errors,
                    _l("The start and the end must differ."),
                ]
                return False
        return valid

    def choices(self) -> dict[str, list[str]]:
        """The channels ticked per topic key."""
        return {
            key: [ch for ch, name in names.items() if self[name].data]
            for key, _label, names in self.topic_fields
        }


def preferences_form(topics: Mapping, current: Mapping[str, tuple[str, ...]], **kwargs):
    """Build the preferences form for these topics, ticked from ``current`` on first view."""

    class TopicPreferencesForm(PreferencesForm):
        pass

    topic_fields = []
    for key, topic in topics.items():
        names = {}
        for channel in EXTERNAL_CHANNELS:
            name = field_name(key, channel)
            label = _l(
                "%(channel)s for %(topic)s", channel=CHANNEL_LABELS[channel], topic=topic.label
            )
            setattr(
                TopicPreferencesForm,
                name,
                BooleanField(label, default=channel in current.get(key, ())),
            )
            names[channel] = name
        topic_fields.append((key, topic.label, names))
    TopicPreferencesForm.topic_fields = topic_fields
    return TopicPreferencesForm(**kwargs)
