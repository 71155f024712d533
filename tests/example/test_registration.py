import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model

from django_datarights.registry import Registry, anonymisers, registry
from example_project.shop.demo import PURPOSES
from example_project.shop.models import Invoice, Order, OrderLine, SupportNote

SHOP_MODELS = list(apps.get_app_config("shop").get_models())


def links_to_user(model):
    user_model = get_user_model()
    return any(
        field.is_relation and field.related_model is user_model
        for field in model._meta.concrete_fields
    )


def shop_declarations():
    return [registry.get(model) for model in SHOP_MODELS if registry.is_registered(model)]


@pytest.mark.parametrize("model", [m for m in SHOP_MODELS if links_to_user(m)], ids=str)
def test_user_linked_model_registered(model):
    assert registry.is_registered(model)


def test_support_note_unregistered():
    assert not registry.is_registered(SupportNote)


@pytest.mark.parametrize("declaration", shop_declarations(), ids=lambda d: d.label())
def test_declaration_passes_validation(declaration):
    # Registering on a fresh registry runs the same validation as start-up.
    fresh = Registry()
    fresh.register(declaration.model, declaration)

    assert fresh.is_registered(declaration.model)


@pytest.mark.parametrize("declaration", shop_declarations(), ids=lambda d: d.label())
def test_declaration_purpose_seeded(declaration):
    assert declaration.purpose in {spec.slug for spec in PURPOSES}


@pytest.mark.parametrize("declaration", shop_declarations(), ids=lambda d: d.label())
def test_declaration_has_description(declaration):
    assert declaration.category
    assert str(declaration.description)


def test_retention_keys_unique():
    keys = [rule.key for d in shop_declarations() for rule in d.retention]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("model", [Order, Invoice])
def test_kept_model_clears_user_link(model):
    # A kept row must drop its link to the account, or deleting the account cascades to it
    # (orders) or is refused (invoices, a protected link).
    declaration = registry.get(model)
    assert declaration.keeps_rows()
    assert declaration.legal_basis_for_keeping
    assert isinstance(declaration.anonymisers()["customer"], anonymisers.Null)
    assert model._meta.get_field("customer").null


def test_order_lines_kept_with_orders():
    assert registry.get(OrderLine).keeps_rows() == registry.get(Order).keeps_rows()
    assert "gift_message" in registry.get(OrderLine).anonymise


def test_order_lines_erased_before_orders():
    order = registry.in_erasure_order().index(registry.get(Order))
    line = registry.in_erasure_order().index(registry.get(OrderLine))
    assert line < order


def test_files_declared_for_every_file_field():
    for declaration in shop_declarations():
        file_fields = {
            field.name
            for field in declaration.model._meta.concrete_fields
            if field.get_internal_type() == "FileField"
        }
        assert set(declaration.files) == file_fields, declaration.label()


def test_auth_user_model_is_default():
    assert settings.AUTH_USER_MODEL == "auth.User"
