from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from catalogue.apis import EquipmentViewSet, FacilityViewSet, ServiceViewSet
from catalogue.enquiries.apis import EnquiryViewSet
from catalogue.urls import catalogue_patterns
from core.api import APIRootView
from core.apis import OrganisationViewSet, RegionViewSet, TermViewSet
from core.views import healthz

# JSON for unknown URLs under /api/, the portal's HTML page elsewhere.
handler404 = "core.api.api_aware_not_found"

api = routers.DefaultRouter()
api.APIRootView = APIRootView
api.register("regions", RegionViewSet, basename="region")
api.register("organisations", OrganisationViewSet, basename="organisation")
api.register("terms", TermViewSet, basename="term")
api.register("facilities", FacilityViewSet, basename="facility")
api.register("equipment", EquipmentViewSet, basename="equipment")
api.register("services", ServiceViewSet, basename="service")
api.register("enquiries", EnquiryViewSet, basename="enquiry")

urlpatterns = [
    path("api/v1/", include(api.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("core.urls")),
    path("admin/", admin.site.urls),
    path("", include("catalogue.urls")),
    path("", include((catalogue_patterns, "catalogue"))),
    path("manage/imports/", include(("catalogue.imports.urls", "imports"))),
    path("", include("catalogue.enquiries.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
