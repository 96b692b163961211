"""Pages for proposals, votes, ballots, results and the register: parse → access → action →
render. Every form works without JavaScript. One module a room:

- `proposals`: an assembly's decisions, a proposal's page and its buttons;
- `propose`: the form that opens a proposal;
- `votes`: a vote's page, its ballot, electorate and published ballots;
- `register`: the consensus register and referrals to the parent assembly;
- `shared`: what they all read (404s, the core's answers in words)."""
