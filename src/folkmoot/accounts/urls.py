from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_tokens, name="api-tokens"),
    path("profile/data.json", views.my_data, name="my-data"),
    path("profile/delete/", views.delete_account, name="delete-account"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
