from django.urls import include, path

urlpatterns = [
    path("", include("applications.urls_filing")),
    path("", include("applications.urls_licences")),
    path("", include("applications.urls_desk")),
    path("", include("applications.urls_queue")),
]
