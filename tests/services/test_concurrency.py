"""The concurrency helper, on PostgreSQL where row locks are real."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from tests.services.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def increment_locked(user_pk: int) -> int:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_pk)
        user.last_name = str(int(user.last_name or "0") + 1)
        user.save(update_fields=["last_name"])
        return int(user.last_name)


def test_locked_increments_all_count(make_user):
    user = make_user("counter", last_name="0")

    results = run_concurrently(*[lambda: increment_locked(user.pk)] * 4)

    assert sorted(results) == [1, 2, 3, 4]
    user.refresh_from_db()
    assert user.last_name == "4"


def test_error_reaches_caller():
    def fail() -> None:
        raise ValueError("invented failure")

    with pytest.raises(ValueError, match="invented failure"):
        run_concurrently(fail, lambda: None)
