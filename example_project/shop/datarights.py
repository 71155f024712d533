"""The shop's personal data, declared for django-datarights.

The app discovers this module at start-up. Each declaration states whose rows these are, what an
export contains, what erasure does, and how long the rows are kept. ``SupportNote`` is left out
on purpose: it has no link to a user, so only the residual check after an erasure can find a
customer's name pasted into it.

Purpose slugs refer to the purposes that ``manage.py seed_demo`` creates.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from django_datarights.registry import ANONYMISE, PersonalData, Retention, anonymisers, register

from .models import ActivityLog, Address, Invoice, Message, Order, OrderLine, Profile

BOOKKEEPING_BASIS = _(
    "Commercial and tax law require the shop to keep orders and invoices for their legal "
    "period. Names and addresses are removed from them."
)


@register(Profile)
class ProfileData(PersonalData):
    user_path = "user"
    files = ["id_document"]
    identifier_fields = ["phone", "display_name"]
    category = _("Profile")
    description = _(
        "Your display name, phone number, date of birth, biography and identity document."
    )
    purpose = "order-fulfilment"


@register(Address)
class AddressData(PersonalData):
    user_path = "user"
    identifier_fields = ["street"]
    category = _("Addresses")
    description = _("The delivery addresses saved in your address book.")
    purpose = "order-fulfilment"


@register(Order)
class OrderData(PersonalData):
    user_path = "customer"
    erasure = ANONYMISE
    legal_basis_for_keeping = BOOKKEEPING_BASIS
    # Clearing ``customer`` detaches the kept order from the account, so the account can go.
    anonymise = {
        "customer": anonymisers.null(),
        "shipping_name": anonymisers.fixed(""),
        "shipping_address": anonymisers.fixed(""),
    }
    category = _("Orders")
    description = _("Orders you placed, with the name and address they were shipped to.")
    purpose = "order-fulfilment"
    retention = [
        Retention(
            date_field="placed_at",
            period=timedelta(days=3 * 365),
            action=ANONYMISE,
            key="shop.order.placed_at",
            name=_("Remove names and addresses from orders after three years"),
        )
    ]


@register(OrderLine)
class OrderLineData(PersonalData):
    # Lines stay with their kept order, so the only personal field, the gift message, is
    # anonymised rather than the line deleted.
    user_path = "order__customer"
    erasure = ANONYMISE
    legal_basis_for_keeping = _(
        "Order lines stay with their orders for bookkeeping. Gift messages are removed from them."
    )
    anonymise = {"gift_message": anonymisers.fixed("")}
    category = _("Order lines")
    description = _("The products of each order and the gift messages you wrote.")
    purpose = "order-fulfilment"


@register(Invoice)
class InvoiceData(PersonalData):
    user_path = "customer"
    files = ["pdf"]
    erasure = ANONYMISE
    legal_basis_for_keeping = _(
        "Tax law requires the shop to keep invoices for ten years. The billing name, the "
        "address and the PDF copy are removed from them."
    )
    # ``customer`` is a PROTECT foreign key: it must be cleared, or the account cannot be deleted.
    # The PDF shows the billing name, so erasure deletes the file and keeps number, date and amount.
    anonymise = {
        "customer": anonymisers.null(),
        "billing_name": anonymisers.fixed(""),
        "billing_address": anonymisers.fixed(""),
    }
    category = _("Invoices")
    description = _("Invoices for your orders, with their billing name, address and PDF copy.")
    purpose = "bookkeeping"
    retention = [
        Retention(
            date_field="issued_at",
            period=timedelta(days=10 * 365),
            key="shop.invoice.issued_at",
            name=_("Delete invoices ten years after they were issued"),
        )
    ]


@register(Message)
class MessageData(PersonalData):
    user_path = "author"
    files = ["attachment"]
    category = _("Support messages")
    description = _("Messages you sent to customer support, with their attachments.")
    purpose = "support"
    retention = [
        Retention(
            date_field="sent_at",
            period=timedelta(days=365),
            key="shop.message.sent_at",
            name=_("Delete support messages after one year"),
        )
    ]


@register(ActivityLog)
class ActivityLogData(PersonalData):
    user_path = "user"
    category = _("Activity log")
    description = _(
        "What you did on the site and from which network address, to answer support requests "
        "and to spot misuse of your account."
    )
    purpose = "support"
    retention = [
        Retention(
            date_field="created_at",
            period=timedelta(days=90),
            key="shop.activitylog.created_at",
            name=_("Delete activity records after 90 days"),
        )
    ]
