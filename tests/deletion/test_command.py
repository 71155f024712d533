"""The datarights_erase management command."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from django_datarights.models import DeletionRequest
from django_datarights.models.deletion import DeletionStatus
from example_project.shop.models import Address

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("datarights_erase", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_counts(user, fill_shop):
    fill_shop(user)

    output = run("ingrid", "--dry-run")

    assert "shop.Address: 3 would be deleted, 0 would be anonymised" in output
    assert "shop.Invoice: 0 would be deleted, 1 would be anonymised" in output
    assert Address.objects.filter(user=user).count() == 3
    assert not DeletionRequest.objects.exists()


def test_dry_run_reports_blocker(user, fill_shop):
    from django_datarights.registry import registry
    from example_project.shop.models import Invoice

    fill_shop(user)
    registry.unregister(Invoice)

    output = run("ingrid", "--dry-run")

    assert "Blocked: rows of shop.Invoice.customer" in output


def test_erase_with_yes(user, fill_shop):
    fill_shop(user)

    output = run("ingrid", "--yes")

    assert "shop.Address: 3 were deleted" in output
    assert not get_user_model().objects.filter(username="ingrid").exists()
    deletion = DeletionRequest.objects.get()
    assert deletion.status == DeletionStatus.DONE
    assert deletion.requested_by_operator


def test_unknown_user(db):
    with pytest.raises(CommandError, match="No account has the username 'nobody'"):
        run("nobody", "--dry-run")


def test_blocked_erase_fails_clearly(user, fill_shop):
    from django_datarights.registry import registry
    from example_project.shop.models import Invoice

    fill_shop(user)
    registry.unregister(Invoice)

    with pytest.raises(CommandError, match="shop.Invoice.customer"):
        run("ingrid", "--yes")
