"""A vertical declares its jobs beside their code (``@scheduled``); ``jobs_in`` collects them."""

from __future__ import annotations

import types

from dcx.verticals import JobSpec, jobs_in, scheduled


def _jobs_module():
    """A module standing for ``dcx.lab.jobs``: two scheduled jobs, a helper and an import."""
    module = types.ModuleType("dcx.lab.jobs")

    @scheduled({"hour": 7}, "Remind every owner.")
    def reminders(now):
        return 1

    def helper(now):
        return 0

    @scheduled({"day": 1}, "The monthly letter.", name="monthly_letter")
    def letters(now):
        return 2

    for function in (reminders, helper, letters):
        function.__module__ = module.__name__
        setattr(module, function.__name__, function)
    elsewhere = scheduled({"hour": 1})(lambda now: 0)  # imported from another module
    module.imported = elsewhere
    return module


def test_jobs_are_collected_in_order_with_ids_under_the_verticals_key():
    module = _jobs_module()
    assert jobs_in(module) == (
        JobSpec("lab.reminders", {"hour": 7}, module.reminders, "Remind every owner."),
        JobSpec("lab.monthly_letter", {"day": 1}, module.letters, "The monthly letter."),
    )


def test_a_scheduled_function_is_still_the_function():
    module = _jobs_module()
    assert module.reminders(None) == 1 and module.letters(None) == 2


def test_every_vertical_keeps_its_job_ids(app):
    ids = {spec.id for vertical in app.extensions["dcx_verticals"] for spec in vertical.jobs}
    assert {
        "automotive.service_reminders",
        "banking.monthly_summary",
        "education.weekly_digest",
        "government.sweep_photos",
        "health.missed_doses",
        "retail.new_for_you",
    } <= ids
