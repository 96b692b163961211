"""Issue 11: the layout's links, reversed once per process (`{% link %}`), are the addresses
`{% url %}` gives, and follow the script prefix a deployment serves under."""

from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix


def both(source: str) -> tuple[str, str]:
    linked = Template("{% load links %}" + source.replace("url", "link")).render(Context())
    return linked, Template(source).render(Context())


def test_a_link_is_the_address_url_gives() -> None:
    for source in (
        "{% url 'home' %}",
        "{% url 'help' 'fractal-democracy' %}",
        "{% url 'api:openapi-view' %}",
    ):
        linked, reversed_now = both(source)
        assert linked == reversed_now and linked.startswith("/"), source


def test_a_link_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/moot/")
        linked, reversed_now = both("{% url 'help' 'assemblies' %}")
        assert linked == reversed_now == "/moot/help/assemblies/"
    finally:
        clear_script_prefix()
    assert both("{% url 'help' 'assemblies' %}")[0] == "/help/assemblies/"
