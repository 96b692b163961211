"""A count as readable text, from its JSON form (already in the reader's language)."""

from typing import Any

from django.utils.translation import gettext as _


def result_text(data: dict[str, Any]) -> str:
    lines = [
        _("Method: %(method)s · %(ballots)s ballots")
        % {"method": data["method"], "ballots": data["ballots"]},
        "",
    ]
    for number, rnd in enumerate(data["rounds"], start=1):
        lines.append(f"{number}. {rnd['title']}")
        for step in rnd["steps"]:
            lines.append(f"   {step['text']}")
            if step["values"]:
                width = max(len(str(k)) for k in step["values"])
                for key, value in step["values"].items():
                    lines.append(f"     {str(key).ljust(width)}  {value}")
            if step["advance"]:
                lines.append("   → " + ", ".join(step["advance"]))
            if step["tied"]:
                lines.append("   = " + _("tied: %(names)s") % {"names": ", ".join(step["tied"])})
        lines.append("")
    if data.get("tie"):
        lines.append(
            _("Unbroken tie between %(names)s for %(needed)s place(s); winners so far: %(winners)s")
            % {
                "names": ", ".join(data["tie"]["candidates"]),
                "needed": data["tie"]["needed"],
                "winners": ", ".join(data["winners"]) or "—",
            }
        )
    else:
        lines.append(_("Winners: %(names)s") % {"names": ", ".join(data["winners"]) or "—"})
    if data.get("lot"):
        lines.append(
            _("Lot seed %(seed)s; order: %(order)s")
            % {"seed": data["lot"]["seed"], "order": ", ".join(data["lot"]["order"])}
        )
    return "\n".join(lines) + "\n"
