from django.urls import path

from . import views

urlpatterns = [
    path("assemblies/<slug:slug>/decisions/", views.decisions_page, name="decisions"),
    path("assemblies/<slug:slug>/decisions/new/", views.proposal_new, name="proposal-new"),
    path("decisions/<int:pk>/", views.proposal_page, name="proposal"),
    path("decisions/<int:pk>/support/", views.proposal_support, name="proposal-support"),
    path("decisions/<int:pk>/validate/", views.proposal_validate, name="proposal-validate"),
    path("decisions/<int:pk>/urgent/", views.proposal_agree_urgent, name="proposal-agree-urgent"),
    path("decisions/<int:pk>/approve/", views.proposal_approve, name="proposal-approve"),
    path("decisions/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("decisions/<int:pk>/launch/", views.proposal_launch, name="proposal-launch"),
    path("decisions/<int:pk>/respond/", views.proposal_respond, name="proposal-respond"),
    path("decisions/<int:pk>/option/", views.proposal_option, name="proposal-option"),
    path("votes/<int:pk>/", views.vote_page, name="vote"),
    path("votes/<int:pk>/ballot/", views.vote_cast, name="vote-cast"),
    path("votes/<int:pk>/electorate/", views.vote_electorate, name="vote-electorate"),
    path("votes/<int:pk>/check/", views.vote_check, name="vote-check"),
    path("votes/<int:pk>/ballots.csv", views.vote_ballots_csv, name="vote-ballots-csv"),
    path("votes/<int:pk>/ballots.json", views.vote_ballots_json, name="vote-ballots-json"),
    path("register/", views.register_page, name="register"),
    path("register/<int:pk>/refer/", views.register_refer, name="register-refer"),
]
