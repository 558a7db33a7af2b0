from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from lidgeld.web.admin_login import ThrottledAdminLoginForm, admin_login

admin.site.site_header = "lidgeld — back office"
admin.site.site_title = "lidgeld"
admin.site.index_title = "Lidmaatschappen en lidgeld"
# The admin's login is throttled on the staff login's counter (a superuser logs in here).
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    path("", RedirectView.as_view(url="/staff/", permanent=False)),
    path("admin/login/", admin_login),  # before the admin's own, which it wraps
    path("admin/", admin.site.urls),
    path("api/", include("lidgeld.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("lidgeld.staffweb.urls")),
    path("portal/", include("lidgeld.portal.urls")),
]
