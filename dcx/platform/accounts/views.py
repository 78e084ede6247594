"""Sign-up, sign-in, sign-out, profile and password pages."""

from __future__ import annotations

from functools import wraps

from blinker import Namespace
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from dcx.extensions import db, limiter, login_manager, real_app
from dcx.platform.accounts import devices, lifetime, services
from dcx.platform.accounts import mail as account_mail
from dcx.platform.accounts import signup as signup_rules
from dcx.platform.accounts.forms import PasswordForm, ProfileForm, SignInForm, SignUpForm
from dcx.platform.accounts.models import User
from dcx.platform.forms import add_error
from dcx.platform.sandboxes import personas
from dcx.platform.timezones import valid_zone
from dcx.platform.views import saved

bp = Blueprint("accounts", __name__, url_prefix="/account", template_folder="templates")


@login_manager.user_loader
def load_user(token: str):
    """Find the user of the session token kept in the signed cookie, within the session's
    idle and absolute limits (:mod:`.lifetime`); on a showcase's main database, never a
    persona's: see :mod:`dcx.platform.sandboxes.personas`."""
    user = lifetime.user_for_cookie(token)
    return user if personas.allowed_on_main(user) else None


def role_required(*roles: str):
    """Allow only signed-in users with one of ``roles``; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _next_or_home():
    target = request.args.get("next") or request.form.get("next")
    return target if services.is_safe_next(target) else url_for("site.home")


#: Sent with ``user`` just before a sign-in renews the session: what an anonymous visitor did
#: in this browser (an assessment taken before signing in) can be handed to the account.
signing_in = Namespace().signal("dcx-signing-in")


def sign_in(user: User) -> None:
    """Renew the session and sign ``user`` in on this device."""
    signing_in.send(real_app(), user=user)
    session.clear()  # no fixation: a fresh session for every sign-in
    session[services.SINCE_SESSION_KEY] = services.record_visit(user).isoformat()
    services.open_session(user, request.user_agent.string or "")
    lifetime.mark_seen()
    login_user(user)


# The session key of the sign-up e-mail a showcase with no mail server shows on the next page.
SHOWN_MAIL = "dcx_signup_mail"


def _signup_limit() -> str:
    return current_app.config.get("SIGNUP_RATE_LIMIT", "10/hour")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"], key_func=get_remote_address)
def signup():
    """Start a customer account: the link e-mailed to the address creates it.

    The same work and the same answer whether or not the address has an account, in a
    showcase (its sandboxes included) as outside one: a sign-up never tells who is there.
    """
    form = SignUpForm()
    if form.validate_on_submit():
        outgoing = signup_rules.request_signup(form.email.data, form.name.data, form.password.data)
        db.session.commit()
        account_mail.send(outgoing)
        if current_app.config.get("DCX_SHOWCASE_MODE") and not current_app.config.get(
            "MAIL_SERVER"
        ):
            # a showcase with no mail server shows the visitor the e-mail instead (its
            # accounts are the published personas: nothing to hide there)
            session[SHOWN_MAIL] = {"subject": outgoing.subject, "text": outgoing.text}
        return redirect(url_for("accounts.signup_sent"), 303)
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/signup/sent")
def signup_sent():
    """What every sign-up answers: check your e-mail (in a showcase with no mail server, the
    e-mail itself, once)."""
    return render_template("accounts/signup_sent.html", shown=session.pop(SHOWN_MAIL, None))


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The link of a sign-up e-mail: GET asks (a link scanner creates nothing), POST creates
    the account and signs in."""
    if request.method == "GET":
        found = signup_rules.pending(token) is not None
        return render_template(
            "accounts/signup_confirm.html", token=token, found=found
        ), 200 if found else 404
    try:
        user = signup_rules.confirm_signup(token)
    except services.AccountError as exc:
        return saved(url_for("accounts.signin"), (str(exc), "warning"), code=303)
    sign_in(user)
    return saved(
        url_for("site.home"),
        _("Welcome, %(name)s. Your account is ready.", name=user.name),
        code=303,
    )


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """Sign in; too many failures for an account or an address answer 429, except on a
    browser that has signed in to this account before (its owner is never locked out)."""
    form = SignInForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        known = services.find_user(form.email.data)
        if not devices.is_known(known.id if known else None) and _blocked(form.email.data):
            abort(429)
        user = services.authenticate(form.email.data, form.password.data, address)
        if user is None:
            db.session.commit()
            add_error(form.password, _("The email or the password is not right."))
        elif personas.guarded() and personas.is_persona(user, form.password.data):
            # a published persona never opens a showcase's main database: a copy of its own
            return personas.sign_in_inside_sandbox(user.email, _next_or_home())
        else:
            sign_in(user)
            db.session.commit()
            return devices.remember(redirect(_next_or_home()), user.id)
    return render_template("accounts/signin.html", form=form), 400 if form.errors else 200


def _blocked(email: str) -> bool:
    cfg = current_app.config
    return services.signin_blocked(
        email,
        request.remote_addr or "unknown",
        cfg["SIGNIN_MAX_FAILURES"],
        cfg["SIGNIN_WINDOW_MINUTES"],
    )


@bp.route("/signout", methods=["POST"])
def signout():
    """Sign out this device: the session row is deleted, so the old cookie is worthless."""
    if current_user.is_authenticated:
        services.close_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit name, phone, language, time zone and consents."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.phone = (form.phone.data or "").strip()
        current_user.locale = form.locale.data or ""
        current_user.timezone = valid_zone(form.timezone.data)
        current_user.health_consent = bool(form.health_consent.data)
        return saved(url_for("accounts.profile"), _("Your profile is saved."))
    return render_template("accounts/profile.html", form=form), 400 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; every other device is signed out. Wrong current passwords count
    as failed sign-ins of the account, so this page is no way around the sign-in throttle."""
    form = PasswordForm()
    if form.validate_on_submit():
        if _blocked(current_user.email):
            abort(429)
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as exc:
            db.session.rollback()
            services.record_signin_failure(current_user.email, request.remote_addr or "unknown")
            db.session.commit()
            add_error(form.current, str(exc))
        else:
            sign_in(current_user._get_current_object())
            return saved(
                url_for("accounts.profile"),
                _("Your password is changed; other devices were signed out."),
            )
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200
