"""The Helm chart, rendered by real Helm (the Helm v4 SDK), linted, validated against the Kubernetes
schemas, and checked for what operating deckgen needs. Each values file is rendered once."""

from __future__ import annotations

import copy
import functools
import importlib
import re
import warnings
from dataclasses import dataclass
from typing import Any

import helm_python
import kubernetes_validate  # type: ignore[import-untyped]  # ships no py.typed
import pytest
import yaml
from pydantic.warnings import PydanticDeprecationWarning

from deckgen.config import Settings, load_settings
from deckgen.health import LIVENESS, READINESS
from tests.deploy.conftest import ROOT, run_python
from tests.support.servers import ChildServer

# envoy-data-plane 2.2.0 uses a pydantic idiom deprecated since 2.12; it warns at import time only.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", PydanticDeprecationWarning)
    from envoy_data_plane.envoy.config.bootstrap.v3 import Bootstrap
    from envoy_data_plane.envoy.extensions.filters.http.cors.v3 import CorsPolicy
    from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager.v3 import (
        HttpConnectionManager,
    )
    from envoy_data_plane.envoy.extensions.upstreams.http.v3 import HttpProtocolOptions

CHART = ROOT / "helm" / "deckgen"
HERE = ROOT / "tests" / "deploy"
RELEASE, NAMESPACE = "demo", "apps"
FULLNAME = "demo-deckgen"
KUBE_VERSION = "1.31"
SECRET_NAMES = (
    "OPENAI_API_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_KEY",
    "LLM_BACKUP_API_KEYS",
    "REDIS_PASSWORD",
    "API_KEYS",
    "RESUME_TOKEN_SECRET",
    "SUPABASE_JWT_SECRET",
)
Manifest = dict[str, Any]


