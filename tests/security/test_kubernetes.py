"""deploy/kubernetes/ is a kustomize base, checked without a cluster.

The base is rendered here without kubectl (a small loader: the resources
kustomization.yaml lists and the ConfigMaps of its configMapGenerator, whose
names kustomize would suffix with a hash), every manifest is validated offline
against the Kubernetes schema that kubernetes-validate bundles (strict: an
unknown field is an error), and the manifests are held to the application:
the probes' paths are its URLs, the image and the commands are compose's,
every environment name is one the code reads and every required one is given.
Each check is a function returning what is wrong, so the tests at the end can
show that each one finds a broken manifest.
"""

import ast
import copy
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.urls import Resolver404, resolve

from tests.security.test_deployment import REQUIRED as OVERLAY_VALUES
from tests.security.test_deployment import clean_environment

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "kubernetes"
# The newest Kubernetes whose schemas kubernetes-validate 1.37.0 bundles.
KUBERNETES_VERSION = "1.37.0"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SECRET_NAME = "tasteget-secrets"
SECRET_KEYS_FILE = BASE / "secrets.env.example"
# The application's roles: Kubernetes container name -> compose service.
ROLES = {
    "web": "web",
    "worker": "worker",
    "scheduler": "scheduler",
    "migrate": "migrate",
}
WORKLOADS = {"Deployment", "StatefulSet", "Job"}
# Production requires these only once there is more than one pod: nothing
# another pod needs may stay on one pod's disk or in one process's memory.
REQUIRED_FOR_SEVERAL_PODS = {"REDIS_URL", "ERASURE_LEDGER_S3_BUCKET", "ERASURE_LEDGER_KEY"}


def read_env_file(path):
    """KEY=value lines as kustomize reads an `envs` file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


def render(base=BASE):
    """The manifests `kubectl kustomize` would print, without the generated names' hash."""
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    unknown = set(kustomization) - {"apiVersion", "kind", "resources", "configMapGenerator"}
    if unknown:
        raise ValueError(f"The test's loader does not implement {sorted(unknown)}; teach it first.")
    manifests = []
    for resource in kustomization["resources"]:
        manifests += [doc for doc in yaml.safe_load_all((base / resource).read_text()) if doc]
    for generator in kustomization.get("configMapGenerator", []):
        data = {}
        for name in generator.get("envs", []):
            data.update(read_env_file(base / name))
        for entry in generator.get("files", []):
            key, _, name = entry.rpartition("=")
            data[key or Path(name).name] = (base / name).read_text()
        metadata = {"name": generator["name"]}
        if labels := generator.get("options", {}).get("labels"):
            metadata["labels"] = labels
        manifests.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data})
    return manifests


MANIFESTS = render()


def of_kind(manifests, kind):
    return [m for m in manifests if m["kind"] == kind]


def named(manifests, kind, name):
    found = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    return found[0] if found else None


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def containers(manifests):
    """(workload, container) for every container of every workload."""
    for workload in manifests:
        if workload["kind"] in WORKLOADS:
            for container in pod_spec(workload)["containers"]:
                yield workload, container


def app_containers(manifests):
    return [(w, c) for w, c in containers(manifests) if c["name"] in ROLES]


def replicas(manifests, workload):
    """What a workload runs: its HorizontalPodAutoscaler's minimum when it has one."""
    for hpa in of_kind(manifests, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) == (workload["kind"], workload["metadata"]["name"]):
            return hpa["spec"].get("minReplicas", 1)
    return workload["spec"].get("replicas", 1)


def selects(selector, labels):
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


# --- What the code reads ------------------------------------------------------

ENV_READERS = {"env", "env_bool", "env_int", "env_list", "require", "getenv", "get", "setdefault"}


def _python_files():
    skip = {".venv", "node_modules", "tests", "bench", "scripts", "migrations", "staticfiles", "var"}
    for path in ROOT.rglob("*.py"):
        if not skip.intersection(path.relative_to(ROOT).parts):
            yield path


