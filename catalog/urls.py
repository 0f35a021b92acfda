from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("producers/<int:pk>/", views.ProducerDetailView.as_view(), name="producer-detail"),
    path("my/products/", views.MyProductListView.as_view(), name="my-products"),
    path("my/products/new/", views.MyProductCreateView.as_view(), name="my-product-create"),
    path("my/products/<int:pk>/", views.MyProductUpdateView.as_view(), name="my-product-edit"),
    path("my/products/<int:pk>/photos/", views.MyProductPhotosView.as_view(), name="my-product-photos"),
    path("my/products/<int:pk>/photos/<int:photo_pk>/move/", views.PhotoMoveView.as_view(), name="my-photo-move"),
    path(
        "my/products/<int:pk>/photos/<int:photo_pk>/primary/",
        views.PhotoPrimaryView.as_view(),
        name="my-photo-primary",
    ),
    path(
        "my/products/<int:pk>/photos/<int:photo_pk>/delete/",
        views.PhotoDeleteView.as_view(),
        name="my-photo-delete",
    ),
    path(
        "my/products/<int:pk>/<slug:action>/",
        views.ProductStatusView.as_view(),
        name="my-product-status",
    ),
    path("my/profile/", views.ProducerProfileView.as_view(), name="my-profile"),
]
