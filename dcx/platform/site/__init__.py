"""The showcase's front door: home page, language switch, error pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the home page and error pages, and the staff's workspace in the menu."""
    from flask_babel import lazy_gettext as _l

    from dcx.platform.site.views import bp
    from dcx.platform.site.workspaces import workspaces_for

    app.register_blueprint(bp)

    def nav(user):
        return [
            {"url": w.url, "label": _l("My workspace"), "icon": w.icon, "id": "nav-workspace"}
            for w in workspaces_for(user)
        ]

    app.extensions["dcx_user_nav"].append(nav)
