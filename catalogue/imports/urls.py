from django.urls import path

from catalogue.imports import views

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:job_id>/", views.job_detail, name="job"),
]
