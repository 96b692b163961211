from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/forums/", views.forum_index, name="forums"),
    path("assemblies/<slug:slug>/forums/search/", views.forum_search, name="forum-search"),
    path("assemblies/<slug:slug>/forums/<slug:key>/", views.forum_page, name="forum"),
    path("assemblies/<slug:slug>/forums/<slug:key>/new/", views.thread_new, name="thread-new"),
    path("assemblies/<slug:slug>/threads/<int:pk>/", views.thread_page, name="thread"),
    path("assemblies/<slug:slug>/threads/<int:pk>/reply/", views.thread_reply, name="thread-reply"),
    path(
        "assemblies/<slug:slug>/threads/<int:pk>/rescue/", views.thread_rescue, name="thread-rescue"
    ),
    path(
        "assemblies/<slug:slug>/rescues/<int:pk>/decide/", views.rescue_decide, name="rescue-decide"
    ),
    path("assemblies/<slug:slug>/posts/<int:pk>/", views.post_link, name="post"),
    path("assemblies/<slug:slug>/posts/<int:pk>/react/", views.post_react, name="post-react"),
    path("assemblies/<slug:slug>/posts/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("assemblies/<slug:slug>/posts/<int:pk>/history/", views.post_history, name="post-history"),
]
