from django.urls import path

from .views import proposals, propose, register, votes

urlpatterns = [
    path("assemblies/<slug:slug>/decisions/", proposals.decisions_page, name="decisions"),
    path("assemblies/<slug:slug>/decisions/new/", propose.proposal_new, name="proposal-new"),
    path("decisions/<int:pk>/", proposals.proposal_page, name="proposal"),
    path("decisions/<int:pk>/support/", proposals.proposal_support, name="proposal-support"),
    path("decisions/<int:pk>/validate/", proposals.proposal_validate, name="proposal-validate"),
    path(
        "decisions/<int:pk>/urgent/",
        proposals.proposal_agree_urgent,
        name="proposal-agree-urgent",
    ),
    path("decisions/<int:pk>/approve/", proposals.proposal_approve, name="proposal-approve"),
    path("decisions/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal-withdraw"),
    path("decisions/<int:pk>/launch/", proposals.proposal_launch, name="proposal-launch"),
    path("decisions/<int:pk>/respond/", proposals.proposal_respond, name="proposal-respond"),
    path("decisions/<int:pk>/option/", proposals.proposal_option, name="proposal-option"),
    path("votes/<int:pk>/", votes.vote_page, name="vote"),
    path("votes/<int:pk>/ballot/", votes.vote_cast, name="vote-cast"),
    path("votes/<int:pk>/electorate/", votes.vote_electorate, name="vote-electorate"),
    path("votes/<int:pk>/check/", votes.vote_check, name="vote-check"),
    path("votes/<int:pk>/ballots.csv", votes.vote_ballots_csv, name="vote-ballots-csv"),
    path("votes/<int:pk>/ballots.json", votes.vote_ballots_json, name="vote-ballots-json"),
    path("register/", register.register_page, name="register"),
    path("register/<int:pk>/refer/", register.register_refer, name="register-refer"),
]
