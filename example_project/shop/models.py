"""A small shop whose models hold personal data of several shapes.

Between them they exercise every path of the registry: a one-to-one profile, many rows per
user, a relation two steps away (order lines), a protected foreign key (invoices, kept for a
legal period), uploaded files, and a nullable log relation.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    bio = models.TextField(blank=True)
    id_document = models.FileField(upload_to="documents/", blank=True)
    marketing_notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"profile {self.pk}"


class Address(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=50, default="Home")
    recipient_name = models.CharField(max_length=150)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"address {self.pk}"


class Order(models.Model):
    """An order, kept anonymised for bookkeeping after its customer's account is erased."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="orders"
    )
    number = models.CharField(max_length=20, unique=True)
    placed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, default="delivered")
    shipping_name = models.CharField(max_length=150)
    shipping_address = models.TextField()
    total = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    gift_message = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"line {self.pk}"


class Invoice(models.Model):
    """Kept for the legal period after an account is erased; the user link is protected."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="invoices")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices")
    number = models.CharField(max_length=20, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    billing_name = models.CharField(max_length=150)
    billing_address = models.TextField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    pdf = models.FileField(upload_to="invoices/", blank=True)

    def __str__(self) -> str:
        return self.number


class Message(models.Model):
    """A message a customer sent to support, possibly with an attachment."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    attachment = models.FileField(upload_to="attachments/", blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"message {self.pk}"


class ActivityLog(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=50)
    description = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"activity {self.pk}"


class SupportNote(models.Model):
    """Free-text notes staff write; deliberately not registered and not linked to a user.

    Staff sometimes paste a customer's name or address into notes, which is exactly what the
    residual check after an erasure is there to find.
    """

    ticket = models.CharField(max_length=20)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"note {self.pk}"
