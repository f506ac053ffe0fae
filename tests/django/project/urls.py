from __future__ import annotations

from django.urls import path

from tests.django.project import views

urlpatterns = [
    path("api/data/", views.data),
    path("api/vary/", views.with_vary),
    path("api/error/", views.failing),
    path("api/stream/", views.streaming),
    path("api/async/", views.asynchronous),
    path("api/cookie/", views.cookie),
    path("own/", views.own_policy),
    path("other/", views.data),
    path("page/", views.page),
]
