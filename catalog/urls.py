from django.urls import path

from catalog.views import catalogue, workspace

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
]
