from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "lidgeld — back office"
admin.site.site_title = "lidgeld"
admin.site.index_title = "Lidmaatschappen en lidgeld"

urlpatterns = [
    path("", RedirectView.as_view(url="/staff/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("lidgeld.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("lidgeld.staffweb.urls")),
    path("portal/", include("lidgeld.portal.urls")),
]
