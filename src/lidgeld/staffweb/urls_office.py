"""Back-office pages: reports, selections, notice texts, settings (kiosks, accounts)."""

from django.urls import path

from lidgeld.staffweb.views import (
    office_accounts,
    office_reports,
    office_selections,
    office_settings,
    office_templates,
    office_types,
)

urlpatterns = [
    path("reports/", office_reports.reports, name="reports"),
    # selections and sets
    path("selections/", office_selections.selections, name="selections"),
    path("selections/run", office_selections.run, name="selections-run"),
    path("selections/sets/combine", office_selections.sets_combine, name="selections-combine"),
    path("selections/sets/<int:set_id>/", office_selections.set_detail, name="selections-set"),
    path(
        "selections/sets/<int:set_id>/export",
        office_selections.set_export,
        name="selections-export",
    ),
    # notice texts
    path("templates/", office_templates.templates, name="templates"),
    path("templates/<str:code>/kinds", office_templates.kinds_save, name="templates-kinds"),
    path(
        "templates/<str:code>/preview/<str:language>",
        office_templates.preview,
        name="templates-preview",
    ),
    path(
        "templates/<str:code>/<str:kind>/<str:language>/",
        office_templates.template_edit,
        name="templates-edit",
    ),
    path(
        "templates/overrides/<int:pk>/", office_templates.override_edit, name="templates-override"
    ),
    path(
        "templates/overrides/<int:pk>/delete",
        office_templates.override_delete,
        name="templates-override-delete",
    ),
    # settings per library, kiosks, staff accounts
    path("settings/", office_settings.settings, name="settings"),
    path("settings/terminals/", office_settings.terminals, name="settings-terminals"),
    path("settings/types/", office_types.types, name="settings-types"),
    path("settings/types/<int:pk>/limits", office_types.type_limits, name="settings-type-limits"),
    path(
        "settings/terminals/<int:pk>/disable",
        office_settings.terminal_switch,
        {"on": False},
        name="settings-terminal-disable",
    ),
    path(
        "settings/terminals/<int:pk>/enable",
        office_settings.terminal_switch,
        {"on": True},
        name="settings-terminal-enable",
    ),
    path(
        "settings/terminals/<int:pk>/password",
        office_settings.terminal_password,
        name="settings-terminal-password",
    ),
    path(
        "settings/terminals/<int:pk>/terminator",
        office_settings.terminal_terminator,
        name="settings-terminal-terminator",
    ),
    path("settings/accounts/", office_accounts.accounts, name="settings-accounts"),
    path("settings/accounts/add", office_accounts.account_add, name="settings-account-add"),
    path("settings/accounts/<int:pk>/", office_accounts.account_edit, name="settings-account"),
    path(
        "settings/accounts/<int:pk>/password",
        office_accounts.account_password,
        name="settings-account-password",
    ),
    path("settings/<str:code>/", office_settings.settings_save, name="settings-save"),
    path(
        "settings/<str:code>/terminals/add",
        office_settings.terminal_new,
        name="settings-terminal-add",
    ),
]
