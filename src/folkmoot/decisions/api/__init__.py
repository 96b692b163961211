"""Decisions through the API: the same actions and refusals as the pages (UI-5). One module a
room, each with its own router, mounted here in the order the operations were always listed:

- `proposals`: proposals listed, opened and read;
- `proposal_steps`: supports, validation, approval, withdrawal, launching, consensus rounds;
- `votes`: votes, ballots, electorates and the published ballots;
- `register`: the consensus register and referrals to the parent assembly.

Each route names its operation id: the ids clients know were made from this package's name
when it was one module (`folkmoot_decisions_api_<function>`), and they stay so."""

from ninja import Router

from . import proposal_steps, proposals, register, votes

router = Router()
router.add_router("/", proposals.router)
router.add_router("/", proposal_steps.router)
router.add_router("/", votes.router)
router.add_router("/", register.router)
