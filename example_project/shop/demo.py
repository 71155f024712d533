"""Demo data for the example shop: two customers, an operator, purposes and a privacy policy.

``seed_demo()`` is the flow behind ``manage.py seed_demo``. Every person, address and phone
number is invented, and every email address is on the reserved ``example.invalid`` domain.

Running it again changes nothing while the data is complete: rows are looked up by a natural
key before they are created. Rows that a retention run or an erasure removed are created again.
Order and invoice numbers contain the customer's id, so when a demo customer has erased their
account and the seed creates them again, the anonymised orders kept for bookkeeping stay as
they are and the new account gets new ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from django_datarights.consent.purposes import save_purpose
from django_datarights.models import PrivacyPolicy, Purpose
from django_datarights.models.consent import LegalBasis

from .models import ActivityLog, Address, Invoice, Message, Order, OrderLine, Profile, SupportNote

logger = logging.getLogger(__name__)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-demo-pass"  # noqa: S105 - demo login, stated in the README
POLICY_VERSION = "2026-01"


@dataclass(frozen=True)
class PurposeSpec:
    slug: str
    name: str
    description: str
    legal_basis: str
    refusable: bool
    default_given: bool
    ordering: int


PURPOSES = [
    PurposeSpec(
        "order-fulfilment", "Order fulfilment",
        "We use your name, addresses and orders to deliver what you buy.",
        LegalBasis.CONTRACT, refusable=False, default_given=True, ordering=10,
    ),
    PurposeSpec(
        "bookkeeping", "Bookkeeping",
        "We keep invoices and orders for as long as tax and commercial law require.",
        LegalBasis.LEGAL_OBLIGATION, refusable=False, default_given=True, ordering=20,
    ),
    PurposeSpec(
        "support", "Customer support",
        "We keep your support messages to answer them and to follow up on problems.",
        LegalBasis.LEGITIMATE_INTEREST, refusable=True, default_given=True, ordering=30,
    ),
    PurposeSpec(
        "newsletter", "Newsletter",
        "We email you news about products and offers, about once a month.",
        LegalBasis.CONSENT, refusable=True, default_given=False, ordering=40,
    ),
    PurposeSpec(
        "analytics", "Analytics",
        "We record which pages you use to improve the shop.",
        LegalBasis.CONSENT, refusable=True, default_given=False, ordering=50,
    ),
]


@dataclass(frozen=True)
class Customer:
    """One invented demo customer. Ages are in days before the seed runs."""

    username: str
    password: str
    first_name: str
    last_name: str
    phone: str
    bio: str
    birth_date: tuple[int, int, int]
    addresses: list[tuple[str, str, str, str, str]]  # label, street, city, postcode, country
    orders: list[tuple[int, list[tuple[str, int, str, str]]]]  # age, lines
    messages: list[tuple[int, str, str]]  # age, subject, body
    activity: list[tuple[int, str]]  # age, action

    @property
    def email(self) -> str:
        return f"{self.username}@example.invalid"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Fewer than half of each table's rows are past their retention period, because a retention
# run that would touch a larger share stops at its safety brake (DATARIGHTS_RETENTION_MAX_SHARE).
CUSTOMERS = [
    Customer(
        username="alice",
        password="alice-demo-pass",  # noqa: S106 - demo login, stated in the README
        first_name="Alice",
        last_name="Marlowe-Tesch",
        phone="+1 202 555 0143",
        bio="Collects teapots and writes about them.",
        birth_date=(1988, 4, 17),
        addresses=[
            ("Home", "14 Quillfeather Lane", "Brindlemoor", "10115", "DE"),
            ("Work", "3 Lanternwick Square", "Brindlemoor", "10117", "DE"),
            ("Parents", "88 Hollowmere Road", "Ostwick", "20095", "DE"),
        ],
        orders=[
            (11 * 365 + 30, [("Stoneware teapot", 1, "34.00", "")]),
            (4 * 365, [("Cast-iron kettle", 1, "58.50", "Happy birthday, Marta!"),
                       ("Loose-leaf tea sampler", 2, "12.00", "")]),
            (20, [("Porcelain cups, set of four", 1, "42.00", "For the new flat."),
                  ("Bamboo tea whisk", 1, "9.90", "")]),
        ],
        messages=[
            (2 * 365, "Parcel arrived damaged", "The lid of the teapot was cracked in the box."),
            (15, "Change of delivery address", "Please send my next order to my work address."),
        ],
        activity=[(200, "login"), (10, "changed_address"), (5, "viewed_order"), (1, "login")],
    ),
    Customer(
        username="bob",
        password="bob-demo-pass",  # noqa: S106 - demo login, stated in the README
        first_name="Bob",
        last_name="Ferriday",
        phone="+1 202 555 0178",
        bio="",
        birth_date=(1975, 11, 2),
        addresses=[
            ("Home", "7 Thistlecombe Court", "Ostwick", "20097", "DE"),
            ("Allotment", "Plot 12, Marrowfield Gardens", "Ostwick", "20099", "DE"),
        ],
        orders=[
            (2 * 365, [("Garden kneeler", 1, "19.95", "")]),
            (45, [("Pruning shears", 1, "27.40", "Enjoy the roses!")]),
        ],
        messages=[
            (400, "Invoice copy", "Could you send me a copy of my invoice from last spring?"),
            (5, "Missing item", "The shears were not in the parcel."),
        ],
        activity=[(300, "login"), (3, "downloaded_invoice"), (1, "login")],
    ),
]


@dataclass
class SeedResult:
    """Count of rows the seed created in this run, by model label."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int = 1) -> None:
        self.created[label] = self.created.get(label, 0) + count

    @property
    def total(self) -> int:
        return sum(self.created.values())


