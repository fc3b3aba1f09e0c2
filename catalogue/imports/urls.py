from django.urls import path

from catalogue.imports import views

urlpatterns = [
    path("", views.upload, name="upload"),
    path("export/", views.export, name="export"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/progress/", views.job_progress, name="job-progress"),
    path("<int:job_id>/mapping/", views.job_mapping, name="job-mapping"),
    path("<int:job_id>/confirm/", views.job_confirm, name="job-confirm"),
    path("<int:job_id>/errors.csv", views.job_errors_csv, name="job-errors"),
]
