"""The intake API under /api/v1/ (applicants, applications, materials, notices, pre-review, tracking)."""

from django.urls import include, path

from applications import api

urlpatterns = [
    path("applicants/", api.ApplicantListView.as_view(), name="api-applicants"),
    path("applicants/search/", api.ApplicantSearchView.as_view(), name="api-applicants-search"),
    path("applicants/<int:pk>/", api.ApplicantDetailView.as_view(), name="api-applicant"),
    path("applicants/<int:pk>/credit/", api.ApplicantCreditView.as_view(), name="api-applicant-credit"),
    path("applications/", api.ApplicationListView.as_view(), name="api-applications"),
    path("applications/<int:pk>/", api.ApplicationDetailView.as_view(), name="api-application"),
    path("applications/<int:pk>/form/", api.ApplicationFormView.as_view(), name="api-application-form"),
    path("applications/<int:pk>/submit/", api.ApplicationSubmitView.as_view(), name="api-application-submit"),
    path("applications/<int:pk>/withdraw/", api.ApplicationWithdrawView.as_view(), name="api-application-withdraw"),
    path("applications/<int:pk>/supply/", api.ApplicationSupplyView.as_view(), name="api-application-supply"),
    path("applications/<int:pk>/materials/", api.MaterialListView.as_view(), name="api-application-materials"),
    path("applications/<int:pk>/materials/<int:mid>/files/", api.MaterialFilesView.as_view(),
         name="api-material-files"),
    path("applications/<int:pk>/materials/<int:mid>/files/<uuid:doc>/", api.MaterialFileView.as_view(),
         name="api-material-file"),
    path("applications/<int:pk>/materials/<int:mid>/reuse/", api.MaterialReuseView.as_view(),
         name="api-material-reuse"),
    path("applications/<int:pk>/materials/<int:mid>/commitment/", api.MaterialCommitmentView.as_view(),
         name="api-material-commitment"),
    path("applications/<int:pk>/accept/", api.AcceptView.as_view(), name="api-application-accept"),
    path("applications/<int:pk>/supplement/", api.SupplementView.as_view(), name="api-application-supplement"),
    path("applications/<int:pk>/refuse/", api.RefuseView.as_view(), name="api-application-refuse"),
    path("applications/<int:pk>/accept-rongque/", api.AcceptRongqueView.as_view(),
         name="api-application-accept-rongque"),
    path("applications/<int:pk>/timeline/", api.TimelineView.as_view(), name="api-application-timeline"),
    path("applications/<int:pk>/notices/", api.NoticeListView.as_view(), name="api-application-notices"),
    path("notices/<int:pk>/pdf/", api.NoticePdfView.as_view(), name="api-notice-pdf"),
    # 延续 (Art. 50): the holder's renewal application of a licence (the licences themselves: licences.api).
    path("licences/<int:pk>/renew/", api.LicenceRenewView.as_view(), name="api-licence-renew"),
    path("prereview/", api.PrereviewView.as_view(), name="api-prereview"),
    path("track/", api.TrackView.as_view(), name="api-track"),
    # The hall queue and appointments (windows, tickets, slots).
    path("", include("applications.api_queue")),
]
