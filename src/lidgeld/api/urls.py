from django.urls import path

from lidgeld.api import views

app_name = "api"

urlpatterns = [
    path("rules/check", views.rule_check, name="rule-check"),
    path("selections/run", views.selection_run, name="selection-run"),
    path("sets", views.set_list, name="set-list"),
    path("sets/combine", views.set_combine, name="set-combine"),
    path("sets/<int:set_id>/export", views.set_export, name="set-export"),
    path("reports/<slug:name>", views.report_download, name="report"),
]
