"""The contract's batch ``obligations_many`` hook comes with the per-customer ``obligations``."""

from __future__ import annotations

import dataclasses
import sys
import types

import pytest
from flask import Blueprint

from dcx.verticals import Vertical, load_verticals


def test_a_batch_obligations_hook_needs_the_per_customer_one(monkeypatch):
    module = types.ModuleType("dcx_probe_obligations")
    module.vertical = Vertical(
        key="probe",
        title="Probe",
        story="",
        blueprint=Blueprint("probe", __name__),
        obligations_many=lambda user_ids, start, end: {user_id: [] for user_id in user_ids},
    )
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with pytest.raises(RuntimeError, match="obligations_many needs obligations too"):
        load_verticals([module.__name__])

    module.vertical = dataclasses.replace(
        module.vertical, obligations=lambda user_id, start, end: []
    )
    assert load_verticals([module.__name__]).get("probe") is module.vertical
    assert Vertical("x", "X", "", Blueprint("x", __name__)).obligations_many is None  # optional