@dataclass(frozen=True)
class Release:
    values_file: str
    values: dict[str, Any]
    manifests: list[Manifest]
    files: dict[str, str]

    def all(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m["kind"] == kind]

    def get(self, kind: str, name: str = FULLNAME) -> Manifest:
        found = [m for m in self.all(kind) if m["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
        return found[0]

    @property
    def container(self) -> Manifest:
        containers = self.get("Deployment")["spec"]["template"]["spec"]["containers"]
        assert len(containers) == 1
        container: Manifest = containers[0]
        return container


@functools.cache
def _chart() -> helm_python.Chart:
    return helm_python.Chart.load(CHART)


def render(values: dict[str, Any] | None) -> tuple[list[Manifest], dict[str, str]]:
    files: dict[str, str] = _chart().render(values=values, name=RELEASE, namespace=NAMESPACE)
    manifests = [
        document
        for path, text in sorted(files.items())
        if path.endswith(".yaml")  # not NOTES.txt
        for document in yaml.safe_load_all(text)
        if document  # disabled templates render as empty documents
    ]
    return manifests, files


@functools.cache
def release(values_file: str) -> Release:
    values = yaml.safe_load((HERE / values_file).read_text(encoding="utf-8")) if values_file else {}
    manifests, files = render(values)
    return Release(values_file, values, manifests, files)


VALUES_FILES = ["", "values-production.yaml", "values-envoy.yaml"]


@pytest.fixture(scope="module", params=VALUES_FILES, ids=["default", "production", "envoy"])
def any_release(request: pytest.FixtureRequest) -> Release:
    return release(request.param)


@pytest.fixture(scope="module")
def default() -> Release:
    return release("")


@pytest.fixture(scope="module")
def production() -> Release:
    return release("values-production.yaml")


@pytest.fixture(scope="module")
def envoy() -> Release:
    return release("values-envoy.yaml")


# --- the chart as a whole -----------------------------------------------------------------------


@pytest.mark.parametrize("values_file", VALUES_FILES)
def test_helm_lint_is_clean(values_file: str) -> None:
    values = release(values_file).values
    report = helm_python.lint(CHART, values, strict=True, namespace=NAMESPACE)
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # warnings and errors
    assert problems == []


def test_every_manifest_passes_the_strict_kubernetes_schema(any_release: Release) -> None:
    kinds = set()
    for manifest in any_release.manifests:
        kinds.add(manifest["kind"])
        if manifest["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD: no schema ships with Kubernetes (checked by test_service_monitor)
        kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)
    assert {"Deployment", "Service", "ConfigMap", "ServiceAccount", "PodDisruptionBudget", "Pod"} <= kinds


def test_the_validator_is_strict(default: Release) -> None:
    broken = copy.deepcopy(default.get("Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSION, strict=True)


def test_everything_is_labelled_and_in_the_release_namespace(any_release: Release) -> None:
    for manifest in any_release.manifests:
        labels = manifest["metadata"]["labels"]
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert "namespace" not in manifest["metadata"]  # helm --namespace decides


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"replicaCount": "two"}, "/replicaCount"),
        ({"config": {"logLevel": "LOUD"}}, "/config/logLevel"),
        ({"config": {"extraEnv": {"OPENAI_API_KEY": "sk-live-123"}}}, "OPENAI_API_KEY"),
        (
            {"config": {"storageBackend": "supabase", "supabaseUrl": "https://x.supabase.co"}},
            "existingSecret",
        ),
        ({"image": {"digest": "latest"}}, "/image/digest"),
        ({"grpcWeb": {"enabled": True, "allowedOrigins": ["*"]}}, "/grpcWeb/allowedOrigins"),
        ({"grpcWeb": {"enabled": True, "allowedOrigins": []}}, "/grpcWeb/allowedOrigins"),
        ({"tls": {"enabled": True, "existingSecret": ""}}, "/tls/existingSecret"),
        ({"tls": {"enabled": False, "clientAuth": True}}, "/tls/enabled"),
        ({"config": {"authMode": "password"}}, "/config/authMode"),
        ({"config": {"extraEnv": {"RESUME_TOKEN_SECRET": "x"}}}, "RESUME_TOKEN_SECRET"),
        ({"autoscaling": {"targetCPUUtilizationPercentage": 150}}, "targetCPUUtilizationPercentage"),
        ({"unknownKey": 1}, "unknownKey"),
        ({"config": {"sourceMemoryMb": 32}}, "/config/sourceMemoryMb"),
        ({"config": {"renderProcesses": -1}}, "/config/renderProcesses"),
    ],
)
def test_the_schema_rejects_bad_values_at_render(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmValuesError, match=re.escape(message)):
        render(values)


def test_termination_grace_must_exceed_the_drain() -> None:
    with pytest.raises(helm_python.HelmRenderError, match="terminationGracePeriodSeconds"):
        render({"terminationGracePeriodSeconds": 25})


# --- the server Deployment ----------------------------------------------------------------------


def test_probes_are_native_grpc_health_checks(any_release: Release) -> None:
    container = any_release.container
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["grpc"] == 8000
    # Probes go to the plaintext health-only listener: the kubelet cannot speak TLS to the gRPC port.
    assert ports["health"] == 8081
    assert any_release.get("ConfigMap")["data"]["HEALTH_PORT"] == "8081"
    expected = {"startupProbe": LIVENESS, "livenessProbe": LIVENESS, "readinessProbe": READINESS}
    for probe, service in expected.items():
        assert container[probe]["grpc"] == {"port": ports["health"], "service": service}, probe
        assert set(container[probe]) & {"exec", "httpGet", "tcpSocket"} == set()
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30  # LibreOffice-sized image start


