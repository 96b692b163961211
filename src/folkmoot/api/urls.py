from folkmoot.accounts.api import router as accounts_router
from folkmoot.agenda.api import router as agenda_router
from folkmoot.amendments.api import router as amendments_router
from folkmoot.attachments.api import router as attachments_router
from folkmoot.chat.api import router as chat_router
from folkmoot.conversations.api import router as conversations_router
from folkmoot.decisions.api import router as decisions_router
from folkmoot.federation.api import router as federation_router
from folkmoot.federation.founding_api import router as founding_router
from folkmoot.federation.reshaping_api import router as reshaping_router
from folkmoot.federation.roll_api import router as roll_router
from folkmoot.forums.api import router as forums_router
from folkmoot.moderation.api import router as moderation_router
from folkmoot.moots.api import router as moots_router
from folkmoot.moots.room_api import router as moot_room_router
from folkmoot.notifications.api import router as notifications_router
from folkmoot.offices.api import router as offices_router
from folkmoot.projects.api import router as projects_router
from folkmoot.protocols.api import router as protocols_router
from folkmoot.sealed.api import router as sealed_router

from . import errors, http_errors
from .openapi import FolkmootAPI

api = FolkmootAPI(
    title="Folkmoot API",
    version="1",
    description=(
        "Everything a person can do in the browser (UI-5). Authenticate with a bearer token "
        "from your profile, or with your browser session plus the CSRF token for writes."
    ),
    urls_namespace="api",
)
http_errors.install(api)
errors.install(api)
api.add_router("/", federation_router)
api.add_router("/", founding_router)
api.add_router("/", reshaping_router)
api.add_router("/", moots_router)
api.add_router("/", moot_room_router)
api.add_router("/", roll_router)
api.add_router("/", accounts_router)
api.add_router("/", protocols_router)
api.add_router("/", forums_router)
api.add_router("/", moderation_router)
api.add_router("/", chat_router)
api.add_router("/", conversations_router)
api.add_router("/", notifications_router)
api.add_router("/", agenda_router)
api.add_router("/", offices_router)
api.add_router("/", decisions_router)
api.add_router("/", projects_router)
api.add_router("/", attachments_router)
api.add_router("/", amendments_router)
api.add_router("/", sealed_router)
