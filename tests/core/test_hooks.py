"""Every hook in ``core.hookspecs``, exercised end to end through a real app with the dummy plugin.

There is one ``test_hook_<name>`` per hook. The meta-tests at the end fail when a hook is added
to the contract without a test here, without its exact signature in ``docs/hooks.md``, or
without an implementation in ``tests/dummy_plugin/hooks.py``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import random
import re
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core import hookspecs
from core.contributions import Event, PluginMeta
from core.demo import DemoContext, populate
from core.events import emit
from core.hookspecs import hookimpl
from core.jobs import current_slot, run_job
from core.plugins import (
    LoadedPlugin,
    await_me_maybe,
    collect,
    hooks_implemented,
    load_plugins,
    make_plugin_manager,
)
from core.runtime import build_runtime, runtime_of
from core.settings import ConfigError
from core.tables import Unit
from tests.dummy_plugin import hooks as dummy
from tests.dummy_plugin.tables import DummyNote
from tests.support.factories import csrf, login, make_person, make_unit

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
HOOKS_DOC = ROOT / "docs" / "hooks.md"
HX = {"HX-Request": "true"}


def hookspec_functions() -> dict[str, Callable[..., Any]]:
    """The hooks of the contract, by name, in file order."""
    marker = f"{hookspecs.PROJECT}_spec"
    functions = inspect.getmembers(hookspecs, lambda f: inspect.isfunction(f) and hasattr(f, marker))
    return dict(sorted(functions, key=lambda item: item[1].__code__.co_firstlineno))


def signature_line(name: str, func: Callable[..., Any]) -> str:
    """``def name(arg: Type, ...) -> Return``, annotations exactly as written in hookspecs.py."""

    def text(annotation: Any) -> str:
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    sig = inspect.signature(func)
    params = ", ".join(
        p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {text(p.annotation)}"
        for p in sig.parameters.values()
    )
    returns = "" if sig.return_annotation is inspect.Signature.empty else f" -> {text(sig.return_annotation)}"
    return f"def {name}({params}){returns}"


async def signed_in(client: Any) -> int:
    person = await make_person(unit=await make_unit())
    await login(client, person)
    return person


# --- One test per hook -----------------------------------------------------------------------


async def test_hook_startup(settings: Any, monkeypatch: Any) -> None:
    dummy.STARTUPS.clear()
    runtime = build_runtime(settings, load_plugins(["tests.dummy_plugin"]))
    assert [runtime] == dummy.STARTUPS  # once, with the runtime being built
    monkeypatch.setenv(dummy.FAIL_VARIABLE, "1")
    with pytest.raises(ConfigError, match=dummy.FAIL_VARIABLE):
        build_runtime(settings, load_plugins(["tests.dummy_plugin"]))


async def test_hook_audit_labels(settings: Any) -> None:
    runtime = build_runtime(settings, load_plugins(["tests.dummy_plugin", "plugins.restanse"]))
    labels = runtime.audit_labels
    assert labels["dummy_plugin.noted"] == "Testnotat skrevet"
    assert labels["restanse.snapshot"] == "Restansetall lagret for måneden"  # each plugin its own
    assert labels["archive.distributed"] == "Fordelt"  # core's own, through the same hook


async def test_hook_register_routes(client: Any) -> None:
    await signed_in(client)
    response = await client.get("/dummy_plugin")
    assert response.status_code == 200
    assert "<h1>Testtillegg</h1>" in response.text
    assert '<html lang="nb">' in response.text  # a full page extending base.html
    # The plugin's routes are guarded by core's login guard like every other route.
    await client.post("/logg-ut", headers=csrf(client))
    anonymous = await client.get("/dummy_plugin")
    assert anonymous.status_code == 302
    assert anonymous.headers["location"].startswith("/logg-inn")


async def test_hook_menu_links(client: Any) -> None:
    await signed_in(client)
    response = await client.get("/")
    html = response.text
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    assert '<a href="/dummy_plugin">Testlenke <span class="badge">3' in nav
    assert '<span class="visually-hidden"> ting</span>' in nav
    # Sorted by ``order``: core's Forside (0) before the dummy link (500).
    assert nav.index('href="/"') < nav.index('href="/dummy_plugin"')
    # The current page is marked for screen readers.
    page = await client.get("/dummy_plugin")
    assert '<a href="/dummy_plugin" aria-current="page">Testlenke' in page.text


async def test_hook_dashboard_cards(client: Any) -> None:
    await signed_in(client)
    home = await client.get("/")
    assert '<h3 id="kort-saksbehandler-dummy">Testkort</h3>' in home.text
    assert 'hx-get="/dummy_plugin/kort"' in home.text
    fragment = await client.get("/dummy_plugin/kort", headers=HX)
    assert fragment.status_code == 200
    assert "Testkortets innhold" in fragment.text
    assert "<html" not in fragment.text


async def test_hook_register_permissions(app: Any) -> None:
    permissions = {p.name: p.description for p in runtime_of(app).permissions}
    assert permissions["dummy_plugin.view"] == "Se testtillegget"
    assert "core.admin" in permissions  # core registers its own through the same hook
    names = [p.name for p in runtime_of(app).permissions]
    assert names == sorted(names)


async def test_hook_register_jobs(app: Any) -> None:
    runtime = runtime_of(app)
    assert "dummy_plugin.tick" in [job.name for job in runtime.jobs]
    job = runtime.job("dummy_plugin.tick")
    assert job is not None
    assert job.schedule == "*/5 * * * *"
    slot = current_slot()
    first = await run_job(runtime, job, slot)
    assert (first.ran, first.status, first.message) == (True, "ok", "kjørt")
    assert dummy.JOB_CALLS[-1] == first.slot.isoformat()
    calls = len(dummy.JOB_CALLS)
    second = await run_job(runtime, job, slot)
    assert (second.ran, second.status) == (False, "skipped")
    assert len(dummy.JOB_CALLS) == calls  # a slot never runs twice


async def test_hook_register_commands() -> None:
    from core.cli import main

    result = CliRunner().invoke(main, ["dummy", "hei"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "hei fra testtillegget"
    listing = CliRunner().invoke(main, ["--help"])
    assert "dummy" in listing.output


async def test_hook_task_kinds(client: Any, app: Any) -> None:
    from core.tasks.services import create_task

    runtime = runtime_of(app)
    kinds = runtime.task_kinds
    assert kinds["dummy_plugin.check"].label == "Testoppgave"
    assert (kinds["dummy_plugin.check"].reminder_days, kinds["dummy_plugin.check"].escalation_days) == (1, 3)
    assert kinds["dummy_plugin.approve"].edits_documents is True
    assert kinds["core.oppgave"].url == "/oppgaver/{id}"  # core gives its own through the same hook
    assert list(kinds) == sorted(kinds)
    person = await signed_in(client)
    task_id = await create_task(
        runtime.settings,
        kind="dummy_plugin.check",
        receiver_person_id=person,
        sender_id=None,
        object_type="journalpost",
        object_id=5,
        title="Sjekk posten",
    )
    inbox = await client.get("/oppgaver")
    assert "Testoppgave" in inbox.text  # the kind's label
    assert '<span class="dummy-task-row">Sjekk av journalpost 5</span>' in inbox.text  # its row template
    assert f'<a href="/oppgaver/{task_id}">Sjekk posten</a>' in inbox.text
    approval = await create_task(
        runtime.settings,
        kind="dummy_plugin.approve",
        receiver_person_id=person,
        sender_id=None,
        object_type="journalpost",
        object_id=5,
        title="Godkjenn posten",
    )
    moved = await client.get(f"/oppgaver/{approval}")  # the kind's own page
    assert (moved.status_code, moved.headers["location"]) == (303, f"/dummy_plugin/oppgave/{approval}")


async def test_hook_handle_event(app: Any) -> None:
    runtime = runtime_of(app)
    before = len(dummy.EVENTS)
    await emit(runtime, Event("dummy_plugin.pinged", {"journalpost": 42}, actor_id=7))
    assert len(dummy.EVENTS) == before + 1
    event = dummy.EVENTS[-1]
    assert (event.name, event.data, event.actor_id) == ("dummy_plugin.pinged", {"journalpost": 42}, 7)
    assert event.at is not None  # emit stamps the time


async def test_a_failing_event_handler_does_not_stop_the_others(app: Any) -> None:
    failing = types.ModuleType("failing_hooks")

    @hookimpl
    def handle_event(event: Event) -> None:
        raise RuntimeError("boom")

    failing.handle_event = handle_event  # type: ignore[attr-defined]
    # emit() calls handlers in registration order: the failing one runs before the dummy's.
    plugins = [
        LoadedPlugin(PluginMeta("failing", "Feil", "Feiler alltid."), "failing", failing, ROOT),
        *load_plugins(["tests.dummy_plugin"]),
    ]
    runtime = build_runtime(runtime_of(app).settings, plugins)
    before = len(dummy.EVENTS)
    await emit(runtime, Event("dummy_plugin.pinged"))
    assert len(dummy.EVENTS) == before + 1


async def test_hook_prepare_jinja2_environment(client: Any, app: Any) -> None:
    assert "rop" in runtime_of(app).templates.filters
    await signed_in(client)
    response = await client.get("/dummy_plugin")
    assert "<p>HEI!</p>" in response.text


async def test_hook_template_dirs(client: Any, app: Any) -> None:
    from core.templating import template_dirs

    runtime = runtime_of(app)
    dirs = template_dirs(runtime.plugins, runtime.pm)
    extra = Path(dummy.__file__).parent / "extra_templates"
    conventional = Path(dummy.__file__).parent / "templates"
    assert dirs.index(conventional) < dirs.index(extra)  # searched after <plugin>/templates
    await signed_in(client)
    response = await client.get("/dummy_plugin")
    assert "<p>EKSTRA!</p>" in response.text  # dummy/_extra.html from the extra directory


async def test_hook_static_dirs(client: Any) -> None:
    response = await client.get("/static/dummy-extra/dummy.css")  # public: no sign-in needed
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.text.strip() == "body { }"
    assert (await client.get("/static/dummy-extra/finst-ikkje.css")).status_code == 404


async def test_hook_demo_data(settings: Any, db: None) -> None:
    try:
        summary = await populate(settings, seed=7)
        assert summary.startswith("Demodata lagt inn")
        notes = await DummyNote.select(DummyNote.text)
        assert len(notes) == 1
        assert re.fullmatch(r"demo [1-9]", notes[0]["text"])
        # A second run adds nothing, so the hook is not called again.
        await populate(settings, seed=7)
        assert await DummyNote.count() == 1
    finally:
        # Demo units have parent units (ON DELETE RESTRICT); detach them so the next test's
        # ``db`` fixture can empty the table.
        await Unit.update({Unit.parent: None}, force=True)


async def test_hook_demo_data_through_the_plugin_manager(app: Any) -> None:
    runtime = runtime_of(app)
    ctx = DemoContext(settings=runtime.settings, rng=random.Random(1), scale=0, pm=runtime.pm)
    for result in runtime.pm.hook.demo_data(ctx=ctx):
        await await_me_maybe(result)
    assert await DummyNote.count() == 1


async def test_hook_leaver_checklist(app: Any) -> None:
    unit = await make_unit(code="LMA", name="Landbruk")
    person = await make_person(name="Slutter Snart", unit=unit)
    lines = await collect(runtime_of(app).pm.hook.leaver_checklist(person_id=person))
    by_key = {line.key: line for line in lines}
    assert by_key["dummy_plugin.notes"].count == person % 3
    # Core's own lines are there, each 0 for a person with nothing.
    assert {"archive.restanser", "archive.cases", "archive.unsent", "tasks.open"} <= set(by_key)
    assert by_key["archive.cases"].count == 0


# --- Meta-tests ------------------------------------------------------------------------------


def test_every_hook_has_a_test() -> None:
    module = sys.modules[__name__]
    assert len(hookspecs_names()) >= 11
    missing = [name for name in hookspecs_names() if not callable(getattr(module, f"test_hook_{name}", None))]
    assert not missing, f"Mangler test_hook_<navn> i {__name__} for: {missing}"


def hookspecs_names() -> list[str]:
    return list(hookspec_functions())


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    doc = HOOKS_DOC.read_text(encoding="utf-8")
    code_blocks = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", doc, flags=re.DOTALL))
    headings = re.findall(r"^#{2,3} `?(\w+)`?\s*$", doc, flags=re.MULTILINE)
    problems = []
    for name, func in hookspec_functions().items():
        line = signature_line(name, func)
        if line not in code_blocks:
            problems.append(f"{name}: signature not in a code block: {line}")
        if name not in headings:
            problems.append(f"{name}: no heading '## {name}'")
    assert not problems, "docs/hooks.md is out of date:\n" + "\n".join(problems)


def test_docs_list_no_hooks_that_do_not_exist() -> None:
    doc = HOOKS_DOC.read_text(encoding="utf-8")
    # Signature lines are ``def name(...) -> ...`` without the colon that examples have.
    documented = set(re.findall(r"^def (\w+)\(.*[^:]$", doc, flags=re.MULTILINE))
    assert documented
    assert documented - set(hookspecs_names()) == set()


def test_dummy_plugin_implements_every_hook() -> None:
    pm = make_plugin_manager(load_plugins(["tests.dummy_plugin"]))
    assert hooks_implemented(pm, "dummy_plugin") == sorted(hookspecs_names())


def example_blocks() -> list[tuple[str, str]]:
    """The examples of docs/hooks.md: ``(file named by the first comment, code)``; the
    signature blocks (one ``def`` line without a body) are not examples."""
    doc = HOOKS_DOC.read_text(encoding="utf-8")
    examples = []
    for code in re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL):
        if re.fullmatch(r"def \w+\(.*\) -> .*\n", code):
            continue
        first = code.splitlines()[0]
        match = re.match(r"# ([\w/.]+\.py)", first)
        assert match, f"an example in docs/hooks.md does not name its file:\n{code}"
        examples.append((match.group(1), code))
    return examples


def imported_modules(source: str) -> dict[str, str]:
    """Name → module for the ``import``/``from … import`` statements of a file (module-level
    and inside functions)."""
    names: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def local_names(code: str) -> set[str]:
    """Parameters and assigned names of an example (its local variables)."""
    names = set(re.findall(r"^\s*([a-z_]\w*)\s*(?::[^=]*)?=", code, flags=re.MULTILINE))
    for params in re.findall(r"def \w+\((.*?)\)", code, flags=re.DOTALL):
        names |= set(re.findall(r"([a-z_]\w*)\s*:", params))
    names |= set(re.findall(r"for ([a-z_]\w*) in", code))
    return names


def test_hook_examples_are_real_code() -> None:
    """Every example names a real file; every function it defines is defined there; every
    ``name.attr`` whose ``name`` that file imports resolves; every other called name is
    defined or imported there."""
    problems = []
    examples = example_blocks()
    assert len(examples) >= 13
    for path, code in examples:
        file = ROOT / path
        if not file.is_file():
            problems.append(f"{path}: no such file")
            continue
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source)
        defined = {
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        assigned = {
            t.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        imports = imported_modules(source)
        for name in re.findall(r"^\s*(?:async )?def (\w+)\(", code, flags=re.MULTILINE):
            if name not in defined:
                problems.append(f"{path}: the example defines {name}(), the file does not")
        bare = re.sub(r"#.*$", "", re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", '""', code), flags=re.MULTILINE)
        bare = re.sub(r"^\s*(from|import) .*$", "", bare, flags=re.MULTILINE)
        params = {
            a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args + n.kwonlyargs
        }
        for name, attr in re.findall(r"(?<![.\w])([a-z_][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b", bare):
            target = imports.get(name)
            if target is None:
                local = name in local_names(code) or name in defined or name in assigned or name in params
                if not local:
                    problems.append(
                        f"{path}: {name}.{attr}: {name} is neither imported by that file nor local"
                    )
                continue
            try:
                module = importlib.import_module(target)
            except ImportError:
                continue  # ``from package import name`` of a non-module: checked below
            if not hasattr(module, attr):
                problems.append(f"{path}: {name}.{attr} does not exist ({target})")
        for name in set(re.findall(r"(?<![.\w])([A-Za-z_]\w*)\(", bare)):
            if name in {"def", "print", "list", "dict", "len", "str", "int", "sum", "max", "min", "lambda"}:
                continue
            if (
                name not in defined
                and name not in imports
                and name not in assigned
                and not hasattr(builtins, name)
            ):
                problems.append(
                    f"{path}: the example calls {name}(), which that file neither defines nor imports"
                )
    assert not problems, "docs/hooks.md examples that are not real code:\n" + "\n".join(problems)
