"""The community pages: groups with the same goals, posts, cheers and reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    care_team,
    forms,
    rules,
)
from dcx.health import community as health_community
from dcx.health import goals as health_goals
from dcx.health.views.base import _bad, bp
from dcx.platform.community.models import CommunitySpace
from dcx.platform.forms import validated
from dcx.platform.views import post_or_400, submit


@bp.route("/community")
@login_required
def community():
    """Groups by goal, and one's display name."""
    profile = care_team.profile_or_default(current_user.id)
    return render_template(
        "health/community.html",
        groups=health_community.groups(),
        profile=profile,
        name_form=forms.DisplayNameForm(display_name=profile.display_name),
        my_measures={
            g.measure for g in health_goals.goals_of(current_user.id, ("proposed", "active"))
        },
    )


@bp.route("/community/name", methods=["POST"])
@login_required
def display_name():
    """Choose the name shown in the community."""
    form = forms.DisplayNameForm()
    profile = care_team.profile_for(current_user.id)
    next_group = request.form.get("next_group", "")[:40]
    done = submit(
        form,
        lambda: health_community.set_display_name(current_user.id, form.display_name.data),
        to=url_for("health.group", slug=next_group) if next_group else url_for("health.community"),
        flashed=_("Your community name is saved."),
        refused=rules.HealthError,
        field=form.display_name,
    )
    if done.response:
        return done.response
    return _bad(
        "health/community.html", groups=health_community.groups(), profile=profile, name_form=form
    )


@bp.route("/community/<slug>", methods=["GET", "POST"])
@login_required
def group(slug: str):
    """A group's posts; post a new one."""
    grp = health_community.group_by_slug(slug)
    if grp is None:
        abort(404)
    form = forms.PostForm()
    done = submit(
        form,
        lambda: health_community.create_post(
            current_user.id, grp, validated(form.body.data), form.milestone.data
        ),
        to=lambda post: url_for("health.group", slug=slug, _anchor=f"post-{post.id}"),
        refused=rules.HealthError,
        field=form.body,
    )
    if done.response:
        return done.response
    profile = care_team.profile_or_default(current_user.id)
    return render_template(
        "health/group.html",
        group=grp,
        threads=health_community.threads(grp, current_user.id),
        form=form,
        reply_form=forms.ReplyForm(),
        report_form=forms.ReportForm(),
        name_form=forms.DisplayNameForm(),
        profile=profile,
    ), done.status


def _post_and_group(post_id: int):
    post = health_community.visible_post(post_id)
    if post is None:
        abort(404)
    return post, db.session.get_one(CommunitySpace, post.space_id)


@bp.route("/community/posts/<int:post_id>/reply", methods=["POST"])
@login_required
def reply(post_id: int):
    """Reply to a post."""
    post, grp = _post_and_group(post_id)
    form = forms.ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        health_community.create_post(current_user.id, grp, validated(form.body.data), parent=post)
    except rules.HealthError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
    return redirect(url_for("health.group", slug=grp.slug, _anchor=f"post-{post.id}"))


@bp.route("/community/posts/<int:post_id>/cheer", methods=["POST"])
@login_required
def cheer(post_id: int):
    """Cheer a post (once)."""
    post, grp = _post_and_group(post_id)
    if health_community.cheer(current_user.id, post):
        db.session.commit()
    return redirect(url_for("health.group", slug=grp.slug, _anchor=f"post-{post.id}"))


@bp.route("/community/posts/<int:post_id>/report", methods=["POST"])
@login_required
def report(post_id: int):
    """Report a post to the moderators."""
    post, grp = _post_and_group(post_id)
    form = forms.ReportForm()
    return post_or_400(
        form,
        lambda: health_community.report_post(current_user.id, post, form.reason.data or ""),
        to=url_for("health.group", slug=grp.slug),
        flashed=(_("Thank you. A moderator will look at this post."), "info"),
    )
