"""Banking reads other industries' bills for many customers at once, batch hook or not."""

from __future__ import annotations

from datetime import date

import pytest

from dcx.banking import bills
from dcx.verticals import Obligation, Vertical, VerticalRegistry

START, END = date(2026, 11, 1), date(2026, 11, 30)


def _bill(source: str, user_id: int, day: int = 10) -> Obligation:
    return Obligation(source, f"{source} bill of {user_id}", date(2026, 11, day), 1_000, "EUR")


@pytest.fixture
def load(app):
    """Replace the loaded verticals by banking and the given fake ones."""

    def _load(**hooks_by_key):
        fakes = [
            Vertical(key=key, title=key, story="", blueprint=app.blueprints["banking"], **hooks)
            for key, hooks in hooks_by_key.items()
        ]
        banking = app.extensions["dcx_verticals"].get("banking")
        app.extensions["dcx_verticals"] = VerticalRegistry([banking, *fakes])

    return _load


@pytest.mark.parametrize("app_config", [{"DCX_VERTICALS": ("dcx.banking",)}])
def test_every_customer_is_a_key_and_each_vertical_is_asked_its_own_way(app, load):
    asked_many: list[list[int]] = []
    asked_one: list[int] = []

    def cars_one(user_id, start, end):
        raise AssertionError("a vertical with the batch hook is asked in one go")

    def cars_many(user_ids, start, end):
        asked_many.append(list(user_ids))
        # answers only customers who owe something, and one nobody asked about
        return {1: [_bill("cars", 1, 12), _bill("cars", 1, 20)], 99: [_bill("cars", 99)]}

    def school(user_id, start, end):
        asked_one.append(user_id)
        return [_bill("school", user_id, 5)] if user_id != 3 else []

    load(
        cars={"obligations": cars_one, "obligations_many": cars_many},
        school={"obligations": school},
    )
    found = bills.other_obligations_many([1, 2, 1, 3], START, END)
    assert asked_many == [[1, 2, 3]] and asked_one == [1, 2, 3]
    assert found == {
        1: [_bill("cars", 1, 12), _bill("cars", 1, 20), _bill("school", 1, 5)],  # by vertical
        2: [_bill("school", 2, 5)],
        3: [],
    }
    asked_many.clear()
    assert bills.other_obligations(1, START, END) == found[1]  # the pages' path: the same
    assert asked_many == [[1]]
    asked_many.clear()
    assert bills.other_obligations_many([], START, END) == {}
    assert asked_many == []  # nobody to ask about: no hook runs


@pytest.mark.parametrize("app_config", [{"DCX_VERTICALS": ("dcx.banking",)}])
def test_a_batch_hook_failing_half_way_keeps_nothing_of_it(app, load, monkeypatch):
    monkeypatch.setattr(app.logger, "disabled", False)

    class HalfAnswered(dict):
        """A mapping whose second customer's answer cannot be read."""

        def get(self, user_id, default=None):
            if user_id == 2:
                raise RuntimeError("ledger offline")
            return super().get(user_id, default)

    load(
        cars={
            "obligations": lambda user_id, start, end: [],
            "obligations_many": lambda ids, start, end: HalfAnswered({1: [_bill("cars", 1)]}),
        },
        school={"obligations": lambda user_id, start, end: [_bill("school", user_id)]},
    )
    found = bills.other_obligations_many([1, 2], START, END)
    assert found == {1: [_bill("school", 1)], 2: [_bill("school", 2)]}