def seed_demo(*, reset: bool = False, now: datetime | None = None) -> SeedResult:
    """Create the demo users, their shop data, the purposes and a privacy policy.

    Only missing rows are created. ``reset`` first deletes every shop row and the two demo
    customers, so the demo starts again from the state the README describes. ``now`` is the
    moment record ages count back from.
    """
    now = now or timezone.now()
    result = SeedResult()
    with transaction.atomic():
        if reset:
            reset_demo()
        _seed_purposes(result)
        _seed_policy(now, result)
        _seed_admin(result)
        for customer in CUSTOMERS:
            _seed_customer(customer, now, result)
        _seed_support_notes(now, result)
    logger.info("demo data seeded: %d rows created", result.total)
    return result


def reset_demo() -> None:
    """Delete every shop row and the demo customers' accounts.

    Invoices go first because their customer link is ``PROTECT``. Purposes, the policy, the
    operator account and the audit trail stay.
    """
    usernames = [customer.username for customer in CUSTOMERS]
    deleted = 0
    for model in (Invoice, OrderLine, Order, Message, Address, Profile, ActivityLog, SupportNote):
        for instance in model.objects.all():
            _delete_stored_files(instance)
        count, _per_model = model.objects.all().delete()
        deleted += count
    users, _per_model = get_user_model().objects.filter(username__in=usernames).delete()
    logger.info("demo data reset: %d shop rows and %d account rows deleted", deleted, users)


def _delete_stored_files(instance: Any) -> None:
    for model_field in instance._meta.concrete_fields:
        field_file = getattr(instance, model_field.attname, None)
        if model_field.get_internal_type() == "FileField" and field_file:
            field_file.delete(save=False)


def _seed_purposes(result: SeedResult) -> None:
    existing = set(Purpose.objects.values_list("slug", flat=True))
    for spec in PURPOSES:
        if spec.slug in existing:
            continue
        save_purpose(
            Purpose(
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
                legal_basis=spec.legal_basis,
                refusable=spec.refusable,
                default_given=spec.default_given,
                ordering=spec.ordering,
            )
        )
        result.add("django_datarights.Purpose")


def _seed_policy(now: datetime, result: SeedResult) -> None:
    _policy, created = PrivacyPolicy.objects.get_or_create(
        version=POLICY_VERSION,
        defaults={
            "text": (
                "Example Shop keeps your account, orders and messages to run the shop. "
                "You can download a copy of your data or delete your account at any time "
                "from your privacy settings."
            ),
            "changes": "First published version.",
            "effective_at": now - timedelta(days=30),
        },
    )
    if created:
        result.add("django_datarights.PrivacyPolicy")


def _seed_admin(result: SeedResult) -> None:
    user_model = get_user_model()
    admin = user_model.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        user_model.objects.create_superuser(
            username=ADMIN_USERNAME, email="admin@example.invalid", password=ADMIN_PASSWORD
        )
        result.add("auth.User")
    elif not admin.check_password(ADMIN_PASSWORD):
        admin.set_password(ADMIN_PASSWORD)
        admin.save(update_fields=["password"])


def _seed_customer(customer: Customer, now: datetime, result: SeedResult) -> None:
    user_model = get_user_model()
    user = user_model.objects.filter(username=customer.username).first()
    if user is None:
        user = user_model.objects.create_user(
            username=customer.username,
            email=customer.email,
            password=customer.password,
            first_name=customer.first_name,
            last_name=customer.last_name,
        )
        result.add("auth.User")
    elif not user.check_password(customer.password):
        # Only a changed password is reset: saving a new hash would log the user out.
        user.set_password(customer.password)
        user.save(update_fields=["password"])

    _seed_profile(user, customer, result)
    _seed_addresses(user, customer, now, result)
    _seed_orders(user, customer, now, result)
    _seed_messages(user, customer, now, result)
    _seed_activity(user, customer, now, result)


