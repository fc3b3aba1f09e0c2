from django.urls import path

from catalogue.enquiries import inbox, views

app_name = "enquiries"

urlpatterns = [
    # The SME's side: no account, a private link.
    path("enquiries/new/", views.enquiry_new, name="new"),
    path("enquiries/sent/", views.enquiry_sent, name="sent"),
    path("enquiries/<str:public_id>/<str:token>/", views.enquiry_private, name="private"),
    path("enquiries/<str:public_id>/<str:token>/withdraw/", views.enquiry_withdraw, name="withdraw"),
    path("enquiries/<str:public_id>/<str:token>/delete/", views.enquiry_delete, name="delete"),
    # The regional partners' inbox.
    path("manage/enquiries/", inbox.inbox, name="inbox"),
    path("manage/enquiries/<int:thread_id>/", inbox.thread_detail, name="thread"),
]
