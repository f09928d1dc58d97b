"""The holder's licences (我的证照) and the licences of an application."""

from django.urls import path

from applications import views_licences as views

urlpatterns = [
    path("account/licences/", views.licence_library, name="licence_library"),
    path("account/licences/<int:pk>/", views.licence_detail, name="licence_detail"),
    path("account/licences/<int:pk>/pdf/", views.licence_pdf, name="licence_pdf"),
    path("account/licences/<int:pk>/delivery/", views.licence_delivery, name="licence_delivery"),
    path("account/licences/<int:pk>/renew/", views.licence_renew, name="licence_renew"),
    path("applications/<int:pk>/licences/", views.application_licences_partial,
         name="application_licences_partial"),
]
