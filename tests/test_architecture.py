"""The apps build on each other in one direction (docs/architecture.md):

    tasteget ← places ← intake ← stories, magazine, ambassadors ← home ← search ← reports

Every import in every module counts, at any depth (an import inside a
function is still a dependency). Landed migrations are history and are not
read; `tasteget.urls`, `wsgi` and `settings` are the project's root, which
wires every app together.

Inside an app the modules import each other without a cycle too, counted
the same way: an import inside a function that closes a loop is the loop
hidden, not gone. Importing `app.models.pages` depends on that module, not
on the package `app.models` around it (Django has imported every app's
models package before any code runs), so a models package may re-export
its page models while the services the pages call import the other models
by their own module.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    {"tasteget"},
    {"places"},
    {"intake"},
    {"stories", "magazine", "ambassadors", "events"},
    {"privacy"},
    {"home"},
    {"search"},
    {"reports"},
]
APPS = set().union(*LAYERS)
PROJECT_ROOT_MODULES = {"tasteget/urls.py", "tasteget/wsgi.py", "tasteget/asgi.py"}


def layer_of(app):
    return next(index for index, layer in enumerate(LAYERS) if app in layer)


def imports_of(path, apps):
    """The apps (of `apps`) that the module at `path` imports, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside the app
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in apps)
    return found


def app_graph(root, apps, skip=()):
    """{app: {app it imports: [modules that do]}} for the packages `apps` under `root`."""
    graph = {app: {} for app in apps}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative or relative in skip or relative.startswith(skip_prefixes(skip)):
                continue
            for other in imports_of(path, apps) - {app}:
                graph[app].setdefault(other, []).append(relative)
    return graph


def skip_prefixes(skip):
    return tuple(entry for entry in skip if entry.endswith("/"))


def find_cycle(graph):
    """One cycle of apps as a list (first app repeated at the end), or None."""
    state = {}

    def visit(app, trail):
        state[app] = "open"
        for other in sorted(graph.get(app, {})):
            if state.get(other) == "open":
                return [*trail[trail.index(other) :], other] if other in trail else [app, other, app]
            if other not in state:
                cycle = visit(other, [*trail, other])
                if cycle:
                    return cycle
        state[app] = "done"
        return None

    for app in sorted(graph):
        if app not in state:
            cycle = visit(app, [app])
            if cycle:
                return cycle
    return None


def upward_imports(graph):
    return sorted(
        f"{module} imports {other}"
        for app, targets in graph.items()
        for other, modules in targets.items()
        if layer_of(other) > layer_of(app)
        for module in modules
    )


def module_name(root, path):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_graph(root, app):
    """{module: {module of the same app it imports: [line numbers]}}, imports at any depth."""
    paths = {
        module_name(root, path): path
        for path in sorted((root / app).rglob("*.py"))
        if "/migrations/" not in path.relative_to(root).as_posix()
    }

    def known(name):
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges = graph[module] = {}
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                # `from package import name`: the submodule `name` when there is one, else the package.
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                target = known(target)
                if target and target != module and target.split(".")[0] == app:
                    edges.setdefault(target, []).append(node.lineno)
    return graph


@pytest.fixture(scope="module")
def graph():
    return app_graph(ROOT, APPS, skip={*PROJECT_ROOT_MODULES, "tasteget/settings/"})


def test_the_apps_import_each_other_without_a_cycle(graph):
    assert find_cycle(graph) is None


def test_no_app_imports_one_above_it(graph):
    assert upward_imports(graph) == []


def test_the_checks_catch_a_cycle_hidden_in_a_function(tmp_path):
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "high" / "views.py").write_text("from low.models import Thing\n")
    (tmp_path / "low" / "models.py").write_text("def later():\n    from high import views\n    return views\n")
    (tmp_path / "low" / "migrations").mkdir()
    (tmp_path / "low" / "migrations" / "0001.py").write_text("import high\n")
    graph = app_graph(tmp_path, {"low", "high"})
    assert graph == {"low": {"high": ["low/models.py"]}, "high": {"low": ["high/views.py"]}}
    assert find_cycle(graph) in (["high", "low", "high"], ["low", "high", "low"])


@pytest.mark.parametrize("app", sorted(APPS))
def test_the_modules_of_an_app_import_each_other_without_a_cycle(app):
    assert find_cycle(module_graph(ROOT, app)) is None


def test_the_module_check_catches_a_loop_hidden_in_a_function_and_allows_a_models_package(tmp_path):
    app = tmp_path / "shop"
    (app / "models").mkdir(parents=True)
    (app / "migrations").mkdir()
    (app / "__init__.py").write_text("")
    (app / "models" / "__init__.py").write_text("from .items import Item\nfrom .pages import ShopPage\n")
    (app / "models" / "items.py").write_text("class Item:\n    pass\n")
    (app / "models" / "pages.py").write_text("from ..services import buy\n\nclass ShopPage:\n    pass\n")
    (app / "services.py").write_text("from .models.items import Item\n\ndef buy():\n    return Item()\n")
    (app / "migrations" / "0001.py").write_text("from shop import services\n")
    assert find_cycle(module_graph(tmp_path, "shop")) is None

    (app / "models" / "items.py").write_text("class Item:\n    def sell(self):\n        from .. import services\n")
    assert module_graph(tmp_path, "shop")["shop.models.items"] == {"shop.services": [3]}
    assert find_cycle(module_graph(tmp_path, "shop")) in (
        ["shop.models.items", "shop.services", "shop.models.items"],
        ["shop.services", "shop.models.items", "shop.services"],
    )


def test_every_app_of_the_project_has_a_layer():
    from django.conf import settings

    ours = {name for name in settings.INSTALLED_APPS if (ROOT / name / "__init__.py").exists()}
    assert ours == APPS


def model_imports(root, app, apps):
    """Where modules of `app` import another app's models: a `models` module, or a model class by name."""
    import importlib

    from django.db import models

    found = []
    for path in sorted((root / app).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/migrations/" in relative:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                pairs = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                pairs = [(node.module, alias.name) for alias in node.names]
            else:
                continue
            for module, name in pairs:
                if module.split(".")[0] not in apps - {app}:
                    continue
                last = module.rsplit(".", 1)[-1]
                imported = getattr(importlib.import_module(module), name) if name else None
                if last == "models" or last.endswith("_models") or name == "models":
                    found.append(f"{relative} imports {module}")
                elif isinstance(imported, type) and issubclass(imported, models.Model):
                    found.append(f"{relative} imports {module}.{name}")
    return found


def test_privacy_reaches_other_apps_data_only_through_their_personal_data_modules():
    """privacy/ orchestrates (privacy/registry.py); the apps own their models, and how they are erased."""
    assert model_imports(ROOT, "privacy", APPS) == []


def test_the_model_import_check_sees_a_model_by_name_and_a_models_module(tmp_path):
    (tmp_path / "privacy").mkdir()
    (tmp_path / "privacy" / "views.py").write_text(
        "from intake.access_log import record_access\n"
        "from intake.personal_data import Registration, find_person\n"
        "import intake.access_models\n"
        "def later():\n    from ambassadors.models import Ambassador\n"
    )
    assert model_imports(tmp_path, "privacy", APPS) == [
        "privacy/views.py imports intake.personal_data.Registration",
        "privacy/views.py imports intake.access_models",
        "privacy/views.py imports ambassadors.models",
    ]
