from django.urls import path

from . import views

urlpatterns = [
    path("decisions/<int:pk>/amendments/", views.propose, name="amendment-propose"),
    path("decisions/<int:pk>/versions/", views.versions, name="proposal-versions"),
    path("amendments/<int:amendment_id>/answer/", views.answer, name="amendment-answer"),
    path("amendments/<int:amendment_id>/withdraw/", views.withdraw, name="amendment-withdraw"),
    path("amendments/<int:amendment_id>/support/", views.support, name="amendment-support"),
]
