"""Deleting a user with a protected invoice from Django's own user admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from example_project.shop.models import Invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced_user(make_user):
    person = make_user("gunnhild", first_name="Gunnhild", last_name="Sorvik")
    Invoice.objects.create(
        customer=person,
        number="INV-7001",
        billing_name="Gunnhild Sorvik",
        billing_address="Fjordvegen 3, 5003 Bergen",
        amount=Decimal("120.00"),
    )
    return person


def test_admin_delete_names_protected_invoice(admin_client, invoiced_user):
    url = reverse("admin:auth_user_delete", args=[invoiced_user.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert "protected" in response.content.decode().lower()
    assert "INV-7001" in response.content.decode()


def test_admin_delete_keeps_user_and_invoice(admin_client, invoiced_user):
    url = reverse("admin:auth_user_delete", args=[invoiced_user.pk])

    admin_client.post(url, {"post": "yes"})

    assert get_user_model().objects.filter(pk=invoiced_user.pk).exists()
    assert Invoice.objects.filter(number="INV-7001", customer=invoiced_user).exists()
