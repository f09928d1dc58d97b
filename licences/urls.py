from django.urls import path

from licences import views

urlpatterns = [
    path("verify/l/<str:token>/", views.verify_token, name="licence_verify_token"),
]
