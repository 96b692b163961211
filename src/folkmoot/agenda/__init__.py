"""What needs a person now, across every assembly they belong to (issue 12): the home page
of a signed-in person and `GET /api/v1/me/agenda` read the same `agenda_of`."""