def names_the_code_reads():
    """Every NAME in env("NAME", ...), require("NAME"), os.environ.get("NAME"),
    os.getenv, os.environ["NAME"] of the application, and ${NAME} in the
    image's command (gunicorn's PORT, WEB_CONCURRENCY)."""
    names = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                argument = node.args[0]
                if (
                    called in ENV_READERS
                    and isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str)
                    and (called not in {"get", "setdefault"} or "environ" in ast.unparse(func))
                ):
                    names.add(argument.value)
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(node.slice.value)
    dockerfile = (ROOT / "Dockerfile").read_text()
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", dockerfile))
    return names


def names_production_requires():
    """require("NAME") in the production settings, and every variable a
    settings helper calls "required in production" in its error."""
    names = set()
    for node in ast.walk(ast.parse((ROOT / "tasteget" / "settings" / "production.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require":
            names.add(node.args[0].value)
    for path in (ROOT / "tasteget").rglob("*.py"):
        names |= set(re.findall(r"environment variable ([A-Z][A-Z0-9_]*) is required", path.read_text()))
    return names


READ = names_the_code_reads()
REQUIRED = names_production_requires() | REQUIRED_FOR_SEVERAL_PODS
SECRET_KEYS = read_env_file(SECRET_KEYS_FILE)


def environment(manifests, container):
    """{name: where from} for one container: env entries, ConfigMaps' keys, the Secret's keys."""
    given = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config_map = named(manifests, "ConfigMap", source["configMapRef"]["name"])
            given |= dict.fromkeys(config_map["data"] if config_map else [], "configmap")
        elif source.get("secretRef", {}).get("name") == SECRET_NAME:
            given |= dict.fromkeys(SECRET_KEYS, "secret")
        else:
            given["<envFrom " + str(source) + ">"] = "unknown"
    for entry in container.get("env", []):
        given[entry["name"]] = "env"
    return given


# --- The checks: each returns what is wrong -------------------------------------


def schema_problems(manifests):
    problems = []
    for manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = "/".join(str(part) for part in error.path)
            problems.append(f"{manifest['kind']} {manifest['metadata']['name']}: {where}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            problems.append(f"{manifest['kind']} {manifest['metadata']['name']}: {error.message}")
    return problems


def probe_problems(manifests):
    problems = []
    web = named(manifests, "Deployment", "web")
    container = pod_spec(web)["containers"][0] if web else {}
    for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
        if container.get(probe, {}).get("httpGet", {}).get("path") != path:
            problems.append(f"web's {probe} is not {path}")
    for _, container in containers(manifests):
        declared = container.get("ports", [])
        ports = {p.get("name") for p in declared} | {p["containerPort"] for p in declared}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            check = container.get(probe, {}).get("httpGet")
            if not check:
                continue
            try:
                match = resolve(check["path"])
            except Resolver404:
                match = None
            # Wagtail's catch-all serves any path as a page: the probe must hit the named view.
            if match is None or match.url_name != check["path"].strip("/"):
                problems.append(f"{container['name']}'s {probe} path {check['path']} is not one of the site's probes")
            if check["port"] not in ports:
                problems.append(f"{container['name']}'s {probe} port {check['port']} is not a port of the container")
    return problems


def image_problems(manifests):
    app_image = COMPOSE["x-app"]["image"]
    problems = [
        f"{c['name']} runs {c['image']}, compose {app_image}"
        for _, c in app_containers(manifests)
        if c["image"] != app_image
    ]
    for _, container in containers(manifests):
        if container["name"] not in ROLES and container["name"] != "varnish":
            problems.append(f"{container['name']} is neither an application role nor Varnish")
        if container["name"] == "varnish" and container["image"] != COMPOSE["services"]["cache"]["image"]:
            problems.append("Varnish's image is not compose's")
    return problems


def command_problems(manifests):
    problems = []
    found = set()
    for _, container in app_containers(manifests):
        found.add(container["name"])
        expected = COMPOSE["services"][ROLES[container["name"]]].get("command")
        # compose's `command` replaces the image's CMD, as `args` does here;
        # `command` here would also replace an ENTRYPOINT, which compose keeps.
        if container.get("command") or container.get("args") != expected:
            problems.append(
                f"{container['name']} runs {container.get('command')} {container.get('args')}, compose {expected}"
            )
    problems += [f"no container runs compose's {ROLES[name]}" for name in sorted(set(ROLES) - found)]
    return problems


def environment_problems(manifests):
    problems = []
    for _, container in app_containers(manifests):
        given = environment(manifests, container)
        for name in sorted(set(given) - READ):
            problems.append(f"{container['name']} gets {name}, which the application does not read")
        for name in sorted(REQUIRED - set(given)):
            problems.append(f"{container['name']} lacks {name}, which production requires")
        if given.get("DJANGO_SETTINGS_MODULE") is None:
            problems.append(f"{container['name']} does not fix DJANGO_SETTINGS_MODULE")
    config = named(manifests, "ConfigMap", "tasteget-config")
    if config and config["data"].get("DJANGO_SETTINGS_MODULE") != "tasteget.settings.production":
        problems.append("the settings module is not tasteget.settings.production")
    return problems


def secret_problems(base=BASE):
    problems = []
    for path in sorted((ROOT / "deploy").rglob("*.y*ml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Secret" and (doc.get("data") or doc.get("stringData")):
                problems.append(f"{path.relative_to(ROOT)} holds a Secret with values")
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    if kustomization.get("secretGenerator"):
        problems.append("the base generates a Secret: its values would be in git")
    problems += [
        f"{SECRET_KEYS_FILE.name} has a value for {k}" for k, v in read_env_file(SECRET_KEYS_FILE).items() if v
    ]
    return problems


def resource_problems(manifests):
    problems = []
    for workload, container in containers(manifests):
        resources = container.get("resources", {})
        for part, kinds in (("requests", ("cpu", "memory")), ("limits", ("cpu", "memory"))):
            for kind in kinds:
                if kind not in resources.get(part, {}):
                    problems.append(f"{workload['metadata']['name']}/{container['name']} has no {part}.{kind}")
    budgets = of_kind(manifests, "PodDisruptionBudget")
    for workload in manifests:
        if workload["kind"] in {"Deployment", "StatefulSet"} and replicas(manifests, workload) > 1:
            labels = workload["spec"]["template"]["metadata"]["labels"]
            if not any(selects(b["spec"]["selector"]["matchLabels"], labels) for b in budgets):
                problems.append(f"{workload['metadata']['name']} runs several pods without a PodDisruptionBudget")
    return problems


def security_problems(manifests):
    problems = []
    for workload in manifests:
        if workload["kind"] not in WORKLOADS:
            continue
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        if not spec.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"{name} may run as root")
        if not isinstance(spec.get("securityContext", {}).get("runAsUser"), int):
            problems.append(f"{name} names no user id: runAsNonRoot cannot check a named user")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            if not context.get("readOnlyRootFilesystem") or context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name}/{container['name']} may write its image or escalate")
            for mount in container.get("volumeMounts", []):
                volume = volumes.get(mount["name"], {})
                if not mount.get("readOnly") and "emptyDir" not in volume:
                    problems.append(f"{name}/{container['name']} writes to {mount['mountPath']}, not a scratch volume")
    return problems


def wiring_problems(manifests):
    """Services select pods, the Ingress and Varnish reach Services, purges reach every Varnish."""
    problems = []
    pods = {
        w["metadata"]["name"]: (w["spec"]["template"]["metadata"]["labels"], pod_spec(w))
        for w in manifests
        if w["kind"] in WORKLOADS
    }
    services = {s["metadata"]["name"]: s for s in of_kind(manifests, "Service")}
    for name, service in services.items():
        matched = [spec for labels, spec in pods.values() if selects(service["spec"]["selector"], labels)]
        ports = {p.get("name") for spec in matched for c in spec["containers"] for p in c.get("ports", [])}
        if not matched or any(p["targetPort"] not in ports for p in service["spec"]["ports"]):
            problems.append(f"Service {name} reaches no container port")
    vcl = named(manifests, "ConfigMap", "varnish-vcl")["data"]["default.vcl"]
    if vcl != (ROOT / "deploy" / "varnish" / "default.vcl").read_text():
        problems.append("deploy/kubernetes/default.vcl is not a copy of deploy/varnish/default.vcl")
    host, port = re.search(r'backend web \{\s*\.host = "([^"]+)";\s*\.port = "(\d+)"', vcl).groups()
    if host not in services or int(port) not in {p["port"] for p in services[host]["spec"]["ports"]}:
        problems.append(f"Varnish's backend {host}:{port} is no Service")
    elif not selects(services[host]["spec"]["selector"], pods["web"][0]):
        problems.append(f"Varnish's backend {host} does not lead to the web pods")
    for ingress in of_kind(manifests, "Ingress"):
        allowed = named(manifests, "ConfigMap", "tasteget-config")["data"]["ALLOWED_HOSTS"].split(",")
        covered = {h for tls in ingress["spec"].get("tls", []) if tls.get("secretName") for h in tls["hosts"]}
        for rule in ingress["spec"]["rules"]:
            if rule["host"] not in allowed or rule["host"] not in covered:
                problems.append(f"Ingress host {rule['host']} is not in ALLOWED_HOSTS or has no certificate")
            for path in rule["http"]["paths"]:
                if path["backend"]["service"]["name"] not in services:
                    problems.append(f"Ingress path {path['path']} leads to no Service")
    varnish = named(manifests, "StatefulSet", "varnish")
    urls = named(manifests, "ConfigMap", "tasteget-config")["data"]["FRONTEND_CACHE_PURGE_URLS"].split(",")
    headless = services.get(varnish["spec"]["serviceName"], {})
    if headless.get("spec", {}).get("clusterIP") != "None":
        problems.append("the Varnish pods have no addresses of their own (a headless Service)")
    port = headless.get("spec", {}).get("ports", [{}])[0].get("port")
    wanted = [f"http://varnish-{n}.{varnish['spec']['serviceName']}:{port}" for n in range(varnish["spec"]["replicas"])]
    if sorted(urls) != wanted:
        problems.append(f"FRONTEND_CACHE_PURGE_URLS is {urls}, every Varnish is {wanted}")
    token = [e for e in pod_spec(varnish)["containers"][0]["env"] if e["name"] == "FRONTEND_CACHE_PURGE_TOKEN"]
    reference = token[0]["valueFrom"]["secretKeyRef"] if token else {}
    if reference != {"name": SECRET_NAME, "key": "FRONTEND_CACHE_PURGE_TOKEN"}:
        problems.append("Varnish does not take the purge token from the site's Secret")
    for hpa in of_kind(manifests, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        workload = named(manifests, target["kind"], target["name"])
        if workload is None or "replicas" in workload["spec"]:
            problems.append(f"{target['name']} is scaled by an autoscaler and must not state replicas")
    return problems


def scheduler_problems(manifests):
    """Periodic jobs run through the one scheduler (it claims each period in
    the database, so several pods are safe) and survive the loss of a pod:
    no container runs a job in a loop of its own, the scheduler runs on at
    least two pods."""
    problems = []
    schedulers = 0
    for workload, container in app_containers(manifests):
        arguments = container.get("args") or []
        if "--every" in arguments:
            problems.append(f"{container['name']} runs a periodic loop outside the scheduler")
        if arguments[2:3] == ["run_scheduler"]:
            schedulers += replicas(manifests, workload)
    if schedulers < 2:
        problems.append(f"{schedulers} scheduler pod(s): a lost node would stop the periodic jobs")
    return problems


# What a deploy applies first and alone (docs/deployment.md): the settings and the migrate Job.
FIRST = "app.kubernetes.io/component in (config,migrate)"


def first_step_problems(manifests):
    """The migrate Job and every ConfigMap it reads are in the deploy's first, selected, step."""
    key, values = re.fullmatch(r"(\S+) in \((.*)\)", FIRST).groups()
    chosen = [m for m in manifests if m["metadata"].get("labels", {}).get(key) in values.split(",")]
    problems = [
        f"{m['kind']} {m['metadata']['name']} is applied first but is no migration"
        for m in chosen
        if m["kind"] not in {"ConfigMap", "Job"}
    ]
    jobs = [m for m in chosen if m["kind"] == "Job"]
    if [j["metadata"]["name"] for j in jobs] != ["migrate"]:
        problems.append("the first step does not apply the migrate Job alone")
    for job in jobs:
        for container in pod_spec(job)["containers"]:
            for source in container.get("envFrom", []):
                name = source.get("configMapRef", {}).get("name")
                if name and not any(m["metadata"]["name"] == name for m in chosen):
                    problems.append(f"the migrate Job reads ConfigMap {name}, which the first step does not apply")
    return problems


CHECKS = [
    schema_problems,
    probe_problems,
    image_problems,
    command_problems,
    environment_problems,
    resource_problems,
    security_problems,
    wiring_problems,
    scheduler_problems,
    first_step_problems,
]


# --- The tests --------------------------------------------------------------------


def test_the_kustomization_lists_every_manifest_of_the_directory():
    listed = set(yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present
    kinds = {m["kind"] for m in MANIFESTS}
    assert kinds >= {"Deployment", "StatefulSet", "Job", "Service", "Ingress", "HorizontalPodAutoscaler"}
    assert kinds >= {"PodDisruptionBudget", "ConfigMap"}


def test_kubernetes_validate_bundles_the_version_we_check_against():
    assert kubernetes_validate.latest_version() == KUBERNETES_VERSION


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_base_passes(check):
    assert check(MANIFESTS) == []


def test_no_secret_values_are_committed():
    assert secret_problems() == []
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FRONTEND_CACHE_PURGE_TOKEN"} <= set(SECRET_KEYS)


def test_what_the_code_reads_and_requires_is_found():
    # The scanners themselves: if they found nothing, every check on names would pass.
    assert {"SECRET_KEY", "MEDIA_S3_BUCKET", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY"} <= READ
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CRM_BACKEND", "EMAIL_HOST", "MEDIA_S3_BUCKET"} <= REQUIRED


def test_the_docs_describe_the_base():
    docs = (ROOT / "docs" / "deployment.md").read_text()
    section = docs.split("\n## More than one machine\n", 1)[1].split("\n## ", 1)[0]
    for phrase in ("kubectl apply -k", "deploy/kubernetes/", "PgBouncer", "REDIS_URL", "FRONTEND_CACHE_PURGE_URLS"):
        assert phrase in section
    assert "job/migrate" in section and FIRST in section


def pod_environment(overlay):
    """What the web container's process sees: the image's ENV (Dockerfile), then
    the ConfigMap and the Secret (envFrom, in order), then its own env entries.
    The Secret holds a test value for each key it must have; `overlay` fills the rest."""
    container = _find(MANIFESTS, "Deployment", "web", "web")
    image = dict(
        re.findall(
            r"([A-Z_]+)=(\S+)",
            (ROOT / "Dockerfile").read_text().split(" AS runtime", 1)[1].split("\nRUN", 1)[0],
        )
    )
    values = {**clean_environment(), **{k: v for k, v in image.items() if k != "PATH"}}
    values |= named(MANIFESTS, "ConfigMap", "tasteget-config")["data"]
    # The Secret's optional keys (SENTRY_DSN, the CRM's) are left out, as an operator may.
    needed = REQUIRED | {"FRONTEND_CACHE_PURGE_TOKEN"}
    values |= {key: OVERLAY_VALUES.get(key, f"a-test-value-for-{key.lower()}") for key in set(SECRET_KEYS) & needed}
    values |= {entry["name"]: entry["value"] for entry in container.get("env", [])}
    values |= {"DATABASE_URL": "postgres://tasteget:check@127.0.0.1:1/tasteget", "REDIS_URL": "redis://127.0.0.1:1/0"}
    return values | overlay


def manage(environment, *command):
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_base_with_an_overlays_values_passes_the_deployment_checks():
    overlay = {
        key: OVERLAY_VALUES[key] for key in ("CRM_BACKEND", "CRM_WEBHOOK_URL", "CRM_WEBHOOK_SECRET", "EMAIL_HOST")
    }
    result = manage(pod_environment(overlay), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_base_alone_refuses_to_start_until_the_overlay_fills_it_in():
    result = manage(pod_environment({}), "check")
    assert result.returncode != 0
    assert "CRM_BACKEND is required in production" in result.stderr


def _find(manifests, kind, name, container=None):
    workload = named(manifests, kind, name)
    if container is None:
        return workload
    return next(c for c in pod_spec(workload)["containers"] if c["name"] == container)


def _break_schema(m):
    _find(m, "Deployment", "worker")["spec"]["replica"] = 2


def _break_probe(m):
    _find(m, "Deployment", "web", "web")["readinessProbe"]["httpGet"]["path"] = "/ready"


def _break_image(m):
    _find(m, "Deployment", "worker", "worker")["image"] = "tasteget:other"


def _break_command(m):
    _find(m, "Deployment", "scheduler", "scheduler")["args"].append("--once")


def _break_environment(m):
    _find(m, "Deployment", "web", "web")["env"].append({"name": "REDIS_URI", "value": "redis://x"})


def _drop_required(m):
    del named(m, "ConfigMap", "tasteget-config")["data"]["EMAIL_HOST"]


def _break_resources(m):
    del _find(m, "Deployment", "worker", "worker")["resources"]["limits"]["memory"]


def _drop_budget(m):
    m.remove(named(m, "PodDisruptionBudget", "varnish"))


def _break_security(m):
    _find(m, "Deployment", "web", "web")["securityContext"]["readOnlyRootFilesystem"] = False


def _add_varnish(m):
    named(m, "StatefulSet", "varnish")["spec"]["replicas"] = 3


def _single_scheduler(m):
    named(m, "Deployment", "scheduler")["spec"]["replicas"] = 1


def _add_loop(m):
    _find(m, "Deployment", "worker", "worker")["args"] = ["python", "manage.py", "sweep_deliveries", "--every", "60"]


def _unlabel_config(m):
    del named(m, "ConfigMap", "tasteget-config")["metadata"]["labels"]


@pytest.mark.parametrize(
    ("breakage", "check"),
    [
        (_break_schema, schema_problems),
        (_break_probe, probe_problems),
        (_break_image, image_problems),
        (_break_command, command_problems),
        (_break_environment, environment_problems),
        (_drop_required, environment_problems),
        (_break_resources, resource_problems),
        (_drop_budget, resource_problems),
        (_break_security, security_problems),
        (_add_varnish, wiring_problems),
        (_single_scheduler, scheduler_problems),
        (_add_loop, scheduler_problems),
        (_unlabel_config, first_step_problems),
    ],
    ids=lambda value: value.__name__,
)
def test_each_check_finds_a_broken_manifest(breakage, check):
    manifests = copy.deepcopy(MANIFESTS)
    breakage(manifests)
    assert check(manifests) != []


def test_a_committed_secret_is_found(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\nsecretGenerator:\n  - name: x\n    literals: [a=b]\n")
    assert secret_problems(tmp_path) != []
