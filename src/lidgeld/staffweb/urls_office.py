from django.urls import path

from lidgeld.staffweb.views import placeholder

urlpatterns = [
    path("reports/", placeholder.page, {"title": "Reports"}, name="reports"),
    path("selections/", placeholder.page, {"title": "Selections"}, name="selections"),
    path("templates/", placeholder.page, {"title": "Notice texts"}, name="templates"),
    path("settings/", placeholder.page, {"title": "Settings"}, name="settings"),
]
