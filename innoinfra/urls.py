from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from catalogue.urls import catalogue_patterns
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("core.urls")),
    path("admin/", admin.site.urls),
    path("", include("catalogue.urls")),
    path("", include((catalogue_patterns, "catalogue"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