def _seed_profile(user: Any, customer: Customer, result: SeedResult) -> None:
    if Profile.objects.filter(user=user).exists():
        return
    year, month, day = customer.birth_date
    profile = Profile(
        user=user,
        display_name=customer.full_name,
        phone=customer.phone,
        date_of_birth=datetime(year, month, day).date(),
        bio=customer.bio,
        marketing_notes="Opened the spring catalogue email.",
    )
    document = f"Identity document (demo)\nName: {customer.full_name}\nNumber: X0000{user.pk}\n"
    profile.id_document.save("identity-document.txt", ContentFile(document.encode()), save=False)
    profile.save()
    result.add("shop.Profile")


def _seed_addresses(user: Any, customer: Customer, now: datetime, result: SeedResult) -> None:
    for index, (label, street, city, postcode, country) in enumerate(customer.addresses):
        _address, created = Address.objects.get_or_create(
            user=user,
            label=label,
            defaults={
                "recipient_name": customer.full_name,
                "street": street,
                "city": city,
                "postcode": postcode,
                "country": country,
                "is_default": index == 0,
                "created_at": now - timedelta(days=400 - index * 100),
            },
        )
        if created:
            result.add("shop.Address")


def _seed_orders(user: Any, customer: Customer, now: datetime, result: SeedResult) -> None:
    home = customer.addresses[0]
    shipping_address = f"{home[1]}\n{home[3]} {home[2]}\n{home[4]}"
    for index, (age_days, lines) in enumerate(customer.orders, start=1):
        placed_at = now - timedelta(days=age_days)
        total = sum((Decimal(price) * quantity for _p, quantity, price, _g in lines), Decimal("0"))
        order, created = Order.objects.get_or_create(
            number=f"SO-{user.pk:05d}-{index}",
            defaults={
                "customer": user,
                "placed_at": placed_at,
                "status": "delivered" if age_days > 7 else "shipped",
                "shipping_name": customer.full_name,
                "shipping_address": shipping_address,
                "total": total,
            },
        )
        if not created:
            continue
        result.add("shop.Order")
        for product, quantity, price, gift_message in lines:
            OrderLine.objects.create(
                order=order,
                product=product,
                quantity=quantity,
                unit_price=Decimal(price),
                gift_message=gift_message,
            )
            result.add("shop.OrderLine")
        _create_invoice(order, customer, shipping_address, index)
        result.add("shop.Invoice")


def _create_invoice(order: Order, customer: Customer, billing_address: str, index: int) -> Invoice:
    invoice = Invoice(
        customer=order.customer,
        order=order,
        number=f"INV-{order.customer_id:05d}-{index}",
        issued_at=order.placed_at + timedelta(hours=1),
        billing_name=customer.full_name,
        billing_address=billing_address,
        amount=order.total,
    )
    pdf = render_invoice_pdf(
        [
            f"Example Shop - invoice {invoice.number}",
            f"Order {order.number}, {invoice.issued_at:%Y-%m-%d}",
            f"Billed to {customer.full_name}",
            f"Amount: EUR {order.total}",
        ]
    )
    invoice.pdf.save("invoice.pdf", ContentFile(pdf), save=False)
    invoice.save()
    return invoice


def _seed_messages(user: Any, customer: Customer, now: datetime, result: SeedResult) -> None:
    for age_days, subject, body in customer.messages:
        if Message.objects.filter(author=user, subject=subject).exists():
            continue
        message = Message(
            author=user, subject=subject, body=body, sent_at=now - timedelta(days=age_days)
        )
        note = f"Attachment to the message '{subject}' (demo file).\n"
        message.attachment.save("attachment.txt", ContentFile(note.encode()), save=False)
        message.save()
        result.add("shop.Message")


def _seed_activity(user: Any, customer: Customer, now: datetime, result: SeedResult) -> None:
    for age_days, action in customer.activity:
        # The day count in the description makes each seeded entry findable again.
        description = f"Demo activity, {age_days} days before seeding"
        _entry, created = ActivityLog.objects.get_or_create(
            user=user,
            action=action,
            description=description,
            defaults={"ip_address": "192.0.2.10", "created_at": now - timedelta(days=age_days)},
        )
        if created:
            result.add("shop.ActivityLog")


def _seed_support_notes(now: datetime, result: SeedResult) -> None:
    # A note with a customer's name pasted in: the residual check after her erasure finds it.
    _note, created = SupportNote.objects.get_or_create(
        ticket="T-1001",
        defaults={
            "text": "Customer Alice Marlowe-Tesch called about a cracked teapot lid.",
            "created_at": now - timedelta(days=700),
        },
    )
    if created:
        result.add("shop.SupportNote")


def render_invoice_pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF document that shows ``lines`` of ASCII text."""
    text_ops = ["BT", "/F1 12 Tf", "72 760 Td", "16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1", errors="replace")

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        output += b"%010d 00000 n \n" % offset
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(output)