def test_security_context_is_restricted(any_release: Release) -> None:
    for deployment in any_release.all("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    server = any_release.get("Deployment")["spec"]["template"]["spec"]
    assert server["securityContext"]["runAsUser"] == 10001  # the USER of the image
    assert server["containers"][0]["securityContext"]["runAsUser"] == 10001


def test_writable_paths_are_volumes(any_release: Release) -> None:
    pod = any_release.get("Deployment")["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in any_release.container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert set(mounts) == {"/tmp", "/data"}
    assert all("emptyDir" in volumes[name] for name in mounts.values())
    assert any_release.container.get("resources", {}).get("requests", {}).keys() >= {"cpu", "memory"}
    assert "memory" in any_release.container["resources"]["limits"]


def test_pods_spread_over_zones_and_nodes(any_release: Release) -> None:
    pod = any_release.get("Deployment")["spec"]["template"]
    constraints = pod["spec"]["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in constraints} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    for constraint in constraints:
        selector = constraint["labelSelector"]["matchLabels"]
        assert selector.items() <= pod["metadata"]["labels"].items()


def test_termination_grace_outlasts_shutdown_grace(any_release: Release) -> None:
    pod = any_release.get("Deployment")["spec"]["template"]["spec"]
    shutdown_grace = float(any_release.get("ConfigMap")["data"]["SHUTDOWN_GRACE"])
    pre_stop = int(any_release.container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod["terminationGracePeriodSeconds"] > shutdown_grace + pre_stop
    if not any_release.values_file:
        assert (shutdown_grace, pod["terminationGracePeriodSeconds"]) == (25, 40)


def test_environment_profile_comes_from_the_config_map(any_release: Release) -> None:
    config = any_release.get("ConfigMap")["data"]
    assert any_release.container["envFrom"] == [{"configMapRef": {"name": FULLNAME}}]
    for name in ("ENVIRONMENT", "LOG_LEVEL", "TIMEOUT", "WORKERS", "METRICS_PORT", "STORAGE_BACKEND"):
        assert name in config, name
    for name in (
        "SUPABASE_URL",
        "SUPABASE_BUCKET",
        "OPENAI_BASE_URL",
        "LLM_OUTLINE_MODEL",
        "LLM_SLIDE_MODEL",
    ):
        assert name in config, name
    assert config["STORAGE_DIR"].startswith("/data/")
    assert config["API_PORT"] == "8000" and config["METRICS_PORT"] == "9090"
    # Every key is a setting deckgen reads (or OpenTelemetry's), and the server accepts the profile.
    known = {f.upper() for f in Settings.__dataclass_fields__}
    assert {k for k in config if not k.startswith("OTEL_")} <= known
    secrets = {name: "from-the-secret" for name in SECRET_NAMES}
    secrets["API_KEYS"] = f"abcdefgh billing - sha256:{'0' * 64}"  # what `deckgen keys create` prints
    settings = load_settings({**config, **secrets}, config_dir=ROOT / "config")
    assert settings.environment == "production"
    assert settings.workers == 1
    # The child processes a pod runs are sized in the chart, within its memory limit.
    assert (settings.render_processes, settings.export_processes, settings.source_processes) == (1, 2, 2)
    assert (settings.source_timeout, settings.source_memory_mb) == (60.0, 512)


def test_production_profile(production: Release) -> None:
    config = production.get("ConfigMap")["data"]
    assert config["STORAGE_BACKEND"] == "supabase"
    assert config["SUPABASE_URL"] == "https://abcdefghijklmnop.supabase.co"
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.observability.svc:4317"
    assert config["LLM_CONCURRENCY"] == "6"
    image = production.container["image"]
    assert image == f"registry.example.com/platform/deckgen@{production.values['image']['digest']}"
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in release("").get("ConfigMap")["data"]


def test_secrets_only_by_reference(any_release: Release) -> None:
    assert any_release.all("Secret") == []
    config = any_release.get("ConfigMap")["data"]
    assert not set(config) & set(SECRET_NAMES)
    for deployment in any_release.all("Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                if variable["name"] in SECRET_NAMES or "KEY" in variable["name"]:
                    assert "value" not in variable, variable["name"]
                    assert "secretKeyRef" in variable["valueFrom"], variable["name"]
    values_text = (CHART / "values.yaml").read_text(encoding="utf-8")
    assert not re.search(r"sk-[A-Za-z0-9]{8,}|eyJ[A-Za-z0-9_-]{10,}", values_text)


def test_secret_keys_come_from_the_existing_secret(default: Release, production: Release) -> None:
    assert not [v for v in default.container["env"] if "valueFrom" in v and "secretKeyRef" in v["valueFrom"]]
    refs = {
        v["name"]: v["valueFrom"]["secretKeyRef"]
        for v in production.container["env"]
        if "secretKeyRef" in v.get("valueFrom", {})
    }
    assert set(refs) == {
        "OPENAI_API_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "API_KEYS",
        "RESUME_TOKEN_SECRET",
        "SUPABASE_JWT_SECRET",
        "REDIS_PASSWORD",
    }
    assert {r["name"] for r in refs.values()} == {"deckgen-secrets"}
    assert refs["SUPABASE_SERVICE_ROLE_KEY"]["optional"] is False  # supabase storage cannot start without it
    # The default AUTH_MODE is api_key: no keys, no start; a resume token key is always needed.
    assert refs["API_KEYS"]["optional"] is False
    assert "optional" not in refs["RESUME_TOKEN_SECRET"]


# --- Service, autoscaling, disruption budget --------------------------------------------------


def test_service_speaks_grpc_and_serves_metrics(any_release: Release) -> None:
    service = any_release.get("Service")
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert ports["grpc"]["port"] == 8000 and ports["grpc"]["appProtocol"] == "grpc"
    assert ports["grpc"]["targetPort"] == "grpc"
    assert ports["metrics"]["port"] == 9090 and ports["metrics"]["targetPort"] == "metrics"
    pod_labels = any_release.get("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


SHARED = {
    "redis": {"url": "redis://redis.data.svc:6379/0"},
    "config": {"storageBackend": "supabase", "supabaseUrl": "https://abcdefghijklmnop.supabase.co"},
    "secrets": {"existingSecret": "deckgen-secrets"},
}
"""What more than one pod needs: a shared Redis and storage every pod reaches."""


def test_one_pod_by_default(default: Release) -> None:
    assert not default.all("HorizontalPodAutoscaler")
    assert default.get("Deployment")["spec"]["replicas"] == 1
    assert "REDIS_URL" not in default.get("ConfigMap")["data"]


def test_hpa_defaults() -> None:
    manifests, _ = render({**SHARED, "autoscaling": {"enabled": True}})
    (hpa,) = [m for m in manifests if m["kind"] == "HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    spec = hpa["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FULLNAME}
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 75}},
        }
    ]
    assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 60
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    assert "replicas" not in deployment["spec"]  # the HPA owns the count


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"replicaCount": 2}, "config.storageBackend=local needs a volume every pod mounts"),
        ({"autoscaling": {"enabled": True}}, "volumes.dataReadWriteMany=true"),
        ({"replicaCount": 2, "volumes": {"dataExistingClaim": "artifacts"}}, "ReadWriteMany"),
        ({**SHARED, "redis": {"url": ""}, "replicaCount": 2}, "needs redis.url"),
        ({**SHARED, "redis": {"url": ""}, "workers": {"enabled": True}}, "needs redis.url"),
    ],
)
def test_more_than_one_pod_needs_shared_state_and_storage(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmRenderError, match=re.escape(message)):
        render(values)


