"""HTTP through Django, WebSockets (chat) through Channels with the session's user."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "folkmoot.config.settings.prod")
django_asgi = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from folkmoot.chat.routing import websocket_urlpatterns  # noqa: E402
from folkmoot.moots.routing import websocket_urlpatterns as moot_sockets  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *moot_sockets]))
        ),
    }
)
