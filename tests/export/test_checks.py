import pytest
from django.db import models

from django_datarights.checks import coverage
from django_datarights.registry import ANONYMISE, PersonalData, anonymisers, registry
from example_project.shop.models import ActivityLog, Address, Order


@pytest.fixture
def restore_registry():
    snapshot = registry.snapshot()
    yield
    registry.restore(snapshot)


def test_fully_registered_project_has_no_warnings():
    assert coverage.check_registry_coverage() == []


def test_unregistered_user_relation_warns(restore_registry):
    registry.unregister(Address)
    messages = coverage.check_unregistered_user_relations()
    assert [m.id for m in messages] == ["datarights.W010"]
    assert messages[0].msg == (
        "shop.Address.user points at the user model, "
        "but shop.Address is not registered as personal data."
    )
    assert messages[0].hint == coverage.W010_HINT.format(model="shop.Address")
    assert messages[0].obj is Address


def test_unregistered_ok_setting_silences(restore_registry, settings):
    registry.unregister(Address)
    settings.DATARIGHTS_UNREGISTERED_OK = ["shop.Address"]
    assert coverage.check_unregistered_user_relations() == []


def test_indirect_relation_not_reported(restore_registry):
    # Order lines reach the user through their order only; they have no user relation.
    from example_project.shop.models import OrderLine

    registry.unregister(OrderLine)
    assert coverage.check_unregistered_user_relations() == []


def test_handled_apps_skipped():
    labels = {m.obj._meta.app_label for m in coverage.check_unregistered_user_relations()}
    assert not labels & coverage.HANDLED_APP_LABELS


class KeptOrderData(PersonalData):
    user_path = "customer"
    erasure = ANONYMISE
    exclude = ["shipping_name"]
    anonymise = {"customer": anonymisers.null()}


def test_kept_unexported_personal_field_warns(restore_registry):
    registry.unregister(Order)
    registry.register(Order, KeptOrderData)
    messages = coverage.check_unhandled_personal_fields()
    assert [m.msg for m in messages] == [
        "shop.Order.shipping_name looks like personal data, but it is neither exported nor "
        "anonymised, and the rows are kept on erasure."
    ]
    assert messages[0].id == "datarights.W011"
    assert messages[0].hint == coverage.W011_HINT.format(field="shipping_name")


def test_deleted_rows_not_reported(restore_registry):
    class DeletedOrderData(PersonalData):
        user_path = "customer"
        exclude = ["shipping_name"]

    registry.unregister(Order)
    registry.register(Order, DeletedOrderData)
    assert coverage.check_unhandled_personal_fields() == []


def test_anonymised_field_not_reported(restore_registry):
    class AnonymisedOrderData(KeptOrderData):
        anonymise = {"customer": anonymisers.null(), "shipping_name": anonymisers.fixed("")}

    registry.unregister(Order)
    registry.register(Order, AnonymisedOrderData)
    assert coverage.check_unhandled_personal_fields() == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ip_address", True),
        ("shipping_name", True),
        ("date_of_birth", True),
        ("description", False),
        ("shipping", False),
        ("zip", False),
    ],
)
def test_looks_personal(name, expected):
    assert coverage.looks_personal(name) is expected


def test_log_reports_only_ip_address(restore_registry):
    class KeptLogData(PersonalData):
        user_path = "user"
        erasure = ANONYMISE
        fields = ["action"]
        anonymise = {"user": anonymisers.null()}

    registry.unregister(ActivityLog)
    registry.register(ActivityLog, KeptLogData)
    names = [m.msg.split(" ")[0] for m in coverage.check_unhandled_personal_fields()]
    assert names == ["shop.ActivityLog.ip_address"]
    assert isinstance(ActivityLog._meta.get_field("created_at"), models.DateTimeField)
