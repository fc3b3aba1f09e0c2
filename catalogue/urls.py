from django.urls import path

from catalogue import views

urlpatterns = [
    path("", views.home, name="home"),
]

catalogue_patterns = [
    path("facilities/", views.search, name="search"),
    path("facilities/suggest/", views.suggest, name="suggest"),
    path("facilities/export/", views.search_export, name="export"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility"),
    path("facilities/<slug:slug>/verify/", views.facility_verify, name="facility-verify"),
    path("compare/", views.compare, name="compare"),
    path("regions/<slug:code>/", views.region_detail, name="region"),
    path("manage/region/", views.my_region, name="my-region"),
]
