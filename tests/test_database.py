"""Shared model helpers in ``dcx.database``."""

import pytest
from werkzeug.exceptions import NotFound

from dcx.database import ids_in, owned_or_404, rows_where
from dcx.platform.accounts.models import User
from tests.conftest import make_user


def test_ids_in_answers_which_of_the_ids_a_column_holds_in_one_query(app, query_counter):
    first = make_user(email="one@example.com")
    second = make_user(email="two@example.com")
    one, two = first.id, second.id
    with query_counter() as count:
        assert ids_in(User.id, [one, two + 100, two]) == {one, two}
    assert count() == 1
    assert ids_in(User.id, iter([])) == set()


def test_rows_where_lists_the_rows_that_meet_every_criterion_in_order(app):
    ids = [make_user(email=f"u{i}@example.com", name=f"U{i}").id for i in range(3)]
    found = rows_where(User, User.id.in_(ids), User.name != "U1", order_by=(User.id.desc(),))
    assert [u.id for u in found] == [ids[2], ids[0]]
    assert rows_where(User, User.id == -1) == []


def test_owned_or_404_answers_404_for_an_id_no_integer_column_holds(app):
    user = make_user(email="owner@example.com")
    assert owned_or_404(User, user.id, user.id, owner_attr="id") is user
    for ident in (2**40, -(2**40), "x", None):
        with pytest.raises(NotFound):
            owned_or_404(User, ident, user.id, owner_attr="id")