def test_a_read_write_many_claim_serves_every_pod() -> None:
    values = {
        "replicaCount": 3,
        "redis": {"url": "redis://redis:6379/0"},
        "volumes": {"dataExistingClaim": "artifacts", "dataReadWriteMany": True},
    }
    manifests, _ = render(values)
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 3
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"]["persistentVolumeClaim"] == {"claimName": "artifacts"}


def test_redis_comes_from_its_url_and_the_existing_secret(production: Release) -> None:
    data = production.get("ConfigMap")["data"]
    assert data["REDIS_URL"] == "rediss://deckgen-redis.data.svc:6380/0"
    assert data["REDIS_KEY_PREFIX"] == "deckgen:" and data["JOB_LEASE"] == "10"
    env = {e["name"]: e for e in production.container["env"]}
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "deckgen-secrets",
        "key": "REDIS_PASSWORD",
        "optional": True,
    }
    assert "ROLE" not in env  # one Deployment: every pod is api and worker


def test_the_schema_keeps_passwords_out_of_the_redis_url() -> None:
    with pytest.raises(helm_python.HelmValuesError, match="/redis/url"):
        render({"redis": {"url": "redis://:hunter2@redis:6379/0"}})


def test_workers_as_their_own_deployment_scaled_on_queue_length() -> None:
    values = {**SHARED, "workers": {"enabled": True, "autoscaling": {"enabled": True}}}
    manifests, _ = render(values)
    deployments = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Deployment"}
    assert set(deployments) == {FULLNAME, f"{FULLNAME}-worker"}

    def role(name: str) -> str:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        return str(next(e["value"] for e in container["env"] if e["name"] == "ROLE"))

    assert (role(FULLNAME), role(f"{FULLNAME}-worker")) == ("api", "worker")
    worker = deployments[f"{FULLNAME}-worker"]
    assert worker["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "worker"
    assert "replicas" not in worker["spec"]
    (service,) = [m for m in manifests if m["kind"] == "Service"]
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "server"  # calls go to api pods
    hpas = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "HorizontalPodAutoscaler"}
    (metric,) = hpas[f"{FULLNAME}-worker"]["spec"]["metrics"]
    assert metric["external"]["metric"]["name"] == "deckgen_generations_queued"
    for manifest in manifests:
        kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)


