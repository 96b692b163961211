"""The protocol as readable text in the reader's language (issue 3)."""

from folkmoot.governance.protocol import load_protocol
from folkmoot.governance.render import render_markdown

from .documents import as_yaml, document

PROTOCOL = load_protocol(as_yaml(document()))


def test_markdown_states_every_section():
    text = render_markdown(PROTOCOL)
    assert text.startswith("# Tiny protocol\n")
    for line in (
        "## Offices",
        "### Coordinator",
        "- Seats: 5",
        "- Term: 28 days",
        "- Elections every 28 days, opening Monday at 00:00 for 48 hours",
        "## Forums",
        "### Announcements",
        "- Read: citizens (members) of the assembly",
        "- Open a thread: coordinators",
        "- No discussion: only those who open threads write here.",
        "- Tags (one is required): `[OFICIAL]` `[COM]`",
        "## Decisions",
        "- Secret ballot",
        "- Voting: 3–7 days (usually 7)",
        "## Changing this protocol",
        "- **Total amendment**: by Referendum, with the approval of an absolute majority of coordinators, won by at least half plus one of those voting",
    ):
        assert line in text, line


def test_names_come_in_the_readers_language_and_sentences_through_the_translator():
    catalogue = {"Seats: %(seats)s": "Puestos: %(seats)s", "Monday": "lunes"}
    text = render_markdown(PROTOCOL, "es", lambda s: catalogue.get(s, s))
    assert "# Protocolo mínimo" in text and "### Coordinador" in text and "### Comunicados" in text
    assert "- Puestos: 5" in text and "opening lunes at 00:00" in text
