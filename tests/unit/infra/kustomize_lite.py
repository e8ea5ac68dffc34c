"""A small kustomize for the features infra/k8s uses, so the manifests render without the binary.

Why this exists rather than the real tool (checked 2026-12): no registry the project's set-up can
use ships a kustomize that renders these overlays. Debian has no `kustomize` package, and its
`kubernetes-client` (kubectl 1.20) embeds kustomize v2.0.3, which knows neither `replicas:` nor
`patches:` with target selectors; PyPI's `kustomize` is an unrelated Python library and no PyPI or
npm package carries the binary; kustomize's own releases are a download, which these machines
cannot make. So the tests use `kubectl kustomize` (kustomize v4+) wherever a machine has it, and
check that this module agrees with it there; elsewhere this renders. Delete it once a registry
ships the tool, and install that in scripts/setup.sh.

Supported kustomization fields: resources (files and directories), namespace, configMapGenerator
(envs, literals, behavior create/merge/replace), images, replicas and patches (strategic merge,
with `$patch: delete`, or JSON 6902; with or without a target selector). Anything else is an
error rather than silently ignored. Stricter than kustomize on purpose: a patch or replicas entry
that matches no resource fails (kustomize ignores a target selector that matches nothing).

When `kubectl kustomize` is available the tests also check that this renders the same objects
(generated ConfigMap names aside: the hash suffix is computed differently here).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import yaml

SUPPORTED = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "configMapGenerator",
    "images",
    "replicas",
    "patches",
}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
}
BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
}
# Strategic-merge keys of the built-in list fields we patch (from the Kubernetes API's patchMergeKey).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet"}


class KustomizeError(Exception):
    pass


def load_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def build(directory: Path) -> tuple[list[dict], set[str]]:
    """The rendered objects of a kustomization, and the original names of generated ConfigMaps."""
    resources, generated = _build(Path(directory))
    renames = {}
    for resource in resources:
        name = resource["metadata"]["name"]
        if resource["kind"] == "ConfigMap" and name in generated:
            digest = hashlib.sha256(json.dumps(resource.get("data", {}), sort_keys=True).encode()).hexdigest()
            renames[name] = f"{name}-{digest[:10]}"
            resource["metadata"]["name"] = renames[name]
    for resource in resources:
        _rename_config_map_references(resource, renames)
    return resources, generated


def group_of(resource: dict) -> str:
    api_version = resource.get("apiVersion", "")
    return api_version.split("/")[0] if "/" in api_version else ""


def _build(directory: Path) -> tuple[list[dict], set[str]]:
    kustomization_file = directory / "kustomization.yaml"
    if not kustomization_file.exists():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    kustomization = yaml.safe_load(kustomization_file.read_text()) or {}
    unsupported = set(kustomization) - SUPPORTED
    if unsupported:
        raise KustomizeError(f"{kustomization_file}: unsupported field(s) {sorted(unsupported)}")

    resources: list[dict] = []
    generated: set[str] = set()
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            sub_resources, sub_generated = _build(target)
            resources += sub_resources
            generated |= sub_generated
        elif target.is_file():
            resources += load_documents(target)
        else:
            raise KustomizeError(f"{kustomization_file}: resource {entry!r} does not exist")
    _check_unique(resources, kustomization_file)

    for generator in kustomization.get("configMapGenerator", []):
        _generate_config_map(generator, directory, resources, generated, kustomization_file)
    for number, patch in enumerate(kustomization.get("patches", [])):
        resources = _apply_patch(patch, directory, resources, f"{kustomization_file}: patches[{number}]")
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        _set_image(resources, image)
    for entry in kustomization.get("replicas", []):
        matched = [r for r in resources if r["kind"] in SCALABLE and r["metadata"]["name"] == entry["name"]]
        if not matched:
            raise KustomizeError(f"{kustomization_file}: replicas for {entry['name']!r} match no workload")
        for resource in matched:
            resource.setdefault("spec", {})["replicas"] = entry["count"]
    return resources, generated


def _check_unique(resources: list[dict], where: Path) -> None:
    seen = set()
    for resource in resources:
        key = (
            group_of(resource),
            resource["kind"],
            resource["metadata"].get("namespace"),
            resource["metadata"]["name"],
        )
        if key in seen:
            raise KustomizeError(f"{where}: {key} is defined twice")
        seen.add(key)


def _read_env_file(path: Path) -> dict[str, str]:
    data = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise KustomizeError(f"{path}:{number}: expected KEY=VALUE")
        data[key.strip()] = value
    return data


def _generate_config_map(generator, directory, resources, generated, where) -> None:
    data: dict[str, str] = {}
    for env in generator.get("envs", []):
        data.update(_read_env_file(directory / env))
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    name = generator["name"]
    behavior = generator.get("behavior", "create")
    existing = [r for r in resources if r["kind"] == "ConfigMap" and r["metadata"]["name"] == name]
    if behavior == "create":
        if existing:
            raise KustomizeError(f"{where}: ConfigMap {name!r} already exists (use behavior: merge)")
        resources.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
        generated.add(name)
    elif behavior in ("merge", "replace"):
        if len(existing) != 1 or name not in generated:
            raise KustomizeError(f"{where}: no generated ConfigMap {name!r} to {behavior}")
        if behavior == "merge":
            existing[0].setdefault("data", {}).update(data)
        else:
            existing[0]["data"] = data
    else:
        raise KustomizeError(f"{where}: unknown behavior {behavior!r}")


def _matches_target(resource: dict, target: dict) -> bool:
    for field in target:
        if field not in ("group", "version", "kind", "name", "namespace", "labelSelector"):
            raise KustomizeError(f"unsupported target field {field!r}")
    api_version = resource.get("apiVersion", "")
    if "group" in target and group_of(resource) != target["group"]:
        return False
    if "version" in target and api_version.split("/")[-1] != target["version"]:
        return False
    if "kind" in target and resource["kind"] != target["kind"]:
        return False
    if "name" in target and not re.fullmatch(target["name"], resource["metadata"]["name"]):
        return False
    if "namespace" in target and resource["metadata"].get("namespace") != target["namespace"]:
        return False
    if "labelSelector" in target:
        labels = resource["metadata"].get("labels", {})
        for requirement in target["labelSelector"].split(","):
            key, _, value = requirement.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _apply_patch(patch: dict, directory: Path, resources: list[dict], where: str) -> list[dict]:
    unknown = set(patch) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"{where}: unsupported field(s) {sorted(unknown)}")
    text = (directory / patch["path"]).read_text() if "path" in patch else patch["patch"]
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    target = patch.get("target")
    if len(documents) == 1 and isinstance(documents[0], list):  # JSON 6902
        if target is None:
            raise KustomizeError(f"{where}: a JSON 6902 patch needs a target")
        matched = [r for r in resources if _matches_target(r, target)]
        if not matched:
            raise KustomizeError(f"{where}: target {target} matches no resource")
        for resource in matched:
            for operation in documents[0]:
                _json6902(resource, operation, where)
        return resources
    for document in documents:
        if target is not None:
            matched = [r for r in resources if _matches_target(r, target)]
        else:
            matched = [
                r
                for r in resources
                if r["kind"] == document["kind"]
                and group_of(r) == group_of(document)
                and r["metadata"]["name"] == document["metadata"]["name"]
            ]
        if not matched:
            raise KustomizeError(
                f"{where}: patch {target or document['kind'] + '/' + document['metadata']['name']} "
                "matches no resource"
            )
        if document.get("$patch") == "delete":
            resources = [r for r in resources if not any(r is m for m in matched)]
            continue
        for resource in matched:
            body = {k: v for k, v in document.items() if k not in ("apiVersion", "kind", "metadata")}
            if "metadata" in document:
                meta = {k: v for k, v in document["metadata"].items() if k not in ("name", "namespace")}
                if meta:
                    body["metadata"] = meta
            _strategic_merge(resource, body, group_of(resource) in BUILTIN_GROUPS)
    return resources


def _strategic_merge(base: dict, patch: dict, builtin: bool) -> None:
    for key, value in patch.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            if value.get("$patch") == "replace":
                base[key] = {k: copy.deepcopy(v) for k, v in value.items() if k != "$patch"}
            else:
                _strategic_merge(base[key], value, builtin)
        elif isinstance(value, list) and builtin and key in MERGE_KEYS and isinstance(base.get(key), list):
            merge_key = MERGE_KEYS[key]
            for item in value:
                current = next((x for x in base[key] if x.get(merge_key) == item.get(merge_key)), None)
                if item.get("$patch") == "delete":
                    base[key] = [x for x in base[key] if x is not current]
                elif current is None:
                    base[key].append(copy.deepcopy(item))
                else:
                    _strategic_merge(current, item, builtin)
        else:
            base[key] = copy.deepcopy(value)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"bad JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _json6902(resource: dict, operation: dict, where: str) -> None:
    op, parts = operation["op"], _pointer(operation["path"])
    parent = resource
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent.get(part)
        if parent is None:
            raise KustomizeError(
                f"{where}: {operation['path']} does not exist in {resource['metadata']['name']}"
            )
    last = parts[-1]
    if op in ("add", "replace"):
        value = copy.deepcopy(operation["value"])
        if isinstance(parent, list):
            if last == "-":
                parent.append(value)
            elif op == "add":
                parent.insert(int(last), value)
            else:
                parent[int(last)] = value
        else:
            if op == "replace" and last not in parent:
                raise KustomizeError(f"{where}: replace of missing {operation['path']}")
            parent[last] = value
    elif op == "remove":
        if isinstance(parent, list):
            del parent[int(last)]
        elif last in parent:
            del parent[last]
        else:
            raise KustomizeError(f"{where}: remove of missing {operation['path']}")
    else:
        raise KustomizeError(f"{where}: unsupported op {op!r}")


def _containers(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (c for c in value if isinstance(c, dict) and "image" in c)
            else:
                yield from _containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _containers(item)


def _set_image(resources: list[dict], image: dict) -> None:
    for resource in resources:
        for container in _containers(resource):
            reference = container["image"].partition("@")[0]
            if ":" in reference.rsplit("/", 1)[-1]:
                name, tag = reference.rsplit(":", 1)
            else:
                name, tag = reference, None
            if name != image["name"]:
                continue
            new_name = image.get("newName", name)
            new_tag = image.get("newTag", tag)
            container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def _rename_config_map_references(node, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key in ("configMapRef", "configMapKeyRef", "configMap"):
            ref = node.get(key)
            if isinstance(ref, dict) and ref.get("name") in renames:
                ref["name"] = renames[ref["name"]]
        for value in node.values():
            _rename_config_map_references(value, renames)
    elif isinstance(node, list):
        for item in node:
            _rename_config_map_references(item, renames)