def test_keda_scaler_is_optional_and_reads_the_job_stream() -> None:
    plain, _ = render({**SHARED, "workers": {"enabled": True}})
    assert not [m for m in plain if m["kind"] == "ScaledObject"]
    values = {
        **SHARED,
        "redis": {"url": "redis://redis:6379/0", "keyPrefix": "dg:", "queuePartitions": 2},
        "workers": {"enabled": True, "keda": {"enabled": True, "address": "redis:6379"}},
    }
    manifests, _ = render(values)
    (scaled,) = [m for m in manifests if m["kind"] == "ScaledObject"]
    assert scaled["spec"]["scaleTargetRef"] == {"name": f"{FULLNAME}-worker"}
    streams = [t["metadata"]["stream"] for t in scaled["spec"]["triggers"]]
    assert streams == ["dg:jobs:{0}", "dg:jobs:{1}"]
    assert {t["type"] for t in scaled["spec"]["triggers"]} == {"redis-streams"}
    assert all(t["metadata"]["consumerGroup"] == "workers" for t in scaled["spec"]["triggers"])
    with pytest.raises(helm_python.HelmRenderError, match=re.escape("workers.keda.address")):
        render({**SHARED, "workers": {"enabled": True, "keda": {"enabled": True}}})


def test_hpa_memory_and_custom_metrics(production: Release) -> None:
    metrics = production.get("HorizontalPodAutoscaler")["spec"]["metrics"]
    resources = {m["resource"]["name"]: m["resource"]["target"] for m in metrics if m["type"] == "Resource"}
    assert resources == {
        "cpu": {"type": "Utilization", "averageUtilization": 70},
        "memory": {"type": "Utilization", "averageUtilization": 80},
    }
    pods = [m["pods"]["metric"]["name"] for m in metrics if m["type"] == "Pods"]
    assert pods == ["deckgen_generations_in_flight"]


def test_without_autoscaling_the_deployment_sets_replicas() -> None:
    manifests, _ = render({**SHARED, "autoscaling": {"enabled": False}, "replicaCount": 3})
    assert not [m for m in manifests if m["kind"] == "HorizontalPodAutoscaler"]
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 3


