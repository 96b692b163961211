"""Issue 15, BEY-1: every rule a protocol declares does something. A protocol page that
promises what the software does not do breaks the federation's trust.

This test walks every field of the protocol's schema (`governance.protocol.Protocol`, all
the presets' keys) and looks for code that reads it on a path the platform runs: a
function of the Django side, or a function of the pure core that such code calls, directly
or through other core functions. Reading it only to validate the file (`protocol.py`) or to
describe it on the protocol page (`render.py`) does not count. A field nothing reads fails
the test, unless it is listed below with the reason it is not enforced yet: the list is the
honest state of issue 15, and it may only shrink (a listed field that becomes read fails too,
so that the list is kept true).

What it cannot see: it matches attribute names, not types, so a field named like another
common attribute (`days`, `hours`, `count`) counts as read wherever such an attribute is
read, and a core function counts as called when running code names any function of that
name. It finds the rules nothing reads by name; whether a rule that is read does what it
says is for the behaviour tests the mapping document cites."""

from __future__ import annotations

import ast
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from folkmoot.governance import protocol

SRC = Path(__file__).resolve().parents[2] / "src" / "folkmoot"
CORE = SRC / "governance"
NOT_ENFORCING = {CORE / "protocol.py", CORE / "render.py"}  # validating, describing

# Fields that are not rules: nothing to enforce.
NOT_RULES = {
    "title.en": "the protocol's title, in the reader's language",
    "title.es": "the protocol's title, in the reader's language",
    "title.fr": "the protocol's title, in the reader's language",
    "title.ja": "the protocol's title, in the reader's language",
    "sanctions.levels.offences": "the offences each level names, for people to read",
}
# Rules read by name rather than as an attribute: getattr(forum, action) in
# governance/audience.py, with action one of the forum's actions (FOR-1);
# getattr(protocol.amendments, which) in protocols/amend_views.py and decisions/settle.py, with
# which "total" or "partial" (PRO-2).
READ_BY_NAME = {"forums.read", "forums.open_thread", "forums.reply", "amendments.partial"}
# Rules declared and shown, but not enforced yet: issue 15's list, kept true by this test
# (a key added to the schema that nothing reads fails until it is listed here, with why).
NOT_YET: dict[str, str] = {}  # none now: MegaPoll's several questions were the last (issue 15)
# Powers an office may hold that no code grants anything for yet (none now: validate_polls
# was the last, issue 15).
POWERS_NOT_YET: dict[str, str] = {}


@dataclass
class Unit:
    """A function (or a module's top-level code): what it reads and whom it names."""

    path: Path
    name: str
    attributes: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)

    @property
    def core(self) -> bool:
        return CORE in self.path.parents


def _units() -> list[Unit]:
    units: list[Unit] = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        top = Unit(path, f"<module {path.name}>")
        units.append(top)

        def visit(node: ast.AST, unit: Unit) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    inner = Unit(unit.path, child.name)
                    units.append(inner)
                    visit(child, inner)
                    continue
                if isinstance(child, ast.Attribute):
                    unit.attributes.add(child.attr)
                    unit.names.add(child.attr)
                elif isinstance(child, ast.Name):
                    unit.names.add(child.id)
                elif isinstance(child, ast.Constant) and isinstance(child.value, str):
                    unit.strings.add(child.value)
                visit(child, unit)

        visit(tree, top)
    return units


def _running(units: list[Unit]) -> list[Unit]:
    """The Django side runs; a core function runs when running code names it."""
    running = [u for u in units if not u.core]
    named = set().union(*(u.names for u in running))
    core = [u for u in units if u.core]
    while True:
        more = [u for u in core if u.name in named and u not in running]
        if not more:
            return running
        running += more
        named |= set().union(*(u.names for u in more))


def _models(annotation: typing.Any) -> list[type[BaseModel]]:
    if typing.get_origin(annotation) is None:
        found = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        return [annotation] if found else []
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _fields() -> list[str]:
    paths: list[str] = []
    seen: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            paths.append(prefix + name)
            for inner in _models(info.annotation):
                walk(inner, f"{prefix}{name}.")

    walk(protocol.Protocol, "")
    return paths


def _unread() -> set[str]:
    readers = [u for u in _running(_units()) if u.path not in NOT_ENFORCING]
    read = set().union(*(u.attributes for u in readers))
    return {p for p in _fields() if p.rsplit(".", 1)[-1] not in read} - READ_BY_NAME


def test_every_rule_the_protocol_declares_is_read_by_code_the_platform_runs() -> None:
    unread = _unread() - set(NOT_RULES)
    assert unread - set(NOT_YET) == set(), "rules nothing enforces: " + ", ".join(
        sorted(unread - set(NOT_YET))
    )
    assert set(NOT_YET) - unread == set(), "enforced now, take them off NOT_YET: " + ", ".join(
        sorted(set(NOT_YET) - unread)
    )


def test_every_power_an_office_may_hold_does_something() -> None:
    """A power is granted by name: `Power.X` or its value, read by running code; or the
    protocol file must agree with it (an office that launches votes holds launch_votes, see
    the next test), which `protocol._cross_references` checks whenever a protocol loads."""
    units = _units()
    readers = [u for u in _running(units) if u.path not in NOT_ENFORCING]
    readers += [
        u for u in units if u.path == CORE / "protocol.py" and u.name == "_cross_references"
    ]
    read = set().union(*(u.attributes | u.strings for u in readers))
    unread = {p.value for p in protocol.Power if p.name not in read and p.value not in read}
    assert unread == set(POWERS_NOT_YET), f"powers that do nothing: {sorted(unread)}"


def test_the_audit_counts_a_core_function_only_when_the_platform_calls_it() -> None:
    """The check itself: a rule read by a core function counts once the Django side calls
    that function (directly or through another core function), not before."""
    core = CORE / "schedule.py"
    reader = Unit(core, "rule_due", attributes={"some_days"})
    helper = Unit(core, "helper", names={"rule_due"})
    alone = _running([reader, helper, Unit(SRC / "views.py", "page")])
    assert reader not in alone and helper not in alone
    called = _running([reader, helper, Unit(SRC / "views.py", "page", names={"helper"})])
    assert reader in called and helper in called
    assert "sanctions.levels.hours" not in _unread()  # read by running code


def test_a_protocol_whose_powers_disagree_with_its_tasks_is_refused_with_the_reason() -> None:
    """The powers the protocol page lists are the tasks the software lets holders do."""
    import pytest

    from folkmoot.governance.presets import preset_text
    from folkmoot.governance.protocol import ProtocolInvalid, load_protocol

    text = preset_text("red15m").replace("      - launch_votes\n", "", 1)
    with pytest.raises(ProtocolInvalid) as refused:
        load_protocol(text)
    shown = str(refused.value)
    assert "decision_kinds.poll.launched_by" in shown
    assert "names the office “coordinator”, which does not hold the power this needs" in shown
