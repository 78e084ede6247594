"""The email a message becomes: RFC 5322 headers, text and HTML from one template, one-click
unsubscribe (RFC 2369 and RFC 8058).

Every link in the email is absolute on ``DCX_BASE_URL`` (a mail reader has no site to be
relative to). The ``Message-ID`` is stable per delivery, so a retry of the same row is the same
message to the receiving server. ``List-Unsubscribe`` points to a URL carrying a keyed hash of
(customer, topic): a mail provider's one-click POST to it stops that kind of email for that
customer without signing in, and the token opens nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g
from flask_babel import gettext as _

from dcx.platform import brand, clock
from dcx.platform.links import base_url, link
from dcx.platform.notify.services import in_locale
from dcx.verticals import registry


def absolute_link(path: str) -> str:
    """A site path joined to ``DCX_BASE_URL``; a full URL is returned unchanged."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return f"{base_url()}{path}"


def mail_domain() -> str:
    """The domain our Message-IDs end in: the base URL's host."""
    return urlsplit(base_url()).hostname or "dcx.example"


def _keyed_hash(purpose: str, *parts: object) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    text = ":".join([purpose, *(str(p) for p in parts)]).encode()
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


def message_id(delivery_id: int) -> str:
    """The Message-ID of one delivery: the same on every retry, unguessable across sites."""
    tag = _keyed_hash("message-id", delivery_id)[:16]
    return f"<dcx.{delivery_id}.{tag}@{mail_domain()}>"


def unsubscribe_token(user_id: int, topic: str) -> str:
    """The token that stops ``topic`` emails for ``user_id``: a keyed hash of the two."""
    return _keyed_hash("unsubscribe", user_id, topic)[:32]


def token_is_valid(user_id: int, topic: str, token: str) -> bool:
    """Whether ``token`` is the unsubscribe token of this customer and topic."""
    return hmac.compare_digest(unsubscribe_token(user_id, topic), token)


def unsubscribe_url(user_id: int, topic: str) -> str:
    """The absolute one-click unsubscribe URL for one customer and one kind of message."""
    token = unsubscribe_token(user_id, topic)
    return absolute_link(link("notify.unsubscribe", user_id=user_id, topic=topic, token=token))


def _email_context(
    user_id: int, topic: str, title: str, body: str, link_path: str, locale: str, brand_name: str
) -> dict[str, Any]:
    return {
        "brand": brand_name or brand.name(),
        "title": title,
        "paragraphs": [p.strip() for p in (body or title).split("\n\n") if p.strip()],
        "link": absolute_link(link_path) if link_path else "",
        "preferences": absolute_link(link("notify.preferences")),
        "unsubscribe": unsubscribe_url(user_id, topic),
        "lang": str(locale),
    }


def fixed_texts(topic: str, brand_name: str, locale: str) -> dict[str, str]:
    """What every email of ``topic`` says alike in ``locale`` (the footer, the link's label):
    translated once per language, topic and brand while a job or request lasts, not once per
    email (a month's thousands of emails were mostly these lookups)."""
    known: dict[tuple[str, str, str], dict[str, str]] = g.setdefault("_dcx_email_texts", {})
    key = (topic, brand_name, str(locale))
    if key not in known:
        spec = registry().topics().get(topic)
        label = str(spec.label) if spec else topic
        known[key] = {
            "topic": label,
            "open": _("Open in %(brand)s", brand=brand_name),
            "why": _("You receive this because of your choices for “%(topic)s”.", topic=label),
            "preferences": _("Message preferences"),
            "unsubscribe": _("Unsubscribe from these emails"),
        }
    return known[key]


def _render_parts(context: dict[str, Any], topic: str, locale: str, html: bool) -> list[str]:
    """The email's plain-text part, then (with ``html``) its HTML part, in ``locale``."""
    with in_locale(locale):
        context["texts"] = fixed_texts(topic, context["brand"], locale)
        # the template alone, without the site's context processors: a job has no visitor
        template = current_app.jinja_env.get_template("notify/email/message.html")
        parts = [template.render(html=False, **context)]
        if html:
            parts.append(template.render(html=True, **context))
    return parts


def render_email(
    *,
    delivery_id: int,
    user_id: int,
    topic: str,
    title: str,
    body: str,
    link_path: str,
    recipient: str,
    locale: str = "en",
    brand_name: str = "",
) -> EmailMessage:
    """The email of one delivery, from ``MAIL_SENDER`` to ``recipient``; ``brand_name``, when
    the caller has read it already for many emails, else the brand's name now."""
    context = _email_context(user_id, topic, title, body, link_path, locale, brand_name)
    outgoing = EmailMessage()
    outgoing["From"] = current_app.config.get("MAIL_SENDER") or "showcase@dcx.example"
    outgoing["To"] = recipient
    outgoing["Subject"] = title
    outgoing["Date"] = format_datetime(clock.now())
    outgoing["Message-ID"] = message_id(delivery_id)
    outgoing["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
    outgoing["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text, html = _render_parts(context, topic, locale, html=True)
    outgoing.set_content(text)
    outgoing.add_alternative(html, subtype="html")
    return outgoing


def email_text(
    *,
    user_id: int,
    topic: str,
    title: str,
    body: str,
    link_path: str,
    locale: str = "en",
    brand_name: str = "",
) -> str:
    """The plain-text part of the email :func:`render_email` builds, without building the
    email: what the console records (a MIME message per email was most of the time a month's
    thousands of emails took with no mail server)."""
    context = _email_context(user_id, topic, title, body, link_path, locale, brand_name)
    return _render_parts(context, topic, locale, html=False)[0]


def text_part(outgoing: EmailMessage) -> str:
    """The plain-text part of an email built by :func:`render_email`."""
    part = outgoing.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def stop_emails(user_id: int, topic: str) -> bool:
    """Remove email from the customer's channels for ``topic``; False if the topic is unknown.

    The other channels they get for it stay as they were. The caller commits.
    """
    from dcx.platform.notify.services import channels_for, save_preferences

    if topic not in registry().topics():
        return False
    kept = [c for c in channels_for(user_id, topic) if c != "email"]
    save_preferences(user_id, {topic: kept})
    return True
