from django.urls import path

from catalog.views import applications, catalogue, imports, staff, verification, workspace

app_name = "catalog"

urlpatterns = [
    path("products/", catalogue.ProductListView.as_view(), name="product-list"),
    path("products/<int:pk>/", catalogue.ProductDetailView.as_view(), name="product-detail"),
    path("producers/<int:pk>/", catalogue.ProducerDetailView.as_view(), name="producer-detail"),
    path("my/products/", workspace.MyProductListView.as_view(), name="my-products"),
    path("my/products/new/", workspace.MyProductCreateView.as_view(), name="my-product-create"),
    path("my/products/<int:pk>/", workspace.MyProductUpdateView.as_view(), name="my-product-edit"),
    path("my/products/<int:pk>/photos/", workspace.MyProductPhotosView.as_view(), name="my-product-photos"),
    path("my/products/<int:pk>/photos/<int:photo_pk>/move/", workspace.PhotoMoveView.as_view(), name="my-photo-move"),
    path(
        "my/products/<int:pk>/photos/<int:photo_pk>/primary/",
        workspace.PhotoPrimaryView.as_view(),
        name="my-photo-primary",
    ),
    path(
        "my/products/<int:pk>/photos/<int:photo_pk>/delete/",
        workspace.PhotoDeleteView.as_view(),
        name="my-photo-delete",
    ),
    path(
        "my/products/<int:pk>/<slug:action>/",
        workspace.ProductStatusView.as_view(),
        name="my-product-status",
    ),
    path("my/profile/", workspace.ProducerProfileView.as_view(), name="my-profile"),
    # OCOP applications (hồ sơ) of the producer
    path("my/applications/", applications.ApplicationListView.as_view(), name="my-applications"),
    path("my/applications/new/", applications.ApplicationCreateView.as_view(), name="my-application-create"),
    path("my/applications/<int:pk>/", applications.ApplicationDetailView.as_view(), name="my-application-detail"),
    path(
        "my/applications/<int:pk>/submit/", applications.ApplicationSubmitView.as_view(), name="my-application-submit"
    ),
    path(
        "my/applications/<int:pk>/documents/<int:document_pk>/",
        applications.DocumentDownloadView.as_view(),
        name="application-document",
    ),
    path(
        "my/applications/<int:pk>/documents/<int:document_pk>/delete/",
        applications.DocumentDeleteView.as_view(),
        name="my-document-delete",
    ),
    # Public verification of a certificate, and its QR code for packaging
    path("verify/<str:code>/", verification.CertificateVerifyView.as_view(), name="certificate-verify"),
    path("verify/<str:code>/qr.png", verification.CertificateQrView.as_view(fmt="png"), name="certificate-qr-png"),
    path("verify/<str:code>/qr.svg", verification.CertificateQrView.as_view(fmt="svg"), name="certificate-qr-svg"),
    # Staff
    path("staff/certification/", staff.CertificationDashboardView.as_view(), name="staff-certification"),
    path("staff/to-complete/", staff.ToCompleteView.as_view(), name="staff-to-complete"),
    path("staff/to-complete/<slug:kind>/", staff.ToCompleteKindView.as_view(), name="staff-to-complete-kind"),
    # Staff: import of the province's existing OCOP list
    path("staff/imports/", imports.ImportUploadView.as_view(), name="staff-import"),
    path("staff/imports/template.xlsx", imports.ImportTemplateView.as_view(), name="staff-import-template"),
    path("staff/imports/<int:pk>/", imports.ImportBatchView.as_view(), name="staff-import-batch"),
    path("staff/imports/<int:pk>/choose/", imports.ImportChooseView.as_view(), name="staff-import-choose"),
    path("staff/imports/<int:pk>/confirm/", imports.ImportConfirmView.as_view(), name="staff-import-confirm"),
    path("staff/imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="staff-import-progress"),
]
