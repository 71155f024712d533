from django.urls import path

from . import views

urlpatterns = [
    path("save/", views.save_consent, name="consent-save"),
    path("preferences/", views.save_preferences, name="consent-preferences"),
    path("policy/<int:policy_id>/accept/", views.accept_policy, name="consent-accept-policy"),
    path("opt-out/<str:token>/", views.opt_out, name="consent-opt-out"),
    path("unsubscribe/<str:token>/", views.one_click, name="consent-one-click"),
]
