"""The shop's home page: a signed-in customer's orders and support messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Message, Order

MAX_LISTED = 20


def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's latest orders and messages, or a log-in link to visitors."""
    context: dict[str, Any] = {"orders": [], "messages_sent": []}
    if request.user.is_authenticated:
        context["orders"] = list(
            Order.objects.filter(customer=request.user).order_by("-placed_at")[:MAX_LISTED]
        )
        context["messages_sent"] = list(
            Message.objects.filter(author=request.user).order_by("-sent_at")[:MAX_LISTED]
        )
    return render(request, "shop/home.html", context)