def test_pod_disruption_budget(any_release: Release) -> None:
    pdb = any_release.get("PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1
    pod_labels = any_release.get("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_service_account_without_token(any_release: Release) -> None:
    account = any_release.get("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    assert any_release.get("Deployment")["spec"]["template"]["spec"]["serviceAccountName"] == FULLNAME


def test_optional_resources_are_off_by_default(default: Release) -> None:
    kinds = {m["kind"] for m in default.manifests}
    assert not kinds & {"ServiceMonitor", "Ingress"}
    assert [m["metadata"]["name"] for m in default.all("Deployment")] == [FULLNAME]
    assert [m["metadata"]["name"] for m in default.all("Service")] == [FULLNAME]


def test_service_monitor(production: Release) -> None:
    monitor = production.get("ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}
    ]
    service_labels = production.get("Service")["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service_labels.items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}


def test_grpc_ingress(production: Release) -> None:
    ingress = production.get("Ingress")
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/backend-protocol"] == "GRPC"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"][0]["secretName"] == "deckgen-tls"
    (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"]["service"] == {"name": FULLNAME, "port": {"name": "grpc"}}


# --- helm test --------------------------------------------------------------------------------


def _test_pod(rendered: Release) -> Manifest:
    (pod,) = rendered.all("Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    return pod


def test_helm_test_checks_grpc_health_through_the_service(any_release: Release) -> None:
    pod = _test_pod(any_release)
    (container,) = pod["spec"]["containers"]
    assert container["image"] == any_release.container["image"]
    command = container["command"]
    assert command[:2] == ["python", "-c"] and "grpc_health.v1" in command[2]
    assert command[3] == f"{FULLNAME}.{NAMESPACE}.svc:8000"
    assert command[4:] == [LIVENESS, "deckgen.v1.PresentationService"]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.slow
def test_helm_test_command_runs_against_a_live_server(default: Release, live_server: ChildServer) -> None:
    command = _test_pod(default)["spec"]["containers"][0]["command"]
    passed = run_python([*command[:3], live_server.target, *command[4:]])
    assert passed.returncode == 0, passed.stderr
    failed = run_python([*command[:3], live_server.target, "no.such.Service"])
    assert failed.returncode != 0


def test_notes_explain_how_to_connect(default: Release, envoy: Release) -> None:
    notes = default.files["deckgen/templates/NOTES.txt"]
    assert f"port-forward service/{FULLNAME}" in notes and "grpc.health.v1.Health/Check" in notes
    assert "grpc-web" in envoy.files["deckgen/templates/NOTES.txt"]


# --- grpc-web through Envoy -------------------------------------------------------------------


def _import_envoy_types(text: str) -> set[str]:
    """envoy-data-plane resolves an `@type` only once the module defining it is imported."""
    types = set(re.findall(r"type\.googleapis\.com/([\w.]+)", text))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PydanticDeprecationWarning)
        for type_name in types:
            importlib.import_module("envoy_data_plane." + type_name.rsplit(".", 1)[0])
    return types


def _envoy_bootstrap(rendered: Release) -> tuple[Bootstrap, str]:
    text: str = rendered.get("ConfigMap", f"{FULLNAME}-grpc-web")["data"]["envoy.yaml"]
    _import_envoy_types(text)
    return Bootstrap.from_dict(yaml.safe_load(text)), text


def test_envoy_config_is_a_valid_v3_bootstrap(envoy: Release) -> None:
    bootstrap, text = _envoy_bootstrap(envoy)
    assert "envoy.extensions.filters.http.grpc_web.v3.GrpcWeb" in _import_envoy_types(text)
    # The validation bites: a misspelt field or a bad duration is refused.
    with pytest.raises(KeyError, match="stat_prefx"):
        Bootstrap.from_dict(yaml.safe_load(text.replace("stat_prefix", "stat_prefx")))
    with pytest.raises(ValueError, match="duration"):
        Bootstrap.from_dict(yaml.safe_load(text.replace("connect_timeout: 5s", "connect_timeout: 5 s")))
    assert bootstrap.admin is not None


def test_envoy_translates_grpc_web_with_cors_for_streams(envoy: Release) -> None:
    bootstrap, _ = _envoy_bootstrap(envoy)
    assert bootstrap.static_resources is not None
    (listener,) = bootstrap.static_resources.listeners
    assert listener.address is not None and listener.address.socket_address is not None
    assert listener.address.socket_address.port_value == 8080
    (chain,) = listener.filter_chains
    (network_filter,) = chain.filters
    assert network_filter.typed_config is not None
    manager = network_filter.typed_config.unpack()
    assert isinstance(manager, HttpConnectionManager)
    assert [f.name for f in manager.http_filters] == [
        "envoy.filters.http.grpc_web",
        "envoy.filters.http.cors",
        "envoy.filters.http.router",
    ]
    assert manager.stream_idle_timeout is not None and manager.stream_idle_timeout.total_seconds() == 900
    assert manager.route_config is not None
    (host,) = manager.route_config.virtual_hosts
    cors = host.typed_per_filter_config["envoy.filters.http.cors"].unpack()
    assert isinstance(cors, CorsPolicy)
    assert [m.exact for m in cors.allow_origin_string_match] == envoy.values["grpcWeb"]["allowedOrigins"]
    assert {"grpc-status", "grpc-message"} <= set(cors.expose_headers.split(","))
    assert "x-grpc-web" in cors.allow_headers.split(",")
    (route,) = host.routes
    assert route.route is not None and route.route.cluster == "deckgen"
    assert route.route.timeout is not None and route.route.timeout.total_seconds() == 0  # streams: no limit


def test_envoy_cluster_reaches_the_deckgen_pods_over_http2(envoy: Release) -> None:
    bootstrap, _ = _envoy_bootstrap(envoy)
    assert bootstrap.static_resources is not None
    (cluster,) = bootstrap.static_resources.clusters
    assert cluster.name == "deckgen"
    options = cluster.typed_extension_protocol_options[
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    ]
    protocol = options.unpack()
    assert isinstance(protocol, HttpProtocolOptions)
    assert protocol.explicit_http_config is not None
    assert protocol.explicit_http_config.http2_protocol_options is not None
    assert cluster.load_assignment is not None
    (endpoints,) = cluster.load_assignment.endpoints
    (endpoint,) = endpoints.lb_endpoints
    assert endpoint.endpoint is not None and endpoint.endpoint.address is not None
    address = endpoint.endpoint.address.socket_address
    assert address is not None
    # The headless Service of the server pods, so each call (not each connection) is balanced.
    service_name, namespace, _ = address.address.split(".", 2)
    assert (namespace, address.address.endswith(".svc")) == (NAMESPACE, True)
    headless = envoy.get("Service", service_name)
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["selector"] == envoy.get("Service")["spec"]["selector"]
    ports = {p["port"]: p for p in headless["spec"]["ports"]}
    assert ports[address.port_value]["appProtocol"] == "grpc"
    (check,) = cluster.health_checks
    assert check.grpc_health_check is not None and check.grpc_health_check.service_name == READINESS


def test_envoy_deployment_and_service(envoy: Release) -> None:
    name = f"{FULLNAME}-grpc-web"
    deployment = envoy.get("Deployment", name)
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["args"][:2] == ["--config-path", "/etc/envoy/envoy.yaml"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["config"] == "/etc/envoy"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == name
    assert re.fullmatch(r"envoyproxy/envoy:v\d+\.\d+\.\d+", container["image"])
    service = envoy.get("Service", name)
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert (
        not service["spec"]["selector"].items()
        <= envoy.get("Deployment")["spec"]["template"]["metadata"]["labels"].items()
    )
    assert service["spec"]["ports"][0]["targetPort"] == "http"


# --- TLS and authentication at the edge ------------------------------------------------------------

TLS_VALUES: dict[str, Any] = {
    "tls": {"enabled": True, "existingSecret": "deckgen-tls", "clientAuth": True},
    "config": {"authMode": "mtls,supabase", "supabaseUrl": "https://abcdefghijklmnop.supabase.co"},
}


def test_tls_comes_from_an_existing_secret_mounted_whole() -> None:
    manifests, files = render(TLS_VALUES)
    tls = Release("", TLS_VALUES, manifests, files)
    config = tls.get("ConfigMap")["data"]
    assert config["TLS_CERT_FILE"] == "/etc/deckgen/tls/tls.crt"
    assert config["TLS_KEY_FILE"] == "/etc/deckgen/tls/tls.key"
    assert config["TLS_CLIENT_CA_FILE"] == "/etc/deckgen/tls/ca.crt"
    mount = next(m for m in tls.container["volumeMounts"] if m["name"] == "tls")
    assert mount["mountPath"] == "/etc/deckgen/tls" and mount["readOnly"] is True
    assert "subPath" not in mount  # a subPath mount would never see a renewed certificate
    volumes = tls.get("Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "tls", "secret": {"secretName": "deckgen-tls"}} in volumes
    for manifest in manifests:
        if not manifest["apiVersion"].startswith("monitoring.coreos.com/"):
            kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)
    notes = tls.files["deckgen/templates/NOTES.txt"]
    assert "TLS on the gRPC port" in notes and "PLAINTEXT" not in notes and "-plaintext" not in notes


def test_notes_say_when_the_port_is_plaintext_or_unauthenticated() -> None:
    manifests, files = render({"config": {"authMode": "none"}})
    notes = files["deckgen/templates/NOTES.txt"]
    assert "PLAINTEXT" in notes and "NO authentication" in notes
    assert "ConfigMap" in {m["kind"] for m in manifests}


def test_envoy_can_verify_supabase_tokens_at_the_edge() -> None:
    values: dict[str, Any] = {
        **TLS_VALUES,
        "tls": {"enabled": True, "existingSecret": "deckgen-tls", "clientAuth": False},
        "grpcWeb": {
            "enabled": True,
            "allowedOrigins": ["https://app.example.com"],
            "jwtAuthn": {"enabled": True, "supabaseUrl": "", "audiences": ["authenticated"]},
        },
    }
    manifests, files = render(values)
    edge = Release("", values, manifests, files)
    bootstrap, text = _envoy_bootstrap(edge)
    assert "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication" in _import_envoy_types(text)
    assert bootstrap.static_resources is not None
    (listener,) = bootstrap.static_resources.listeners
    manager = listener.filter_chains[0].filters[0].typed_config
    assert manager is not None
    unpacked = manager.unpack()
    assert isinstance(unpacked, HttpConnectionManager)
    names = [f.name for f in unpacked.http_filters]
    # CORS answers preflights before the token is required; the router comes last.
    assert names == [
        "envoy.filters.http.grpc_web",
        "envoy.filters.http.cors",
        "envoy.filters.http.jwt_authn",
        "envoy.filters.http.router",
    ]
    jwt_config = yaml.safe_load(text)["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
    provider = jwt_config["typed_config"]["http_filters"][2]["typed_config"]["providers"]["supabase"]
    assert provider["issuer"] == "https://abcdefghijklmnop.supabase.co/auth/v1"
    assert provider["remote_jwks"]["http_uri"]["uri"].endswith("/auth/v1/.well-known/jwks.json")
    assert provider["forward"] is True
    clusters = {c.name: c for c in bootstrap.static_resources.clusters}
    assert set(clusters) == {"deckgen", "supabase_jwks"}
    # deckgen speaks TLS, so Envoy's upstream does too, trusting the Secret's CA.
    assert clusters["deckgen"].transport_socket is not None
    assert "upstream-tls/ca.crt" in text
    for manifest in manifests:
        if not manifest["apiVersion"].startswith("monitoring.coreos.com/"):
            kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)
